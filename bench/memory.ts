// Memory in the guest: per systemd unit RSS and PSS (from /proc/<pid>/smaps_rollup, grouped by
// /proc/<pid>/cgroup) and the VM's used memory (MemTotal - MemAvailable), at rest or after load.
import { guestShell } from "../lab";
import { type MemInfo, PROC_DUMP_SCRIPT, type UnitMemory, memoryByUnit, parseProcDump } from "./guest-proc";

export interface MemorySnapshot {
  readonly label: string;
  readonly meminfo: MemInfo;
  /** Sum of PSS over every process (what the processes really hold; the rest of "used" is kernel, tmpfs, page tables). */
  readonly totalPssMb: number;
  readonly units: readonly UnitMemory[];
}

export function snapshotFromDump(label: string, dump: string): MemorySnapshot {
  const d = parseProcDump(dump);
  const units = memoryByUnit(d.processes);
  return { label, meminfo: d.meminfo, totalPssMb: Math.round(units.reduce((s, u) => s + u.pssMb, 0) * 10) / 10, units };
}

export async function memorySnapshot(label: string): Promise<MemorySnapshot> {
  return snapshotFromDump(label, await guestShell(PROC_DUMP_SCRIPT, { timeoutMs: 60_000 }));
}
