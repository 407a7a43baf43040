// Reading the guest's /proc and cgroup files through the guest agent, and parsing what comes back.
// The scripts below print raw kernel text; the parsers are pure (tested on captured output), so
// the figures are computed on the host from exactly what the kernel said.
// CPU per systemd unit (cgroup cpu.stat) is the lab's: its failed verify groups say it too.
export { CGROUP_CPU_SCRIPT, type UnitCpu, cpuDelta, parseCgroupCpu } from "../lab";

/** Every process: its cgroup (which systemd unit) and its smaps_rollup (RSS, PSS); then meminfo. */
export const PROC_DUMP_SCRIPT = [
  "for d in /proc/[0-9]*; do",
  '  [ -r "$d/smaps_rollup" ] || continue',
  '  echo "=== ${d#/proc/} $(cat "$d/comm" 2>/dev/null)"',
  '  cat "$d/cgroup" "$d/smaps_rollup" 2>/dev/null',
  "done",
  'echo "=== meminfo"',
  "cat /proc/meminfo",
].join("\n");

/**
 * Every process's cgroup and /proc/<pid>/stat line, with shell builtins only (no fork per process:
 * under TCG a fork costs milliseconds, and this runs right before and after a timed round).
 */
export const PROC_CPU_SCRIPT = [
  "for d in /proc/[0-9]*; do",
  '  { read -r c < "$d/cgroup" && read -r s < "$d/stat"; } 2>/dev/null || continue',
  '  echo "$c $s"',
  "done",
  "true",
].join("\n");

export interface ProcessCpu {
  readonly pid: number;
  readonly comm: string;
  readonly unit: string;
  /** utime + stime, clock ticks (USER_HZ, 100 on Debian). */
  readonly ticks: number;
}

/** Lines "0::/system.slice/x.service <pid> (<comm>) S ... utime stime ..." -> per-process CPU ticks. */
export function parseProcCpu(text: string): ProcessCpu[] {
  const out: ProcessCpu[] = [];
  for (const line of text.split("\n")) {
    const m = /^(\d+:[^:]*:\S*) (\d+) \((.*)\) (.*)$/.exec(line.trim());
    if (!m) continue;
    // After "(comm)": state is field 3; utime and stime are fields 14 and 15 of stat(5).
    const rest = (m[4] ?? "").split(" ");
    const utime = Number(rest[11]);
    const stime = Number(rest[12]);
    if (!Number.isFinite(utime) || !Number.isFinite(stime)) continue;
    out.push({ pid: Number(m[2]), comm: m[3] ?? "", unit: unitOfCgroup(m[1] ?? ""), ticks: utime + stime });
  }
  return out;
}

export interface CommandCpu {
  /** "unit: command", e.g. "dovecot.service: lmtp". */
  readonly name: string;
  readonly cpuSeconds: number;
}

/**
 * CPU per (unit, command) between two samples of long-lived processes. A process that started
 * after the first sample counts in full; one that exited before the second is missed (its time
 * is in the unit's cgroup total, not here).
 */
export function processCpuDelta(before: readonly ProcessCpu[], after: readonly ProcessCpu[], hz = 100): CommandCpu[] {
  const prev = new Map(before.map((p) => [`${p.pid} ${p.comm}`, p.ticks]));
  const sums = new Map<string, number>();
  for (const p of after) {
    const d = p.ticks - (prev.get(`${p.pid} ${p.comm}`) ?? 0);
    if (d <= 0) continue;
    const name = `${p.unit}: ${p.comm}`;
    sums.set(name, (sums.get(name) ?? 0) + d);
  }
  return [...sums.entries()].map(([name, t]) => ({ name, cpuSeconds: Math.round((t / hz) * 100) / 100 })).sort((a, b) => b.cpuSeconds - a.cpuSeconds);
}

export interface ProcessMemory {
  readonly pid: number;
  readonly comm: string;
  /** The systemd unit (last component of the cgroup v2 path), e.g. "rspamd.service". */
  readonly unit: string;
  readonly rssKb: number;
  readonly pssKb: number;
}

export interface UnitMemory {
  readonly unit: string;
  readonly processes: number;
  readonly rssMb: number;
  readonly pssMb: number;
}

export interface MemInfo {
  readonly totalMb: number;
  readonly availableMb: number;
  /** total - available: what `free` calls used (excludes reclaimable cache). */
  readonly usedMb: number;
}

export interface ProcDump {
  readonly processes: readonly ProcessMemory[];
  readonly meminfo: MemInfo;
}

const mb = (kb: number) => Math.round((kb / 1024) * 10) / 10;

/** The unit a cgroup v2 line names: "0::/system.slice/postfix@-.service" -> "postfix@-.service". */
export function unitOfCgroup(cgroupText: string): string {
  // cgroup v2 has one line "0::<path>"; on a v1/hybrid host take the first hierarchy's path.
  const lines = cgroupText.split("\n").filter((l) => /^\d+:[^:]*:/.test(l));
  const line = lines.find((l) => l.startsWith("0::")) ?? lines[0];
  if (!line) return "(unknown)";
  const path = line.slice(line.indexOf(":", line.indexOf(":") + 1) + 1).trim();
  if (path === "/") return "(root)";
  // The innermost unit: systemd-udevd puts its workers in a sub-cgroup ("systemd-udevd.service/udev").
  const parts = path.split("/").filter(Boolean);
  return [...parts].reverse().find((p) => /\.(service|scope)$/.test(p)) ?? parts.at(-1) ?? "(root)";
}

export function parseMemInfo(text: string): MemInfo {
  const field = (name: string): number => {
    const m = new RegExp(`^${name}:\\s+(\\d+) kB`, "m").exec(text);
    if (!m) throw new Error(`/proc/meminfo has no ${name} line`);
    return Number(m[1]);
  };
  const total = field("MemTotal");
  const available = field("MemAvailable");
  return { totalMb: mb(total), availableMb: mb(available), usedMb: mb(total - available) };
}

export function parseProcDump(text: string): ProcDump {
  const blocks = text.split(/^=== /m).filter((b) => b.trim());
  const processes: ProcessMemory[] = [];
  let meminfo: MemInfo | undefined;
  for (const block of blocks) {
    const nl = block.indexOf("\n");
    const header = (nl < 0 ? block : block.slice(0, nl)).trim();
    const body = nl < 0 ? "" : block.slice(nl + 1);
    if (header === "meminfo") {
      meminfo = parseMemInfo(body);
      continue;
    }
    const h = /^(\d+)\s*(.*)$/.exec(header);
    if (!h) continue;
    const rss = /^Rss:\s+(\d+) kB/m.exec(body);
    const pss = /^Pss:\s+(\d+) kB/m.exec(body);
    if (!rss || !pss) continue; // kernel threads: no address space, empty smaps_rollup
    processes.push({ pid: Number(h[1]), comm: (h[2] ?? "").trim(), unit: unitOfCgroup(body), rssKb: Number(rss[1]), pssKb: Number(pss[1]) });
  }
  if (!meminfo) throw new Error("the guest's process dump has no meminfo section");
  return { processes, meminfo };
}

/** Per-unit sums, largest PSS first. PSS adds up to the real total; RSS double-counts shared pages. */
export function memoryByUnit(processes: readonly ProcessMemory[]): UnitMemory[] {
  const byUnit = new Map<string, { n: number; rss: number; pss: number }>();
  for (const p of processes) {
    const u = byUnit.get(p.unit) ?? { n: 0, rss: 0, pss: 0 };
    byUnit.set(p.unit, { n: u.n + 1, rss: u.rss + p.rssKb, pss: u.pss + p.pssKb });
  }
  return [...byUnit.entries()]
    .map(([unit, u]) => ({ unit, processes: u.n, rssMb: mb(u.rss), pssMb: mb(u.pss) }))
    .sort((a, b) => b.pssMb - a.pssMb || a.unit.localeCompare(b.unit));
}

