// The figures of docs/performance.md, from the latest benchmark results in bench/results/
// (<date>.json from `npm run bench`, fleet-<date>.json from `npm run bench:fleet`), computed the
// way the bench's own report computes them (bench/report.ts, bench/round-figures.ts).
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import type { BenchReport } from "../../bench/report";
import { roundFigures } from "../../bench/round-figures";
import { ratio } from "../../bench/stats";
import { TARGETS, type Target } from "../../bench/targets";
import { table } from "./blocks";

interface FleetBench {
  readonly date: string;
  readonly command: string;
  readonly rows: ReadonlyArray<{ customers: number; parallel: number; wallS: number; perStackS: number; peakTotalMb: number; peakWorkerMb: number; parentMb: number }>;
}

const USER_DATA_LIMIT = 16_384;
const fmt = (n: number | undefined, digits = 1) => (n === undefined ? "-" : n.toFixed(digits));

/** The newest file whose name matches, by the date in its name. */
function latest(dir: string, pattern: RegExp): string {
  const names = readdirSync(dir).filter((f) => pattern.test(f)).sort();
  const last = names.at(-1);
  if (last === undefined) throw new Error(`no benchmark results matching ${pattern} in ${dir}`);
  return last;
}

function throughput(r: BenchReport): string[] {
  if (!r.throughput) return [];
  const t = r.throughput.data;
  const targets = (Object.keys(TARGETS) as Target[]).filter((k) => t.rounds.some((x) => x.target === k));
  const figs = new Map(targets.map((k) => [k, roundFigures(t.rounds.filter((x) => x.target === k))] as const));
  const e2e = (k: Target) => figs.get(k)?.endToEnd?.median;
  const bOverA = ratio(e2e("inbound"), e2e("bare"));
  return [
    `### Throughput (measured ${r.throughput.at.slice(0, 16).replace("T", " ")} UTC)`, "",
    table(["path", "client", "median msg/s end to end", "median msg/s accepted (client side)"],
      targets.map((k) => [TARGETS[k].label, TARGETS[k].client, fmt(e2e(k)), fmt(figs.get(k)?.accepted?.median)])), "",
    `**b/a = ${fmt(bOverA, 2)}** (target >= 0.4: ${bOverA !== undefined && bOverA >= 0.4 ? "met" : "not met"}), **c/a' = ${fmt(ratio(e2e("submission"), e2e("bare-auth-client")), 2)}**; ` +
      `${t.settings.messages} messages a round (${t.settings.bareMessages ?? t.settings.messages} to the bare Postfix), ${t.settings.sessions} sessions, medians of ${Math.max(...targets.map((k) => t.rounds.filter((x) => x.target === k).length))} interleaved rounds.`, "",
  ];
}

function memory(r: BenchReport): string[] {
  if (!r.memory) return [];
  const m = r.memory.data;
  const snaps = [m.atRest, m.afterLoad].filter((x) => x !== undefined);
  const top = (units: readonly { unit: string; pssMb: number }[]) => [...units].sort((a, b) => b.pssMb - a.pssMb)[0];
  return [
    `### Memory (measured ${r.memory.at.slice(0, 16).replace("T", " ")} UTC; used = MemTotal - MemAvailable)`, "",
    table(["when", "VM used MiB", `target < ${m.targetMb} MiB`, "largest unit (PSS MiB)"],
      snaps.map((x) => [x.label, fmt(x.meminfo.usedMb, 0), x.meminfo.usedMb < m.targetMb ? "met" : "not met", `${top(x.units)?.unit ?? "-"} ${fmt(top(x.units)?.pssMb, 0)}`])), "",
    `ClamAV on: ${m.clamav.measured ? "measured" : "not measured"}.`, "",
  ];
}

function boot(r: BenchReport): string[] {
  if (!r.boot || r.boot.data.length === 0) return [];
  const boots = r.boot.data;
  const stages = boots[0]?.console.stages.map((s) => s.name) ?? [];
  const cell = (i: number, name: string) => fmt(boots[i]?.console.stages.find((s) => s.name === name)?.seconds, 0);
  return [
    `### Boot to ready (measured ${r.boot.at.slice(0, 16).replace("T", " ")} UTC; seconds)`, "",
    table(["stage (serial console milestones)", ...boots.map((b) => b.label)], [
      ["host wall clock, qemu start to MAILFORT-READY", ...boots.map((b) => fmt(b.hostSecondsToReady, 0))],
      ...stages.map((name) => [name, ...boots.map((_, i) => cell(i, name))]),
    ]), "",
  ];
}

function synth(r: BenchReport): string[] {
  if (!r.synth) return [];
  return [
    `### Synth scaling (measured ${r.synth.at.slice(0, 16).replace("T", " ")} UTC)`, "",
    table(["domains", "resources", "records", "median wall s", "peak RSS MiB", `user data, gzip bytes (limit ${USER_DATA_LIMIT})`],
      r.synth.data.rows.map((x) => [String(x.domains), String(x.resources), String(x.records), fmt(x.wallSeconds.median), fmt(x.peakChildMb, 0), String(x.userDataGzipBytes)])), "",
  ];
}

function fleet(f: FleetBench, file: string): string[] {
  return [
    `### Fleet plan (\`${f.command}\`, ${f.date.slice(0, 10)}, ${file})`, "",
    table(["customers", "workers", "wall s", "per stack s", "peak RSS, plan + workers MiB", "peak single worker MiB", "plan process MiB"],
      f.rows.map((x) => [String(x.customers), String(x.parallel), fmt(x.wallS), fmt(x.perStackS), fmt(x.peakTotalMb, 0), fmt(x.peakWorkerMb, 0), fmt(x.parentMb, 0)])), "",
  ];
}

export function performanceFigures(root: string): string {
  const dir = join(root, "bench", "results");
  const file = latest(dir, /^\d{4}-\d{2}-\d{2}\.json$/);
  const report = JSON.parse(readFileSync(join(dir, file), "utf8")) as BenchReport;
  const fleetFile = latest(dir, /^fleet-\d{4}-\d{2}-\d{2}\.json$/);
  const fleetBench = JSON.parse(readFileSync(join(dir, fleetFile), "utf8")) as FleetBench;
  return [
    `From [bench/results/${file}](../bench/results/${file}) (\`${report.command}\`; the whole report: [${file.replace(".json", ".md")}](../bench/results/${file.replace(".json", ".md")})), ${report.machine.vm}, ${report.machine.cpus} shared CPUs.`, "",
    ...throughput(report), ...memory(report), ...boot(report), ...synth(report), ...fleet(fleetBench, fleetFile),
  ].join("\n").trim();
}
