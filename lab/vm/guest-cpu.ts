// CPU time per systemd unit in the guest, from its cgroups (cpu.stat), read through the guest
// agent: the bench's per-unit figures and the lab's account of a failed verify group both use it.
// The script prints raw kernel text; the parsers are pure (tested on captured output).

/** CPU time used so far by every unit under system.slice (includes exited children, unlike /proc/<pid>/stat). */
export const CGROUP_CPU_SCRIPT = "cd /sys/fs/cgroup/system.slice && grep -H '^usage_usec ' */cpu.stat";

/** grep -H lines ("postfix.service/cpu.stat:usage_usec 123") -> unit -> microseconds. */
export function parseCgroupCpu(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split("\n")) {
    const m = /^(.+)\/cpu\.stat:usage_usec (\d+)$/.exec(line.trim());
    if (m) out.set(m[1] as string, Number(m[2]));
  }
  return out;
}

export interface UnitCpu {
  readonly unit: string;
  /** CPU seconds used between the two samples. */
  readonly cpuSeconds: number;
  /** Share of all CPU time the units used in the interval, 0..1. */
  readonly share: number;
}

/** CPU used per unit between two cgroup samples, largest first (units idle in between left out). */
export function cpuDelta(before: ReadonlyMap<string, number>, after: ReadonlyMap<string, number>): UnitCpu[] {
  const rows: { unit: string; usec: number }[] = [];
  for (const [unit, usec] of after) {
    const d = usec - (before.get(unit) ?? 0);
    if (d > 0) rows.push({ unit, usec: d });
  }
  const total = rows.reduce((s, r) => s + r.usec, 0);
  return rows
    .sort((a, b) => b.usec - a.usec)
    .map((r) => ({ unit: r.unit, cpuSeconds: Math.round(r.usec / 1e4) / 100, share: total > 0 ? Math.round((r.usec / total) * 1000) / 1000 : 0 }));
}
