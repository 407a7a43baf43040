// What the guest was doing while a verify group ran, told when one of its checks fails. A timing
// check that fails in CI leaves only its own line behind (the VM and its journal are gone with
// the run): so around every group the lab samples the guest's CPU per unit, and when a check
// failed it names the busiest units in the failure's detail and keeps the guest's journal of
// the group's window beside the lab's other files (CI's lab of 2026-12-04: IMAP guesses took
// 20 s each and an SMTP AUTH answer came after Postfix's 10 s, with nothing to say why).
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { CheckResult } from "../verify/contract";
import { labDir } from "./paths";
import { guestShell } from "./vm/guest-agent";
import { CGROUP_CPU_SCRIPT, type UnitCpu, cpuDelta, parseCgroupCpu } from "./vm/guest-cpu";

/** The guest's CPU counters and load at one moment; undefined when the agent does not answer. */
export interface GuestSample {
  readonly at: number;
  readonly cpu: ReadonlyMap<string, number>;
  readonly load: string;
}

const SAMPLE_SCRIPT = `cat /proc/loadavg; ${CGROUP_CPU_SCRIPT}`;

export async function sampleGuest(): Promise<GuestSample | undefined> {
  try {
    const text = await guestShell(SAMPLE_SCRIPT, { timeoutMs: 30_000 });
    const [load = "", ...rest] = text.split("\n");
    return { at: Date.now(), cpu: parseCgroupCpu(rest.join("\n")), load: load.split(" ").slice(0, 3).join(" ") };
  } catch {
    return undefined;
  }
}

/** "guest during the group's 412 s: load 3.10 2.80 1.90; CPU s: rspamd 120.5, dovecot 40.2, ..." */
export function guestActivityLine(before: GuestSample, after: GuestSample, top = 5): string {
  const seconds = Math.round((after.at - before.at) / 1000);
  const rows: UnitCpu[] = cpuDelta(before.cpu, after.cpu);
  const total = rows.reduce((s, r) => s + r.cpuSeconds, 0);
  const busiest = rows.slice(0, top).map((r) => `${r.unit.replace(/\.service$/, "")} ${r.cpuSeconds.toFixed(1)}`);
  return `guest during the group's ${seconds} s: load ${after.load}; CPU s (all units ${total.toFixed(1)}): ${busiest.join(", ") || "none"}`;
}

/** The failed results with the guest's account appended; the others as they were. */
export function withGuestActivity(results: readonly CheckResult[], line: string, journal: string | undefined): CheckResult[] {
  const note = ` [${line}${journal ? `; guest journal of the window: ${journal}` : ""}]`;
  return results.map((r) => (r.status === "fail" ? { ...r, detail: `${r.detail}${note}` } : r));
}

/** The guest's journal between two moments, kept under the lab dir (the last 4 MB of it). */
export async function keepGuestJournal(name: string, fromMs: number, toMs: number): Promise<string | undefined> {
  try {
    const since = Math.floor(fromMs / 1000);
    const until = Math.ceil(toMs / 1000) + 1;
    const text = await guestShell(`journalctl --no-pager -o short-iso-precise --since @${since} --until @${until} | tail -c 4000000`, { timeoutMs: 120_000 });
    const dir = join(labDir(), "diagnostics");
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `${name}.journal`);
    writeFileSync(file, text);
    return file;
  } catch {
    return undefined;
  }
}
