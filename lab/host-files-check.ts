// lab-host-files: the host files reached the VM through the host bundle, whole. The user data
// carries only mailfort.env and the installer; everything else (Postfix, Dovecot, Rspamd,
// nftables, ... and the secret fetch) arrives as SSM parameters (or, with the quick-run secrets
// disk, as the same tree on it), so this is the check that the bundle path works end to end: the
// installer's manifest names the bundle the synth pinned, and every file the synth rendered is on
// the guest's disk with its content, mode and owner (hashed on the guest, not read from the
// manifest, so a file changed after the install is caught too).
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { CheckResult } from "../verify/contract";
import { guestShell } from "./vm/guest-agent";

export const HOST_FILES_CHECK = {
  id: "lab-host-files",
  title: "the host bundle was installed whole: the manifest names the pinned bundle, and every rendered file is on disk with its content, mode and owner",
} as const;

export const HOST_MANIFEST = "/etc/mailfort/host-files.manifest";

/** Run on the guest: the manifest's first line, then `sha256 mode owner path` of every file it
 * lists, computed from the disk. */
export const GUEST_HOST_FILES_SCRIPT = [
  `head -n 1 ${HOST_MANIFEST}`,
  `tail -n +2 ${HOST_MANIFEST} | while read -r _sum _mode _owner path; do`,
  `  printf '%s %s %s\\n' "$(sha256sum "$path" | cut -d' ' -f1)" "$(stat -c '0%a %U:%G' "$path")" "$path"`,
  "done",
].join("\n");

/** One file as the synth rendered it: the expected line is `sha256(content) mode owner path`. */
export interface ExpectedHostFile {
  readonly path: string;
  readonly mode: string;
  readonly owner: string;
  readonly sha256: string;
}

export function hostFilesCheck(guestOutput: string, expected: { readonly bundleSha256: string; readonly files: readonly ExpectedHostFile[] }): CheckResult {
  const [head = "", ...lines] = guestOutput.trim().split("\n");
  const problems: string[] = [];
  if (!head.includes(`host bundle sha256:${expected.bundleSha256}`)) {
    problems.push(`${HOST_MANIFEST} names ${JSON.stringify(head.slice(0, 140))}, not the synthesized bundle sha256:${expected.bundleSha256}`);
  }
  const onDisk = new Map(lines.map((l) => [l.split(" ").at(-1) ?? "", l]));
  for (const f of expected.files) {
    const want = `${f.sha256} ${f.mode} ${f.owner} ${f.path}`;
    const got = onDisk.get(f.path);
    if (got === undefined) problems.push(`${f.path} is not in the manifest`);
    else if (got !== want) problems.push(`${f.path}: on disk ${got.split(" ").slice(0, 3).join(" ")}, rendered ${want.split(" ").slice(0, 3).join(" ")}`);
    onDisk.delete(f.path);
  }
  for (const path of onDisk.keys()) problems.push(`${path} was installed but not rendered`);
  if (expected.files.length === 0) problems.push("the synth rendered no bundle files to compare");
  return {
    ...HOST_FILES_CHECK,
    status: problems.length === 0 ? "pass" : "fail",
    detail: problems.length === 0
      ? `bundle sha256:${expected.bundleSha256.slice(0, 16)}…: all ${expected.files.length} files on disk as rendered`
      : `${problems.slice(0, 6).join("; ")}${problems.length > 6 ? `; and ${problems.length - 6} more` : ""}`,
    seconds: 0,
  };
}

/** The check against the running VM, expecting what the synth in `synthOutDir` rendered (synth.json). */
export async function guestHostFilesCheck(synthOutDir: string): Promise<CheckResult> {
  try {
    const synth = JSON.parse(readFileSync(join(synthOutDir, "synth.json"), "utf8")) as {
      hostFiles: { bundleSha256: string; bundle: Array<{ path: string; mode: string; owner: string; content: string }> };
    };
    const files = synth.hostFiles.bundle.map((f) => ({ path: f.path, mode: f.mode, owner: f.owner, sha256: createHash("sha256").update(f.content, "utf8").digest("hex") }));
    return hostFilesCheck(await guestShell(GUEST_HOST_FILES_SCRIPT, { timeoutMs: 60_000 }), { bundleSha256: synth.hostFiles.bundleSha256, files });
  } catch (e) {
    return { ...HOST_FILES_CHECK, status: "fail", detail: e instanceof Error ? e.message : String(e), seconds: 0 };
  }
}
