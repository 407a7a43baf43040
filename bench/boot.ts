// Boot-to-ready: the serial console's milestones (bench/boot-log.ts) plus, from the guest, how long
// each mailfort service took to (re)start (systemd's monotonic timestamps, microseconds since
// boot) and systemd-analyze's own view.
import { copyFileSync, readFileSync } from "node:fs";
import { guestExec } from "../lab";
import { type BootBreakdown, parseBootLog } from "./boot-log";

/** The services mailfort-boot starts, in its order (configs/bin/mailfort-boot start_services). */
const MAILFORT_UNITS = ["nftables", "unbound", "redis-server", "rspamd", "dovecot", "postfix", "nginx", "fail2ban", "chrony", "qemu-guest-agent"] as const;

export interface ServiceTiming {
  readonly unit: string;
  /** Guest uptime when the (last) start began and when the unit became active, seconds. */
  readonly startAt: number;
  readonly activeAt: number;
  readonly seconds: number;
}

export interface BootReport {
  readonly label: string;
  /** Host wall clock from qemu start to MAILFORT-READY on the console. */
  readonly hostSecondsToReady: number;
  readonly imageCached: boolean;
  readonly imageBuildSeconds: number;
  readonly console: BootBreakdown;
  readonly services: readonly ServiceTiming[];
  readonly systemdAnalyze: string;
  readonly blame: readonly string[];
}

/** `systemctl show -p Id,InactiveExitTimestampMonotonic,ActiveEnterTimestampMonotonic u1 u2 ...` -> timings. */
function parseServiceTimings(text: string): ServiceTiming[] {
  const out: ServiceTiming[] = [];
  for (const block of text.split(/\n\s*\n/)) {
    const f = new Map(block.split("\n").map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)] as const));
    const unit = f.get("Id");
    const start = Number(f.get("InactiveExitTimestampMonotonic") ?? 0);
    const active = Number(f.get("ActiveEnterTimestampMonotonic") ?? 0);
    if (!unit || start <= 0 || active <= 0) continue; // never started
    out.push({ unit, startAt: Math.round(start / 1e4) / 100, activeAt: Math.round(active / 1e4) / 100, seconds: Math.round((active - start) / 1e4) / 100 });
  }
  return out.sort((a, b) => a.startAt - b.startAt);
}

export async function bootReport(label: string, serialLog: string, keepAs: string, host: { hostSecondsToReady: number; imageCached: boolean; imageBuildSeconds: number }): Promise<BootReport> {
  copyFileSync(serialLog, keepAs);
  const consoleBreakdown = parseBootLog(readFileSync(keepAs, "utf8"));
  const show = await guestExec(["systemctl", "show", "-p", "Id,InactiveExitTimestampMonotonic,ActiveEnterTimestampMonotonic", ...MAILFORT_UNITS.map((u) => `${u}.service`)]);
  const analyze = await guestExec(["systemd-analyze", "--no-pager"]);
  const blame = await guestExec(["systemd-analyze", "blame", "--no-pager"]);
  return {
    label,
    ...host,
    console: consoleBreakdown,
    services: parseServiceTimings(show.stdout),
    systemdAnalyze: (analyze.stdout || analyze.stderr).trim(),
    blame: blame.stdout.split("\n").map((l) => l.trim()).filter(Boolean).slice(0, 15),
  };
}
