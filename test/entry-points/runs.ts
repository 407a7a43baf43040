// Every run the entry-point tests look at, started once and two at a time (the machine has two
// cores; each run is a node process loading @pulumi/aws): per stack one offline synth (recorded)
// and one `pulumi up` through cmd/run replaying it, plus a preview, the post-deploy verify variant,
// the lab stack restoring from a snapshot, and three failing runs: a bad config value, a verify
// runner whose output is no summary (an error inside an apply), and a restore of another stack's
// snapshot. Durations are kept for the figures the suite prints.
import { rmSync } from "node:fs";
import { runPool } from "../../fleet/pool";
import { type CliRun, runStackThroughCli } from "./cli-run";
import type { Recording } from "../support/fake-engine/replay";
import { type SynthRecording, recordSynth } from "./record-synth";
import { labRestoring, snapshotOfAnotherStack } from "./restore-variant";
import { devWithPostDeployVerify } from "./verify-variant";

/** The example stacks' passphrase (stacks/*.yaml say so); the engine decrypts config with it. */
export const PASSPHRASE = "mailfort-example";
export const STACKS = ["dev", "prod", "lab"] as const;
/** A value `pulumi config set` accepts and the program must refuse. */
export const BAD_HOSTNAME = "mail_server..example.com";

type Target = "dev" | "prod" | "lab" | "verify" | "restore";

export interface Runs {
  readonly synth: Readonly<Record<Target, SynthRecording>>;
  readonly up: Readonly<Record<Target, CliRun>>;
  readonly preview: CliRun;
  readonly badConfig: CliRun;
  readonly verifyGarbage: CliRun;
  readonly restoreRefused: CliRun;
  readonly verifyStackText: string;
  readonly wallMs: number;
}

type Job = { kind: "synth" | "up" | "preview" | "bad" | "garbage" | "refused"; target: Target };

/** What the verify runner printed instead of its summary, in the garbage run. */
export const GARBAGE_STDOUT = "verify runner: connection reset by peer";

/** The recording with every local Command's stdout replaced: the provider ran it, it printed this. */
function withCommandStdout(recording: Recording, stdout: string): Recording {
  const resources = Object.fromEntries(Object.entries(recording.resources).map(([key, answer]) =>
    [key, key.startsWith("command:local:Command::") ? { ...answer, state: { ...answer.state, stdout } } : answer]));
  return { ...recording, resources };
}

export async function startRuns(timeoutMs: number): Promise<Runs> {
  const started = Date.now();
  const verifyStackText = devWithPostDeployVerify(PASSPHRASE);
  const targets = [...STACKS, "verify", "restore"] as const;
  const synths: Partial<Record<Job["target"], SynthRecording>> = {};
  const jobs = [
    ...targets.map((t) => ({ id: `synth:${t}`, item: { kind: "synth", target: t } as Job })),
    ...targets.map((t) => ({ id: `up:${t}`, item: { kind: "up", target: t } as Job, dependsOn: [`synth:${t}`] })),
    { id: "preview:prod", item: { kind: "preview", target: "prod" } as Job, dependsOn: ["synth:prod"] },
    { id: "bad:dev", item: { kind: "bad", target: "dev" } as Job, dependsOn: ["synth:dev"] },
    { id: "garbage:verify", item: { kind: "garbage", target: "verify" } as Job, dependsOn: ["synth:verify"] },
    { id: "refused:restore", item: { kind: "refused", target: "restore" } as Job, dependsOn: ["synth:restore"] },
  ];
  // The variants are a stack with one more setting: they keep its name, so the pack's facts match.
  const stackOf = (t: Job["target"]) => (t === "verify" ? "dev" : t === "restore" ? "lab" : t);
  const text = (t: Job["target"]) => (t === "verify" ? { configText: verifyStackText } : t === "restore" ? { configText: labRestoring() } : {});
  const pool = await runPool<Job, SynthRecording | CliRun>(jobs, 2, async ({ kind, target }) => {
    if (kind === "synth") {
      const s = await recordSynth(stackOf(target), { ...text(target), passphrase: PASSPHRASE, timeoutMs });
      synths[target] = s;
      return s;
    }
    const recorded = (synths[target] as SynthRecording).recording;
    const recording = kind === "garbage" ? withCommandStdout(recorded, GARBAGE_STDOUT) : kind === "refused" ? snapshotOfAnotherStack(recorded, "prod") : recorded;
    return runStackThroughCli({
      stack: stackOf(target), dryRun: kind === "preview", passphrase: PASSPHRASE, recording, timeoutMs, ...text(target),
      ...(kind === "bad" ? { configOverride: { "mailfort:hostname": BAD_HOSTNAME } } : {}),
    });
  });
  const failed = pool.results.find((r) => !r.ok);
  if (failed !== undefined) throw new Error(`${failed.id}: ${failed.error instanceof Error ? failed.error.message : String(failed.error)}`);
  const value = (id: string) => pool.results.find((r) => r.id === id)?.value;
  const pick = <T>(prefix: string) => Object.fromEntries(targets.map((t) => [t, value(`${prefix}:${t}`) as T])) as Record<Job["target"], T>;
  return {
    synth: pick<SynthRecording>("synth"), up: pick<CliRun>("up"),
    preview: value("preview:prod") as CliRun, badConfig: value("bad:dev") as CliRun, verifyGarbage: value("garbage:verify") as CliRun,
    restoreRefused: value("refused:restore") as CliRun,
    verifyStackText, wallMs: Date.now() - started,
  };
}

export function removeRuns(runs: Runs | undefined): void {
  for (const s of Object.values(runs?.synth ?? {})) rmSync(s.dir, { recursive: true, force: true });
}
