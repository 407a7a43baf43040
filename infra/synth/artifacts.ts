// Write a synth's artifacts: resources.json, zones/<zone>.zone, user-data (+ user-data.yaml, the
// readable #cloud-config), plan.md, synth.json.
// Only the public view (secrets as "[secret]") is ever written here.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { renderPlan } from "./plan";
import { type SynthResult, publicView } from "./result";

export function writeArtifacts(dir: string, result: SynthResult): string[] {
  const pub = publicView(result);
  mkdirSync(join(dir, "zones"), { recursive: true });
  const files: Array<[string, string]> = [
    ["resources.json", `${JSON.stringify(pub.resources.map((r) => ({ type: r.type, name: r.name, urn: r.urn, custom: r.custom, inputs: r.inputs, ...(r.secretPaths ? { secretPaths: r.secretPaths } : {}), ...(r.options ? { options: r.options } : {}) })), null, 2)}\n`],
    // As EC2's API takes it (base64 of gzip); cloud-init decompresses it.
    ["user-data", pub.userData],
    ["user-data.yaml", pub.cloudConfig],
    ["plan.md", renderPlan(pub)],
    ["synth.json", `${JSON.stringify(pub, null, 2)}\n`],
    ...Object.entries(pub.zones).map(([zone, text]): [string, string] => [join("zones", `${zone}.zone`), text]),
  ];
  for (const [name, content] of files) writeFileSync(join(dir, name), content);
  return files.map(([name]) => name);
}
