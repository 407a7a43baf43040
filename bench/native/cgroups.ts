// CPU accounting for the native bench: one cpuacct cgroup per daemon under a parent named for
// this run. The kernel counts every process of a group, including the short-lived ones (smtpd,
// cleanup, lmtp) that a /proc sample before and after a round would miss. This machine mounts
// cgroup v1 (no systemd); cgroup v2's cpu.stat would do the same where v1 is absent.
import { existsSync, mkdirSync, readFileSync, readdirSync, rmdirSync } from "node:fs";
import { join } from "node:path";
import type { ProcessCpu } from "../guest-proc";

const CPUACCT = "/sys/fs/cgroup/cpuacct";

export interface CpuGroups {
  readonly dir: string;
  /** The file a process writes its PID to in order to join `name`'s group. */
  procsFile(name: string): string;
  /** CPU microseconds used so far per group (the unit map the VM bench's cpuDelta takes). */
  usage(): Map<string, number>;
  /** Every process now in a group, with its CPU ticks so far (for the per-process split of a daemon). */
  processes(): ProcessCpu[];
  /** Remove the (by then empty) groups. */
  remove(): void;
}

/** A /proc/<pid>/stat line as the process's CPU ticks so far (utime + stime), charged to `group`. */
export function processTicks(group: string, stat: string): ProcessCpu[] {
  const m = /^(\d+) \((.*)\) (.*)$/.exec(stat.trim());
  if (!m) return [];
  // After "(comm)": state is field 3 of stat(5); utime and stime are fields 14 and 15.
  const rest = (m[3] ?? "").split(" ");
  const ticks = Number(rest[11]) + Number(rest[12]);
  return Number.isFinite(ticks) ? [{ pid: Number(m[1]), comm: m[2] ?? "", unit: group, ticks }] : [];
}

export function cpuacctAvailable(): boolean {
  return existsSync(join(CPUACCT, "cpuacct.usage"));
}

export function createCpuGroups(run: string, names: readonly string[]): CpuGroups {
  if (!cpuacctAvailable()) throw new Error(`native bench: no cgroup v1 cpuacct hierarchy at ${CPUACCT} (needed to split CPU time by daemon)`);
  const dir = join(CPUACCT, run);
  for (const n of names) mkdirSync(join(dir, n), { recursive: true });
  return {
    dir,
    procsFile: (name) => join(dir, name, "cgroup.procs"),
    usage: () => new Map(names.map((n) => [n, Number(readFileSync(join(dir, n, "cpuacct.usage"), "utf8").trim()) / 1000])),
    processes: () => names.flatMap((n) => readFileSync(join(dir, n, "cgroup.procs"), "utf8").split("\n").filter(Boolean).flatMap((pid) => {
      try {
        return processTicks(n, readFileSync(`/proc/${pid}/stat`, "utf8"));
      } catch {
        return []; // exited between the two reads
      }
    })),
    remove: () => {
      for (const n of readdirSync(dir)) if (existsSync(join(dir, n, "cgroup.procs"))) rmdirSync(join(dir, n));
      rmdirSync(dir);
    },
  };
}
