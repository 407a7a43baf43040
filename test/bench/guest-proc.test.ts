// Captured from the lab VM through the guest agent (bench/guest-proc.ts scripts), so the parsers
// are checked against what the guest kernel really prints.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cpuDelta, memoryByUnit, parseCgroupCpu, parseMemInfo, parseProcCpu, parseProcDump, processCpuDelta, unitOfCgroup } from "../../bench/guest-proc";
import { snapshotFromDump } from "../../bench/memory";

const fixture = (f: string) => readFileSync(join(__dirname, "fixtures", f), "utf8");

describe("cgroup -> systemd unit", () => {
  it("names the innermost service or scope of a cgroup v2 path", () => {
    expect(unitOfCgroup("0::/system.slice/postfix.service\n")).toBe("postfix.service");
    expect(unitOfCgroup("0::/system.slice/systemd-udevd.service/udev\n")).toBe("systemd-udevd.service");
    expect(unitOfCgroup("0::/system.slice/system-getty.slice/getty@tty1.service")).toBe("getty@tty1.service");
    expect(unitOfCgroup("0::/system.slice/mailfort-bench-bare.scope")).toBe("mailfort-bench-bare.scope");
    expect(unitOfCgroup("0::/init.scope")).toBe("init.scope");
    expect(unitOfCgroup("0::/")).toBe("(root)");
  });
});

describe("a captured process dump of the lab VM at rest", () => {
  const dump = parseProcDump(fixture("proc-dump.txt"));

  it("keeps user processes and drops kernel threads (no smaps_rollup figures)", () => {
    expect(dump.processes).toHaveLength(50);
    expect(dump.processes.some((p) => p.comm.startsWith("kworker"))).toBe(false);
    const rspamd = dump.processes.filter((p) => p.unit === "rspamd.service");
    expect(rspamd.map((p) => p.pid)).toEqual([5179, 5181, 5182, 5183, 5184]);
    expect(rspamd[0]).toMatchObject({ comm: "rspamd", rssKb: 136020, pssKb: 67227 });
  });

  it("reads used memory as MemTotal - MemAvailable", () => {
    expect(dump.meminfo).toEqual({ totalMb: 1971.6, availableMb: 1586.1, usedMb: 385.5 });
    expect(() => parseMemInfo("MemTotal: 1 kB\n")).toThrow(/MemAvailable/);
  });

  it("sums per unit, largest PSS first, with PSS never above RSS", () => {
    const units = memoryByUnit(dump.processes);
    expect(units[0]).toEqual({ unit: "rspamd.service", processes: 5, rssMb: 427.4, pssMb: 129.9 });
    expect(units.find((u) => u.unit === "postfix.service")).toMatchObject({ processes: 18, pssMb: 31.4 });
    expect(units.find((u) => u.unit === "systemd-udevd.service")?.processes).toBe(1);
    for (let i = 1; i < units.length; i++) expect((units[i - 1]?.pssMb ?? 0) >= (units[i]?.pssMb ?? 0)).toBe(true);
    for (const u of units) expect(u.pssMb).toBeLessThanOrEqual(u.rssMb);
  });

  it("makes a memory snapshot whose PSS total is the sum of the units", () => {
    const s = snapshotFromDump("at rest", fixture("proc-dump.txt"));
    expect(s.meminfo.usedMb).toBe(385.5);
    expect(s.totalPssMb).toBeCloseTo(s.units.reduce((a, u) => a + u.pssMb, 0), 1);
    expect(s.totalPssMb).toBeLessThan(s.meminfo.usedMb);
  });

  it("refuses a dump without its meminfo section", () => {
    expect(() => parseProcDump("=== 1 systemd\n0::/init.scope\nRss: 10 kB\nPss: 5 kB\n")).toThrow(/meminfo/);
  });
});

describe("CPU per unit from two cgroup samples", () => {
  const before = parseCgroupCpu(fixture("cgroup-cpu-before.txt"));
  const after = parseCgroupCpu(fixture("cgroup-cpu-after.txt"));

  it("parses every unit of system.slice", () => {
    expect(before.size).toBe(19);
    expect(before.get("postfix.service")).toBe(33588595);
    expect(before.get("system-serial\\x2dgetty.slice")).toBeGreaterThan(0);
  });

  it("attributes the interval's CPU (here: the guest agent dumping /proc between the samples)", () => {
    const d = cpuDelta(before, after);
    expect(d[0]).toEqual({ unit: "qemu-guest-agent.service", cpuSeconds: 13.1, share: 0.848 });
    expect(d.find((x) => x.unit === "postfix.service")?.cpuSeconds).toBe(0.03);
    expect(d.some((x) => x.unit === "dovecot.service" && x.cpuSeconds === 0)).toBe(false);
    expect(d.reduce((s, x) => s + x.share, 0)).toBeCloseTo(1, 2);
  });
});

describe("CPU per process from two /proc/<pid>/stat samples (captured with PROC_CPU_SCRIPT on the build host)", () => {
  const before = parseProcCpu(fixture("proc-cpu-before.txt"));
  const after = parseProcCpu(fixture("proc-cpu-after.txt"));

  it("reads utime + stime of every process, kernel threads included", () => {
    expect(before).toHaveLength(97);
    expect(before.find((p) => p.pid === 8042)).toEqual({ pid: 8042, comm: "qemu-system-x86", unit: "(root)", ticks: 16590 + 679 });
    expect(before.find((p) => p.pid === 10)?.comm).toBe("kworker/0:0H-events_highpri");
  });

  it("sums the interval per unit and command, largest first", () => {
    const d = processCpuDelta(before, after);
    expect(d[0]).toEqual({ name: "(root): node", cpuSeconds: 1.85 });
    expect(d[1]).toEqual({ name: "(root): qemu-system-x86", cpuSeconds: 1.17 });
    expect(d.some((x) => x.cpuSeconds <= 0)).toBe(false);
  });

  it("takes the unit from a cgroup v2 line and keeps a command with spaces and parentheses whole", () => {
    const line = "0::/system.slice/dovecot.service 4242 (lmtp (x) y) S 1 2 3 4 -1 0 0 0 0 0 150 50 0 0 20 0 1 0 99 0 0";
    expect(parseProcCpu(line)).toEqual([{ pid: 4242, comm: "lmtp (x) y", unit: "dovecot.service", ticks: 200 }]);
    expect(processCpuDelta([], parseProcCpu(line))).toEqual([{ name: "dovecot.service: lmtp (x) y", cpuSeconds: 2 }]);
  });
});
