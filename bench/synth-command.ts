// The whole `npm run synth -- --stack lab` command as a user runs it (npm, node, module loading,
// the synth, the artifacts written): wall time and CPU over `runs` runs after one warm-up run
// (which builds the synth's bundle, tools/entry.cjs, as any first use after a change does), through bash's `time` (the
// kernel's accounting of the command and its children), and the peak RSS of the process tree
// sampled from /proc. The figure the "<= 1.5 s" is about.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { sampleMemory } from "./proc-memory";
import { type Summary, round, summarize } from "./stats";

export interface SynthCommandResult {
  readonly command: string;
  readonly runs: number;
  readonly wallSeconds: Summary;
  /** User + system CPU of the command and its children. */
  readonly cpuSeconds: Summary;
  readonly peakRssMb: number;
  readonly loadBefore: number;
  /**
   * What starting costs before the synth's own code runs, timed in the same run the same way
   * (medians): `npm run env` (npm starting a script: what `npm run synth` pays on top of node)
   * and `node -e 0` (node starting). Absent in reports from before 2026-12-04.
   */
  readonly startup?: { readonly npmRunSeconds: number; readonly nodeSeconds: number };
}

export const SYNTH_COMMAND = "npm run synth -- --stack lab";

/** bash's `time` with TIMEFORMAT='%R %U %S': real, user and system seconds, on the last stderr line. */
export function parseBashTime(stderr: string): { wall: number; cpu: number } {
  const last = stderr.trim().split("\n").pop() ?? "";
  const m = /^(\d+\.\d+) (\d+\.\d+) (\d+\.\d+)$/.exec(last.trim());
  if (m === null) throw new Error(`no timing from bash's time in: ${last.slice(0, 200)}`);
  return { wall: Number(m[1]), cpu: Number(m[2]) + Number(m[3]) };
}

/** The command lines timed beside the synth for its start-up split. */
export const STARTUP_COMMANDS = { npmRunSeconds: "npm run env", nodeSeconds: "node -e 0" } as const;

function timeOnce(cwd: string, out: string, command = `${SYNTH_COMMAND} --out '${out}'`): Promise<{ wall: number; cpu: number }> {
  return new Promise((resolve, reject) => {
    const script = `TIMEFORMAT='%R %U %S'; time ${command} >/dev/null 2>/tmp/mailfort-synth-bench.err`;
    const child = spawn("bash", ["-c", script], { cwd, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => void (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => {
      if (code !== 0) return reject(new Error(`${command} failed (exit ${code}); its stderr is in /tmp/mailfort-synth-bench.err`));
      try {
        resolve(parseBashTime(stderr));
      } catch (e) {
        reject(e);
      }
    });
  });
}

export async function runSynthCommand(cwd: string, runs: number, log: (l: string) => void): Promise<SynthCommandResult> {
  const loadBefore = round(loadavg()[0] ?? 0);
  const out = mkdtempSync(join(tmpdir(), "mailfort-synth-command-"));
  try {
    await timeOnce(cwd, out);
    const walls: number[] = [];
    const cpus: number[] = [];
    const mem = sampleMemory(25);
    for (let i = 1; i <= runs; i++) {
      const t = await timeOnce(cwd, out);
      walls.push(t.wall);
      cpus.push(t.cpu);
      log(`synth command: run ${i}: ${t.wall.toFixed(2)} s wall, ${t.cpu.toFixed(2)} s CPU`);
    }
    const peaks = mem.stop();
    const startup = { npmRunSeconds: 0, nodeSeconds: 0 };
    for (const [key, command] of Object.entries(STARTUP_COMMANDS) as [keyof typeof startup, string][]) {
      const w: number[] = [];
      for (let i = 0; i < runs; i++) w.push((await timeOnce(cwd, out, command)).wall);
      startup[key] = round(summarize(w).median);
    }
    log(`synth command: npm run env ${startup.npmRunSeconds} s, node -e 0 ${startup.nodeSeconds} s (medians)`);
    const rounded = (s: Summary): Summary => ({ rounds: s.rounds.map((x) => round(x)), median: round(s.median), min: round(s.min), max: round(s.max) });
    return { command: SYNTH_COMMAND, runs, wallSeconds: rounded(summarize(walls)), cpuSeconds: rounded(summarize(cpus)), peakRssMb: peaks.workerMb, loadBefore, startup };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}
