// The bench report: one JSON document (everything measured, and the figures computed from it
// once, by finalizeReport) and its Markdown rendering (bench/results/<date>.md), which only
// prints those figures. Sub-benchmarks not run this time keep their section from an earlier run
// of the same day, marked with when they ran.
import type { Accelerator } from "../lab";
import type { BootReport } from "./boot";
import { COMPARISON_HEAD, type Comparison, type FigureSet, compareFigures, comparisonRows } from "./compare";
import type { FleetScaleResult } from "./fleet-scale";
import type { BanReactionResult } from "./ban-reaction";
import { GOALS, type Headline, headlineFigures } from "./headline";
import type { MemorySnapshot } from "./memory";
import { type VmRatios, nativeThroughputMd, vmRatiosBeside } from "./native-report";
import { DEFERRAL_GAP_SECONDS, hadDeferral } from "./round-figures";
import { STARTUP_COMMANDS, type SynthCommandResult } from "./synth-command";
import type { SynthScaleResult } from "./synth-scale";
import { TARGETS, type Target } from "./targets";
import type { NativeThroughputResult } from "./native/throughput";
import type { ThroughputResult } from "./throughput";
import { type ThroughputFigures, throughputFigures } from "./throughput-figures";

export interface Section<T> {
  /** ISO time the section was measured. */
  readonly at: string;
  readonly data: T;
}

export interface MemoryResult {
  readonly atRest?: MemorySnapshot;
  readonly afterLoad?: MemorySnapshot;
  readonly targetMb: number;
  readonly clamav: { readonly measured: boolean; readonly note: string };
  /** The webmail's resident cost (PHP-FPM's PSS) at rest and with one signed-in browser session. */
  readonly webmail?: { readonly atRestMb: number; readonly withSessionMb: number; readonly session: string };
}

export interface Machine {
  readonly cpus: number;
  readonly node: string;
  readonly load1: number;
  /** The lab VM as it ran (or "no VM" when only the offline benchmarks ran). */
  readonly vm: string;
  /** KVM or TCG, and why (set when a VM benchmark booted the lab). */
  readonly accelerator?: Accelerator;
}

/** Computed from the measurements by finalizeReport, once; everything printed reads these. */
export interface ReportFigures {
  readonly throughput?: ThroughputFigures;
  /** The same figures from the native run (Debian 13 root in namespaces, no VM). */
  readonly nativeThroughput?: ThroughputFigures;
  readonly headline: readonly Headline[];
  /** Each headline figure against the newest earlier results file that has it. */
  readonly comparison: readonly Comparison[];
  /** The VM ratios printed beside the native ones: this report's, else the newest earlier file's. */
  readonly vmBesideNative?: VmRatios;
}

export interface BenchReport {
  readonly date: string;
  readonly command: string;
  readonly machine: Machine;
  readonly notes: readonly string[];
  readonly throughput?: Section<ThroughputResult>;
  /** The throughput targets measured natively (bench/native), with where they ran. */
  readonly nativeThroughput?: Section<NativeThroughputResult>;
  readonly memory?: Section<MemoryResult>;
  /** fail2ban's reaction to password guessing (verify's brute-force checks against the bench VM). */
  readonly banReaction?: Section<BanReactionResult>;
  readonly boot?: Section<readonly BootReport[]>;
  readonly synth?: Section<SynthScaleResult>;
  readonly synthCommand?: Section<SynthCommandResult>;
  readonly fleet?: Section<FleetScaleResult>;
  readonly figures?: ReportFigures;
}

export type FinalReport = BenchReport & { readonly figures: ReportFigures };

/** The new report, with sections this run did not measure taken from `previous` (same day). */
export function mergeReports(current: BenchReport, previous: BenchReport | undefined): BenchReport {
  if (!previous) return current;
  // The sections kept from the earlier run were measured on its VM: keep saying which VM and
  // accelerator that was when this run booted none (an offline-only run says "no VM").
  const machine = current.machine.accelerator === undefined && previous.machine.accelerator !== undefined
    ? { ...current.machine, vm: previous.machine.vm, accelerator: previous.machine.accelerator }
    : current.machine;
  return {
    ...current,
    machine,
    throughput: current.throughput ?? previous.throughput,
    nativeThroughput: current.nativeThroughput ?? previous.nativeThroughput,
    memory: current.memory ?? previous.memory,
    banReaction: current.banReaction ?? previous.banReaction,
    boot: current.boot ?? previous.boot,
    synth: current.synth ?? previous.synth,
    synthCommand: current.synthCommand ?? previous.synthCommand,
    fleet: current.fleet ?? previous.fleet,
  };
}

/**
 * The report with its figures computed from its measurements (one computation for the JSON, the
 * Markdown and docs/performance.md), compared with `earlier` figure sets. Figures a report
 * stored before are recomputed, and derived fields older reports kept in their throughput data
 * (perTarget, ratios) are dropped, so a file never holds two answers to one question.
 */
export function finalizeReport(r: BenchReport, earlier: readonly FigureSet[]): FinalReport {
  const throughput = r.throughput === undefined ? undefined : { ...r.throughput, data: withoutDerived(r.throughput.data) };
  const base: BenchReport = { ...r, ...(throughput === undefined ? {} : { throughput }) };
  const figures = {
    ...(throughput === undefined ? {} : { throughput: throughputFigures(throughput.data.rounds) }),
    ...(r.nativeThroughput === undefined ? {} : { nativeThroughput: throughputFigures(r.nativeThroughput.data.rounds) }),
  };
  const headline = headlineFigures({ ...base, figures: { ...figures, headline: [], comparison: [] } });
  const mine = new Set(headline.map((h) => h.id));
  const comparison = compareFigures([{ file: `${r.date}.json`, date: r.date, figures: headline }, ...earlier.filter((e) => e.date < r.date)])
    .filter((c) => c.date === r.date && mine.has(c.figure.id));
  const vm = r.nativeThroughput === undefined ? undefined : vmRatiosBeside(r.date, headline, earlier);
  return { ...base, figures: { ...figures, headline, comparison, ...(vm === undefined ? {} : { vmBesideNative: vm }) } };
}

function withoutDerived(data: ThroughputResult): ThroughputResult {
  const raw: ThroughputResult & { perTarget?: unknown; ratios?: unknown } = { ...data };
  delete raw.perTarget;
  delete raw.ratios;
  return raw;
}

function table(head: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  const line = (cells: readonly (string | number)[]) => `| ${cells.map((c) => String(c).replace(/\|/g, "\\|")).join(" | ")} |`;
  return [line(head), line(head.map(() => "---")), ...rows.map(line)].join("\n");
}

const fmt = (n: number | undefined, digits = 2) => (n === undefined ? "-" : n.toFixed(digits));

function throughputMd(s: Section<ThroughputResult>, f: ThroughputFigures): string[] {
  const t = s.data;
  const targets = (Object.keys(TARGETS) as Target[]).filter((k) => f.perTarget[k] !== undefined);
  const e2e = (k: Target) => f.perTarget[k]?.endToEnd?.median;
  const acc = (k: Target) => f.perTarget[k]?.accepted?.median;
  const roundCell = (k: Target) =>
    t.rounds
      .filter((r) => r.target === k)
      .map((r) => (r.error !== undefined ? "error" : hadDeferral(r) ? `(${r.messagesPerSecond.toFixed(1)} deferred)` : r.messagesPerSecond.toFixed(1)))
      .join(", ");
  const out = [
    `## Throughput (measured ${s.at})`,
    "",
    `${t.settings.messages} messages per round (${t.settings.bareMessages ?? t.settings.messages} against the bare Postfix), ${t.settings.sessions} parallel sessions, ${t.settings.bodyBytes}-byte body; interleaved rounds in one VM boot. ` +
      "End to end: a round ends when the guest's queue is empty again (delivered or discarded). " +
      `A round whose queue emptied more than ${DEFERRAL_GAP_SECONDS} s after the client finished had a deferred delivery (retried only after Postfix's 300 s backoff): it is shown in parentheses and left out of the end-to-end median; the client-side acceptance rate counts it. Bare Postfix: ` +
      `${t.settings.bareSetup}.`,
    "",
    table(
      ["target", "client", "end-to-end rounds (msg/s)", "median end to end", "median accepted (client side)"],
      targets.map((k) => [TARGETS[k].label, TARGETS[k].client, roundCell(k), fmt(e2e(k)), fmt(acc(k))]),
    ),
    "",
    `**b/a = ${fmt(f.ratios.bOverA, 3)}** end to end, ${fmt(f.ratios.bOverAAccepted, 3)} on acceptance; ` +
      `**c/a' = ${fmt(f.ratios.cOverAprime, 3)}** end to end, ${fmt(f.ratios.cOverAprimeAccepted, 3)} on acceptance ` +
      "(the targets, b/a >= 0.4 and c/a' >= 0.3, apply to a native measurement: TCG emulates Rspamd's SIMD worst).",
    "",
  ];
  const failed = t.rounds.filter((r) => r.error !== undefined);
  if (failed.length > 0) out.push(`Rounds with errors (left out of the medians): ${failed.map((r) => `${r.target} #${r.round}: ${r.error ?? ""}`).join("; ")}`, "");
  out.push("CPU seconds per guest unit, summed over the rounds of each target (cgroup cpu.stat):", "");
  for (const k of targets) {
    const rows = (t.cpuByTarget[k] ?? []).slice(0, 8);
    out.push(`- ${TARGETS[k].label}: ${rows.map((c) => `${c.unit} ${c.cpuSeconds} s (${Math.round(c.share * 100)}%)`).join(", ")}`);
  }
  out.push("");
  if (t.processCpuByTarget) {
    out.push("CPU seconds per long-lived process (unit: command; /proc/<pid>/stat, short-lived processes not included), summed over the rounds:", "");
    for (const k of targets) out.push(`- ${TARGETS[k].label}: ${(t.processCpuByTarget[k] ?? []).slice(0, 8).map((c) => `${c.name} ${c.cpuSeconds} s`).join(", ")}`);
    out.push("");
  }
  if (t.deferrals) out.push(`Deferred deliveries in the main Postfix during the bench: ${t.deferrals.count}${t.deferrals.sample.length ? ` (${t.deferrals.sample.map((x) => `\`${x}\``).join("; ")})` : ""}.`, "");
  return out;
}

function memoryMd(s: Section<MemoryResult>): string[] {
  const m = s.data;
  const out = [`## Memory (measured ${s.at})`, ""];
  const snaps = [m.atRest, m.afterLoad].filter((x): x is MemorySnapshot => x !== undefined);
  // At rest against the at-rest target; right after the load against issue 17's 650 MiB.
  const targetOf = (x: MemorySnapshot) => (x === m.afterLoad ? GOALS.memoryAfterLoadMb : m.targetMb);
  out.push(table(["when", "VM used MiB (total - available)", "total MiB", "sum of PSS MiB", "target"], snaps.map((x) => [x.label, fmt(x.meminfo.usedMb, 0), fmt(x.meminfo.totalMb, 0), fmt(x.totalPssMb, 0), `<= ${targetOf(x)} MiB: ${x.meminfo.usedMb <= targetOf(x) ? "met" : "NOT met"}`])), "");
  const units = new Set(snaps.flatMap((x) => x.units.filter((u) => u.pssMb >= 1).map((u) => u.unit)));
  const cell = (x: MemorySnapshot | undefined, unit: string) => {
    const u = x?.units.find((v) => v.unit === unit);
    return u ? `${u.rssMb.toFixed(1)} / ${u.pssMb.toFixed(1)} (${u.processes})` : "-";
  };
  // Largest after-load PSS first (at rest when there was no load).
  const pss = (unit: string) => (m.afterLoad ?? m.atRest)?.units.find((u) => u.unit === unit)?.pssMb ?? 0;
  const order = [...units].sort((a, b) => pss(b) - pss(a) || a.localeCompare(b));
  out.push(table(["unit", "at rest RSS / PSS MiB (processes)", "after load RSS / PSS MiB (processes)"], order.map((u) => [u, cell(m.atRest, u), cell(m.afterLoad, u)])), "");
  if (m.webmail) out.push(`Webmail (PHP-FPM, on-demand pool; its PSS is part of the VM figures above): **${fmt(m.webmail.atRestMb, 1)} MiB at rest**, **${fmt(m.webmail.withSessionMb, 1)} MiB** at most with one signed-in Chromium session (${m.webmail.session}).`, "");
  out.push(`ClamAV on: ${m.clamav.measured ? "" : "not measured. "}${m.clamav.note}`, "");
  return out;
}

function bootMd(s: Section<readonly BootReport[]>): string[] {
  const out = [`## Boot to ready (measured ${s.at})`, ""];
  for (const b of s.data) {
    out.push(`### ${b.label}`, "", `Host wall clock, qemu start to MAILFORT-READY: **${b.hostSecondsToReady.toFixed(0)} s**; image ${b.imageCached ? "reused from the cache" : `built in this run (${b.imageBuildSeconds.toFixed(0)} s)`}; guest uptime at READY ${fmt(b.console.readyAt, 1)} s.`, "");
    out.push(table(["stage (console milestones)", "from s", "to s", "seconds"], b.console.stages.map((st) => [st.name, st.from.toFixed(1), st.to.toFixed(1), st.seconds.toFixed(1)])), "");
    if (b.services.length > 0) out.push(table(["service (last start)", "start at s", "active at s", "seconds"], b.services.map((x) => [x.unit, x.startAt.toFixed(1), x.activeAt.toFixed(1), x.seconds.toFixed(1)])), "");
    if (b.systemdAnalyze) out.push("```", b.systemdAnalyze, ...(b.blame.length ? ["", "systemd-analyze blame (top):", ...b.blame] : []), "```", "");
  }
  return out;
}

function synthMd(s: Section<SynthScaleResult>): string[] {
  const r = s.data;
  const base = r.rows[0];
  return [
    `## Synth scaling (measured ${s.at})`,
    "",
    `Offline synth (Pulumi mocks, child process) of generated stacks; ${r.cpus} CPUs, load ${r.loadBefore} before. Peak memory: the synth child's RSS sampled every 50 ms.`,
    "",
    table(
      ["domains", "resources", "records", "dependency links", "wall s (rounds)", "median wall s", "x vs 1 domain", "peak child RSS MiB", "user data gzip bytes (limit 16384)"],
      r.rows.map((x) => [x.domains, x.resources, x.records, x.dependencyLinks ?? "-", x.wallSeconds.rounds.map((v) => v.toFixed(1)).join(", "), x.wallSeconds.median.toFixed(2), base ? (x.wallSeconds.median / base.wallSeconds.median).toFixed(2) : "-", x.peakChildMb.toFixed(0), x.userDataGzipBytes]),
    ),
    "",
  ];
}

function synthCommandMd(s: Section<SynthCommandResult>): string[] {
  const c = s.data;
  return [
    `## The synth command (measured ${s.at})`,
    "",
    `\`${c.command}\`, the whole command (npm, node, loading, synth, artifacts), ${c.runs} runs after one warm-up, load ${c.loadBefore} before: ` +
      `**median ${c.wallSeconds.median.toFixed(2)} s wall** (${c.wallSeconds.rounds.map((v) => v.toFixed(2)).join(", ")}), median ${c.cpuSeconds.median.toFixed(2)} s CPU, peak RSS ${c.peakRssMb.toFixed(0)} MiB.`,
    "",
    ...synthStartupMd(c),
  ];
}

/** Where the command's wall time goes before the synth runs, and, over the target, what is left to cut. */
export function synthStartupMd(c: SynthCommandResult): string[] {
  if (c.startup === undefined) return [];
  const { npmRunSeconds: npm, nodeSeconds: node } = c.startup;
  // `npm run synth` is npm (itself a node process) starting a script, then the synth's own node process.
  const synthProcess = Math.max(0, c.wallSeconds.median - npm);
  const line = `Timed beside it (medians of ${c.runs}): \`${STARTUP_COMMANDS.npmRunSeconds}\` ${npm.toFixed(2)} s (npm starting a script) and \`${STARTUP_COMMANDS.nodeSeconds}\` ${node.toFixed(2)} s (node starting), so npm takes about ${npm.toFixed(2)} s of the command before the synth's own process starts, and that process (its node start ${node.toFixed(2)} s, loading and running the synth) about ${synthProcess.toFixed(2)} s.`;
  const goal = GOALS.synthCommandSeconds;
  if (c.wallSeconds.median <= goal) return [line, ""];
  return [
    `${line} Over the ${goal} s target by ${(c.wallSeconds.median - goal).toFixed(2)} s: beside npm's start the synth's process would have to fit in ${Math.max(0, goal - npm).toFixed(2)} s; run without npm (\`node tools/entry.cjs tools/synth.ts\`) the command takes about ${synthProcess.toFixed(2)} s. What is left in that process is loading @pulumi/pulumi, @pulumi/aws, gRPC and protobuf, GC and the program itself (docs/performance.md, "The synth command from a bundle").`,
    "",
  ];
}

function fleetMd(s: Section<FleetScaleResult>): string[] {
  return [
    `## Fleet plan (measured ${s.at})`,
    "",
    "Offline plan of generated customers (real synth in a pool of synth workers, policy pack per stack).",
    "",
    table(["customers", "workers", "wall s", "s per stack", "peak RSS, plan + workers MiB", "peak worker MiB", "planned", "load before"],
      s.data.rows.map((x) => [x.customers, x.parallel, x.wallS.toFixed(1), x.perStackS.toFixed(2), x.peakTotalMb.toFixed(0), x.peakWorkerMb.toFixed(0), `${x.planned}/${x.stacks}`, x.loadBefore])),
    "",
  ];
}

function comparisonMd(f: ReportFigures): string[] {
  if (f.comparison.length === 0) return [];
  if (f.comparison.every((c) => c.verdict === "new")) return ["No earlier file in bench/results has these figures: nothing to compare with yet.", ""];
  return [
    "## Compared with earlier results",
    "",
    "Each figure of this report against the newest earlier file in bench/results that has it (within +-3 %: the same, on this shared machine).",
    "",
    table(COMPARISON_HEAD, comparisonRows(f.comparison)),
    "",
  ];
}

function banReactionMd(s: Section<BanReactionResult>): string[] {
  const out = [
    `## fail2ban's reaction (measured ${s.at})`, "",
    `verify's brute-force checks from the lab's attacker namespace against the bench VM: wrong passwords until the jail has seen maxRetry (${s.data.maxRetry}) failures, then how long until the port stops answering that client, counted from the last failed login. Target: <= ${GOALS.banSeconds} s. The bench's raised AUTH rate limit keeps Postfix's anvil out of it: the jail alone is measured.`, "",
    "| guessing on | check | banned after the last failure | detail |",
    "| --- | --- | --- | --- |",
  ];
  for (const c of s.data.checks) out.push(`| ${c.label} | ${c.id}: ${c.status} | ${c.seconds === undefined ? "-" : `${c.seconds} s`} | ${c.detail.replace(/\|/g, "\\|").slice(0, 300)} |`);
  out.push("");
  return out;
}

export function renderMarkdown(r: FinalReport): string {
  const emulated = r.machine.accelerator?.kind !== "kvm";
  const out = [
    `# mailfort benchmarks, ${r.date}`,
    "",
    `Command: \`${r.command}\`. Machine: ${r.machine.cpus} CPUs (shared), node ${r.machine.node}, load ${r.machine.load1}; lab VM: ${r.machine.vm}.` +
      (r.machine.accelerator === undefined ? "" : ` Accelerator: ${r.machine.accelerator.detail}.`),
    `Figures are medians of interleaved rounds and ratios measured side by side in one run${emulated ? "; absolute numbers from a TCG-emulated VM on a shared machine are far below real hardware" : ""}.`,
    "",
    ...r.notes.map((n) => `- ${n}`),
    "",
    ...comparisonMd(r.figures),
  ];
  if (r.nativeThroughput && r.figures.nativeThroughput) {
    const n = r.nativeThroughput;
    out.push(...nativeThroughputMd(n.at, n.data, r.figures.nativeThroughput, r.figures.vmBesideNative));
  }
  if (r.throughput && r.figures.throughput) out.push(...throughputMd(r.throughput, r.figures.throughput));
  if (r.memory) out.push(...memoryMd(r.memory));
  if (r.banReaction) out.push(...banReactionMd(r.banReaction));
  if (r.boot) out.push(...bootMd(r.boot));
  if (r.synth) out.push(...synthMd(r.synth));
  if (r.synthCommand) out.push(...synthCommandMd(r.synthCommand));
  if (r.fleet) out.push(...fleetMd(r.fleet));
  return `${out.join("\n").replace(/\n{3,}/g, "\n\n").trim()}\n`;
}
