// The figures of docs/performance.md, from the benchmark results in bench/results/ (<date>.json
// from `npm run bench`, fleet-<date>.json from `npm run bench:fleet`): every headline figure at
// its newest measurement beside the one before (bench/compare.ts, the bench report's own
// comparison), then each section from the newest report that measured it. The figures are the
// report's own (finalizeReport), never recomputed here.
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { COMPARISON_HEAD, compareFigures, comparisonRows } from "../../bench/compare";
import type { FleetScaleRow } from "../../bench/fleet-scale";
import { NATIVE_RATIO_TARGETS } from "../../bench/headline";
import { figureHistory, latestWith } from "../../bench/history";
import type { FinalReport } from "../../bench/report";
import { TARGETS, type Target } from "../../bench/targets";
import { table } from "./blocks";

const USER_DATA_LIMIT = 16_384;
const fmt = (n: number | undefined, digits = 1) => (n === undefined ? "-" : n.toFixed(digits));
const when = (iso: string) => `${iso.slice(0, 16).replace("T", " ")} UTC`;
const link = (file: string) => `[${file}](../bench/results/${file})`;
/** The order the headline table reads in. */
const GROUPS = ["synth-command", "fleet", "native", "throughput", "memory", "boot"];
const group = (id: string) => GROUPS.findIndex((g) => id.startsWith(g));

function throughput(file: string, r: FinalReport): string[] {
  const t = r.throughput?.data;
  const f = r.figures.throughput;
  if (t === undefined || f === undefined) return [];
  const targets = (Object.keys(TARGETS) as Target[]).filter((k) => f.perTarget[k] !== undefined);
  return [
    `### Throughput (${link(file)}, measured ${when(r.throughput?.at ?? "")}, ${r.machine.vm})`, "",
    table(["path", "client", "median msg/s end to end", "median msg/s accepted (client side)"],
      targets.map((k) => [TARGETS[k].label, TARGETS[k].client, fmt(f.perTarget[k]?.endToEnd?.median), fmt(f.perTarget[k]?.accepted?.median)])), "",
    `**b/a = ${fmt(f.ratios.bOverA, 3)}**, **c/a' = ${fmt(f.ratios.cOverAprime, 3)}** end to end in the VM (the >= 0.4 and >= 0.3 targets apply to a native measurement); ` +
      `${t.settings.messages} messages a round (${t.settings.bareMessages ?? t.settings.messages} to the bare Postfix), ${t.settings.sessions} sessions, medians of interleaved rounds; deferred rounds are left out of end to end.`, "",
  ];
}

function nativeThroughput(file: string, r: FinalReport): string[] {
  const n = r.nativeThroughput;
  const f = r.figures.nativeThroughput;
  if (n === undefined || f === undefined) return [];
  const targets = (Object.keys(TARGETS) as Target[]).filter((k) => f.perTarget[k] !== undefined);
  const vm = r.figures.vmBesideNative;
  const goal = (v: number | undefined, target: number) => (v === undefined ? "-" : `${fmt(v, 3)} (target >= ${target}: ${v >= target ? "met" : "**not met**"})`);
  return [
    `### Throughput, native (${link(file)}, measured ${when(n.at)}: the Debian 13 root in network namespaces on the build machine, no VM)`, "",
    table(["path", "client", "median msg/s end to end", "median msg/s accepted (client side)"],
      targets.map((k) => [TARGETS[k].label, TARGETS[k].client, fmt(f.perTarget[k]?.endToEnd?.median), fmt(f.perTarget[k]?.accepted?.median)])), "",
    table(["ratio, end to end", "native", `VM (${vm === undefined ? "not measured" : link(vm.file)})`], [
      ["b/a (inbound path / bare Postfix)", goal(f.ratios.bOverA, NATIVE_RATIO_TARGETS.bOverA), fmt(vm?.ratios.bOverA, 3)],
      ["c/a' (submission / bare Postfix, same client)", goal(f.ratios.cOverAprime, NATIVE_RATIO_TARGETS.cOverAprime), fmt(vm?.ratios.cOverAprime, 3)],
    ]), "",
    `Where the CPU goes and why a target is missed: the report, ${link(file.replace(/\.json$/, ".md"))}.`, "",
  ];
}

function memory(file: string, r: FinalReport): string[] {
  const m = r.memory?.data;
  if (m === undefined) return [];
  const snaps = [m.atRest, m.afterLoad].filter((x) => x !== undefined);
  const top = (units: readonly { unit: string; pssMb: number }[]) => [...units].sort((a, b) => b.pssMb - a.pssMb)[0];
  return [
    `### Memory (${link(file)}, measured ${when(r.memory?.at ?? "")}; used = MemTotal - MemAvailable)`, "",
    table(["when", "VM used MiB", `target < ${m.targetMb} MiB`, "largest unit (PSS MiB)"],
      snaps.map((x) => [x.label, fmt(x.meminfo.usedMb, 0), x.meminfo.usedMb < m.targetMb ? "met" : "not met", `${top(x.units)?.unit ?? "-"} ${fmt(top(x.units)?.pssMb, 0)}`])), "",
    `ClamAV on: ${m.clamav.measured ? "measured" : "not measured"}.`, "",
  ];
}

function boot(file: string, r: FinalReport): string[] {
  const boots = r.boot?.data ?? [];
  if (boots.length === 0) return [];
  const stages = boots[0]?.console.stages.map((s) => s.name) ?? [];
  const cell = (i: number, name: string) => fmt(boots[i]?.console.stages.find((s) => s.name === name)?.seconds, 0);
  return [
    `### Boot to ready (${link(file)}, measured ${when(r.boot?.at ?? "")}, ${r.machine.vm}; seconds)`, "",
    table(["stage (serial console milestones)", ...boots.map((b) => b.label)], [
      ["host wall clock, qemu start to MAILFORT-READY", ...boots.map((b) => fmt(b.hostSecondsToReady, 0))],
      ...stages.map((name) => [name, ...boots.map((_, i) => cell(i, name))]),
    ]), "",
  ];
}

function synth(file: string, r: FinalReport): string[] {
  const rows = r.synth?.data.rows ?? [];
  if (rows.length === 0) return [];
  return [
    `### Synth scaling (${link(file)}, measured ${when(r.synth?.at ?? "")})`, "",
    table(["domains", "resources", "records", "dependency links", "median wall s", "peak RSS MiB", `user data, gzip bytes (limit ${USER_DATA_LIMIT})`],
      rows.map((x) => [String(x.domains), String(x.resources), String(x.records), x.dependencyLinks === undefined ? "-" : String(x.dependencyLinks), fmt(x.wallSeconds.median, 2), fmt(x.peakChildMb, 0), String(x.userDataGzipBytes)])), "",
  ];
}

function fleetRows(title: string, rows: readonly FleetScaleRow[]): string[] {
  return [
    title, "",
    table(["customers", "workers", "wall s", "per stack s", "peak RSS, plan + workers MiB", "peak single worker MiB", "plan process MiB"],
      rows.map((x) => [String(x.customers), String(x.parallel), fmt(x.wallS), fmt(x.perStackS, 2), fmt(x.peakTotalMb, 0), fmt(x.peakWorkerMb, 0), fmt(x.parentMb, 0)])), "",
  ];
}

export function performanceFigures(root: string): string {
  const dir = join(root, "bench", "results");
  const history = figureHistory(dir);
  if (history.length === 0) throw new Error(`no benchmark results in ${dir}`);
  // The synth scaling's many rows have their own table below.
  const headline = compareFigures(history).filter((c) => !c.figure.id.startsWith("synth.")).sort((a, b) => group(a.figure.id) - group(b.figure.id));
  const out = [
    "Every headline figure at its newest measurement (the file it comes from in the second column), against the measurement before it:", "",
    table(["figure", "now", "measured in", ...COMPARISON_HEAD.slice(2)], comparisonRows(headline).map((row, i) => [row[0] ?? "", row[1] ?? "", link(headline[i]?.file ?? ""), ...row.slice(2)])), "",
  ];
  const section = <T>(has: (r: FinalReport) => T | undefined, render: (file: string, r: FinalReport) => string[]) => {
    const found = latestWith(dir, (r) => has(r as FinalReport) !== undefined);
    return found === undefined ? [] : render(found.file, found.report);
  };
  out.push(...section((r) => r.synthCommand, (file, r) => {
    const c = r.synthCommand?.data;
    return c === undefined ? [] : [`### The synth command (${link(file)}, measured ${when(r.synthCommand?.at ?? "")})`, "",
      `\`${c.command}\`, ${c.runs} runs after a warm-up: median **${c.wallSeconds.median.toFixed(2)} s wall** (${c.wallSeconds.rounds.map((v) => v.toFixed(2)).join(", ")}), ${c.cpuSeconds.median.toFixed(2)} s CPU, peak RSS ${c.peakRssMb.toFixed(0)} MiB; load ${c.loadBefore} before.`, ""];
  }));
  const fleetReport = latestWith(dir, (r) => r.fleet !== undefined);
  const fleetFile = readdirSync(dir).filter((f) => /^fleet-\d{4}-\d{2}-\d{2}\.json$/.test(f)).sort().at(-1);
  if (fleetReport !== undefined && (fleetFile === undefined || fleetReport.report.date >= (fleetFile.slice(6, 16)))) {
    out.push(...fleetRows(`### Fleet plan (${link(fleetReport.file)}, measured ${when(fleetReport.report.fleet?.at ?? "")})`, fleetReport.report.fleet?.data.rows ?? []));
  } else if (fleetFile !== undefined) {
    const f = JSON.parse(readFileSync(join(dir, fleetFile), "utf8")) as { command: string; date: string; rows: FleetScaleRow[] };
    out.push(...fleetRows(`### Fleet plan (\`${f.command}\`, ${link(fleetFile)}, measured ${when(f.date)})`, f.rows));
  }
  out.push(...section((r) => r.nativeThroughput, nativeThroughput), ...section((r) => r.throughput, throughput), ...section((r) => r.memory, memory), ...section((r) => r.boot, boot), ...section((r) => r.synth, synth));
  return out.join("\n").trim();
}

/**
 * The README's Performance section: each figure the project holds a target for, at its newest
 * measurement (the same comparison rows as docs/performance.md), linking there for the rest.
 */
export function readmePerformance(root: string): string {
  const history = figureHistory(join(root, "bench", "results"));
  const targeted = compareFigures(history).filter((c) => c.figure.target !== undefined).sort((a, b) => group(a.figure.id) - group(b.figure.id));
  const rows = comparisonRows(targeted).map((row, i) => [row[0] ?? "", row[1] ?? "", row[2] ?? "", `[${targeted[i]?.date ?? ""}](bench/results/${(targeted[i]?.file ?? "").replace(/\.json$/, ".md")})`]);
  return [
    "The figures with a target, at their newest measurement (all figures, how they are measured and how to rerun them: [docs/performance.md](docs/performance.md)):", "",
    table(["figure", "now", "target", "measured"], rows),
  ].join("\n");
}
