// A bench report's headline figures as one flat list: each with a stable id (to find it again in
// an earlier report), its unit, which way is better and, where the project has one, its target.
// Computed from the report's stored figures (throughput) and measurements (the rest) by this one
// function, for the report's own comparison table and for docs/performance.md alike.
import type { BenchReport } from "./report";
import type { FleetScaleRow } from "./fleet-scale";
import type { ThroughputFigures } from "./throughput-figures";

export interface Headline {
  readonly id: string;
  readonly label: string;
  readonly value: number;
  readonly unit: string;
  readonly better: "higher" | "lower";
  /** Met when value >= target (higher is better) or value <= target (lower is better). */
  readonly target?: number;
}

/** Targets this repository holds itself to (issue 17); the throughput ratio targets apply to a native bench, not to the VM's. */
export const GOALS = { bootSeconds: 200, synthCommandSeconds: 1.5, fleetPlanSeconds: { customers: 50, workers: 2, seconds: 60 }, banSeconds: 10, memoryAfterLoadMb: 650 } as const;

/** The throughput ratio targets, measured natively (the Debian 13 root on the build machine's CPU, no VM). */
export const NATIVE_RATIO_TARGETS = { bOverA: 0.4, cOverAprime: 0.3 } as const;

export function targetMet(h: Headline): boolean | undefined {
  if (h.target === undefined) return undefined;
  return h.better === "higher" ? h.value >= h.target : h.value <= h.target;
}

const TARGET_NAME = { bare: "(a) bare Postfix", inbound: "(b) inbound path", "bare-auth-client": "(a') bare Postfix, nodemailer", submission: "(c) submission" } as const;

export function fleetHeadline(rows: readonly FleetScaleRow[]): Headline[] {
  const g = GOALS.fleetPlanSeconds;
  return rows.flatMap((r) => {
    const id = `fleet.${r.customers}x${r.parallel}`;
    const what = `fleet plan, ${r.customers} customer${r.customers === 1 ? "" : "s"}, ${r.parallel} worker${r.parallel === 1 ? "" : "s"}`;
    return [
      { id: `${id}.wall`, label: `${what}: wall`, value: r.wallS, unit: "s", better: "lower" as const, ...(r.customers === g.customers && r.parallel === g.workers ? { target: g.seconds } : {}) },
      { id: `${id}.peak-rss`, label: `${what}: peak RSS, plan + workers`, value: r.peakTotalMb, unit: "MiB", better: "lower" as const },
    ];
  });
}

/** Per-target medians and the ratios of one throughput run, ids under `prefix`; targets only where given. */
function throughputHeadline(t: ThroughputFigures, prefix: string, where: string, targets?: { bOverA: number; cOverAprime: number }): Headline[] {
  const out: Headline[] = [];
  for (const [target, f] of Object.entries(t.perTarget)) {
    const name = TARGET_NAME[target as keyof typeof TARGET_NAME];
    if (f?.endToEnd) out.push({ id: `${prefix}.${target}.e2e`, label: `${name}: end to end (${where})`, value: f.endToEnd.median, unit: "msg/s", better: "higher" });
  }
  const ratio = (id: string, label: string, v: number | undefined, target?: number) =>
    v !== undefined && out.push({ id: `${prefix}.${id}`, label: `${label} (${where})`, value: v, unit: "", better: "higher", ...(target === undefined ? {} : { target }) });
  ratio("b-over-a", "b/a end to end", t.ratios.bOverA, targets?.bOverA);
  ratio("c-over-a-prime", "c/a' end to end", t.ratios.cOverAprime, targets?.cOverAprime);
  ratio("b-over-a.accepted", "b/a on acceptance", t.ratios.bOverAAccepted);
  ratio("c-over-a-prime.accepted", "c/a' on acceptance", t.ratios.cOverAprimeAccepted);
  return out;
}

export function headlineFigures(r: BenchReport): Headline[] {
  const out: Headline[] = [];
  const t = r.figures?.throughput;
  if (t !== undefined) out.push(...throughputHeadline(t, "throughput", "VM"));
  const n = r.figures?.nativeThroughput;
  if (n !== undefined) out.push(...throughputHeadline(n, "native", "native", NATIVE_RATIO_TARGETS));
  const m = r.memory?.data;
  if (m?.atRest) out.push({ id: "memory.at-rest", label: "VM memory used at rest", value: m.atRest.meminfo.usedMb, unit: "MiB", better: "lower", target: m.targetMb });
  if (m?.afterLoad) out.push({ id: "memory.after-load", label: "VM memory used right after load", value: m.afterLoad.meminfo.usedMb, unit: "MiB", better: "lower", target: GOALS.memoryAfterLoadMb });
  for (const c of r.banReaction?.data.checks ?? []) {
    if (c.seconds !== undefined) out.push({ id: `ban.${c.proto}`, label: `fail2ban: ${c.label} guesser banned after its last failure`, value: c.seconds, unit: "s", better: "lower", target: GOALS.banSeconds });
  }
  (r.boot?.data ?? []).forEach((b, i) => out.push({ id: `boot.${i + 1}`, label: `boot ${i + 1} to ready (host wall clock)`, value: Math.round(b.hostSecondsToReady), unit: "s", better: "lower", target: GOALS.bootSeconds }));
  for (const row of r.synth?.data.rows ?? []) {
    const id = `synth.${row.domains}-domains`;
    out.push({ id: `${id}.wall`, label: `synth, ${row.domains} domain(s): median wall`, value: row.wallSeconds.median, unit: "s", better: "lower" });
    out.push({ id: `${id}.peak-rss`, label: `synth, ${row.domains} domain(s): peak RSS`, value: row.peakChildMb, unit: "MiB", better: "lower" });
    out.push({ id: `${id}.user-data`, label: `synth, ${row.domains} domain(s): user data (gzip)`, value: row.userDataGzipBytes, unit: "bytes", better: "lower" });
    if (row.dependencyLinks !== undefined) out.push({ id: `${id}.dependency-links`, label: `synth, ${row.domains} domain(s): dependency links`, value: row.dependencyLinks, unit: "", better: "lower" });
  }
  const c = r.synthCommand?.data;
  if (c !== undefined) {
    out.push({ id: "synth-command.wall", label: `\`${c.command}\`: median wall of ${c.runs}`, value: c.wallSeconds.median, unit: "s", better: "lower", target: GOALS.synthCommandSeconds });
    out.push({ id: "synth-command.cpu", label: `\`${c.command}\`: median CPU`, value: c.cpuSeconds.median, unit: "s", better: "lower" });
  }
  if (r.fleet !== undefined) out.push(...fleetHeadline(r.fleet.data.rows));
  return out;
}
