// Synthesize a stack in a given source tree through that tree's own `tools/synth.ts` (the stable
// CLI contract: --stack, --out, --config-file), and read its synth.json back as a Snapshot.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import type { SynthResult } from "../infra/synth";
import { snapshotFromSynth } from "./from-synth";
import type { Snapshot } from "./snapshot";

export class NoStackAtBase extends Error {}

/** `extraArgs`: more of that tree's synth options (the head's --dkim-state / --now; a base tree may predate them). */
export function synthTree(tree: string, stack: string, configFile?: string, extraArgs: readonly string[] = []): Snapshot {
  const stackFile = configFile ?? path.join(tree, "stacks", `Pulumi.${stack}.yaml`);
  if (!existsSync(stackFile)) throw new NoStackAtBase(`${stackFile} does not exist`);
  if (!existsSync(path.join(tree, "tools", "synth.ts"))) throw new Error(`${tree} has no tools/synth.ts (the offline synth): cannot synthesize it`);
  const out = mkdtempSync(path.join(tmpdir(), "mailfort-plan-synth-"));
  try {
    const args = ["--import", "tsx", path.join(tree, "tools", "synth.ts"), "--stack", stack, "--out", out, ...(configFile ? ["--config-file", configFile] : []), ...extraArgs];
    const r = spawnSync(process.execPath, args, { cwd: tree, encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
    if (r.status !== 0) throw new Error(`synth of ${stack} in ${tree} failed (exit ${r.status}):\n${r.stderr || r.stdout}`);
    return snapshotFromSynth(JSON.parse(readFileSync(path.join(out, "synth.json"), "utf8")) as SynthResult);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

/** A stack that does not exist yet at the base: everything in head is "added". */
export function emptySnapshot(like: Snapshot): Snapshot {
  return { stack: like.stack, facts: like.facts, resources: [], records: [] };
}
