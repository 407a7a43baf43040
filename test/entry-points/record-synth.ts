// Run the offline synth of a stack in a child process (as runSynth does: node --import tsx) and
// keep what a comparison needs: its resources.json and synth.json, and the recording of every
// answer its mocks gave (for the fake engine to replay).
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { REPO_ROOT } from "../../infra/synth/in-process";
import { childEnv, runNode } from "../support/fake-engine/node-process";
import type { Recording } from "../support/fake-engine/replay";
import type { ResourcesJsonEntry } from "./graph";

export interface SynthRecording {
  /** Temp directory with resources.json, synth.json, recording.json, ...: remove it when done. */
  readonly dir: string;
  readonly resources: ResourcesJsonEntry[];
  readonly outputs: Record<string, unknown>;
  readonly recording: Recording;
  readonly durationMs: number;
}

/** `configText`: the stack file to use instead of stacks/Pulumi.<stack>.yaml. */
export async function recordSynth(stack: string, opts: { configText?: string; passphrase: string; timeoutMs: number }): Promise<SynthRecording> {
  const dir = mkdtempSync(join(tmpdir(), `entry-synth-${stack}-`));
  // The artifacts get a directory of their own: synth refuses to replace one holding other files
  // (here, the stack file beside them).
  const out = join(dir, "out");
  const args = ["--import", "tsx", join(__dirname, "record-synth-child.ts"), "--stack", stack, "--out", out];
  if (opts.configText !== undefined) {
    writeFileSync(join(dir, `Pulumi.${stack}.yaml`), opts.configText);
    args.push("--config-file", join(dir, `Pulumi.${stack}.yaml`));
  }
  const run = await runNode(args, REPO_ROOT, childEnv({ PULUMI_CONFIG_PASSPHRASE: opts.passphrase }), opts.timeoutMs);
  if (run.exitCode !== 0) throw new Error(`synth of ${stack} failed (exit ${run.exitCode}):\n${run.stderr}`);
  const read = <T>(file: string) => JSON.parse(readFileSync(join(out, file), "utf8")) as T;
  return {
    dir,
    resources: read<ResourcesJsonEntry[]>("resources.json"),
    outputs: read<{ outputs: Record<string, unknown> }>("synth.json").outputs,
    recording: read<Recording>("recording.json"),
    durationMs: run.durationMs,
  };
}
