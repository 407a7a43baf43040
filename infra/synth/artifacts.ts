// Write a synth's artifacts: resources.json, zones/<zone>.zone, user-data (+ user-data.yaml, the
// readable #cloud-config), host-files/<path> (every file the host gets, bootstrap and SSM host
// bundle alike, as it lands), plan.md, synth.json.
// Only the public view (secrets as "[secret]") is ever written here.
//
// All or nothing: every file is first written into a staging directory beside the target; only
// when all of them are on disk does the staging directory replace the target (two renames on
// one filesystem). A failure on the way (a name the filesystem refuses, a full disk) leaves the
// previous artifacts as they were and no staging directory behind. A target that holds other
// files than a synth's is never replaced.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { renderPlan } from "./plan";
import { type SynthResult, publicView } from "./result";

const TOP_LEVEL = ["resources.json", "user-data", "user-data.yaml", "plan.md", "synth.json", "zones", "host-files"];

export function artifactFiles(result: SynthResult): Array<[string, string]> {
  const pub = publicView(result);
  return [
    ["resources.json", `${JSON.stringify(pub.resources.map((r) => ({ type: r.type, name: r.name, urn: r.urn, custom: r.custom, inputs: r.inputs, ...(r.secretPaths ? { secretPaths: r.secretPaths } : {}), ...(r.options ? { options: r.options } : {}) })), null, 2)}\n`],
    // As EC2's API takes it (base64 of gzip); cloud-init decompresses it.
    ["user-data", pub.userData],
    ["user-data.yaml", pub.cloudConfig],
    ["plan.md", renderPlan(pub)],
    ["synth.json", `${JSON.stringify(pub, null, 2)}\n`],
    ...Object.entries(pub.zones).map(([zone, text]): [string, string] => [join("zones", `${zone}.zone`), text]),
    ...[...pub.hostFiles.bootstrap, ...pub.hostFiles.bundle].map((f): [string, string] => [join("host-files", f.path), f.content]),
  ];
}

export function writeArtifacts(dir: string, result: SynthResult): string[] {
  return writeAllOrNothing(dir, artifactFiles(result));
}

/** Write `files` (relative paths) as the whole content of `dir`, or change nothing. */
export function writeAllOrNothing(dir: string, files: ReadonlyArray<readonly [string, string]>): string[] {
  const target = resolve(dir);
  assertReplaceable(target);
  mkdirSync(dirname(target), { recursive: true });
  const staging = mkdtempSync(join(dirname(target), `.${basename(target)}.staging-`));
  try {
    for (const [name, content] of files) {
      mkdirSync(join(staging, dirname(name)), { recursive: true });
      writeFileSync(join(staging, name), content);
    }
    if (!existsSync(target)) {
      renameSync(staging, target);
    } else {
      const old = `${staging}.old`;
      renameSync(target, old);
      try {
        renameSync(staging, target);
      } catch (e) {
        renameSync(old, target);
        throw e;
      }
      rmSync(old, { recursive: true, force: true });
    }
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  // The host-files tree as one entry: a listing of sixty paths helps nobody.
  return [...new Set(files.map(([name]) => (name.startsWith("host-files/") ? "host-files/" : name)))];
}

/** Only an empty directory or a previous synth's output may be replaced as a whole (checked
 * before a synth starts, and again before the swap). */
export function assertReplaceable(dir: string): void {
  const target = resolve(dir);
  if (!existsSync(target)) return;
  if (!statSync(target).isDirectory()) throw new Error(`${target} exists and is not a directory; nothing was written`);
  const foreign = readdirSync(target).filter((f) => !TOP_LEVEL.includes(f));
  if (foreign.length > 0) {
    throw new Error(`${target} holds files a synth did not write (${foreign.slice(0, 5).join(", ")}); nothing was written. Give --out a directory of its own`);
  }
}
