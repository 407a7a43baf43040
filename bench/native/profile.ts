// Where the time of a path goes, below the per-daemon CPU: Linux perf samples the server's
// processes (every daemon but the bare Postfix) during one extra round of a target, not counted
// in the figures, and its report by command and shared object says e.g. how much of Rspamd is
// its Lua rules (LuaJIT), its C core or hyperscan, and how much of Dovecot's LMTP is the kernel
// (file system work for every delivery). Optional: without perf the bench still runs and says so.
import { spawn, spawnSync } from "node:child_process";
import type { Target } from "../targets";

export interface ProfileRow {
  readonly command: string;
  readonly object: string;
  /** Share of all samples, 0..100. */
  readonly percent: number;
}

export interface Profile {
  readonly target: Target;
  readonly messages: number;
  readonly samples: number;
  readonly rows: readonly ProfileRow[];
}

export const PERF_HZ = 499;

export function perfAvailable(): boolean {
  return spawnSync("perf", ["--version"], { stdio: "ignore" }).status === 0;
}

export function perfRecordArgv(pids: readonly number[], out: string): string[] {
  return ["perf", "record", "-F", String(PERF_HZ), "-o", out, "-p", pids.join(",")];
}

export function perfReportArgv(file: string): string[] {
  return ["perf", "report", "-i", file, "--stdio", "--no-children", "-g", "none", "--sort", "comm,dso", "--percent-limit", "0.5"];
}

/** `perf report --sort comm,dso` text -> the sample count and its rows (JIT code of any thread as one object). */
export function parsePerfReport(text: string): { samples: number; rows: ProfileRow[] } {
  const samples = /^# Samples: (\d+)(K?)/m.exec(text);
  const rows: ProfileRow[] = [];
  for (const line of text.split("\n")) {
    const m = /^\s+([\d.]+)%\s+(\S+)\s+(.+?)\s*$/.exec(line);
    if (!m) continue;
    rows.push({ percent: Number(m[1]), command: m[2] ?? "", object: (m[3] ?? "").replace(/^\[JIT\] tid \d+$/, "[JIT]") });
  }
  return { samples: samples ? Number(samples[1]) * (samples[2] === "K" ? 1000 : 1) : 0, rows };
}

/** Record the given processes while `work` runs, then summarise. */
export async function profileWhile(pids: readonly number[], file: string, work: () => Promise<void>): Promise<{ samples: number; rows: ProfileRow[] }> {
  const argv = perfRecordArgv(pids, file);
  const perf = spawn(argv[0] as string, argv.slice(1), { stdio: "ignore" });
  const closed = new Promise<void>((resolve) => perf.on("close", () => resolve()));
  // perf needs a moment to attach to every process before the round starts.
  await new Promise((r) => setTimeout(r, 1500));
  try {
    await work();
  } finally {
    perf.kill("SIGINT");
    await closed;
  }
  const report = perfReportArgv(file);
  const r = spawnSync(report[0] as string, report.slice(1), { encoding: "utf8", maxBuffer: 16 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`perf report failed: ${r.stderr}`);
  return parsePerfReport(r.stdout);
}
