// The native throughput section of the bench report: the native figures beside the VM's from the
// same report (the ratio targets apply to the native ones), and, from the CPU the kernel counted
// per daemon, where the time goes - the measured reason when a ratio misses its target.
import { roundFigures } from "./round-figures";
import { round } from "./stats";
import { TARGETS, type Target } from "./targets";
import type { ThroughputResult } from "./throughput";
import type { NativeThroughputResult } from "./native/throughput";
import { PERF_HZ } from "./native/profile";
import type { ThroughputFigures, ThroughputRatios } from "./throughput-figures";
import type { FigureSet } from "./compare";
import { type Headline, NATIVE_RATIO_TARGETS } from "./headline";

/** The VM's ratios (headline ids throughput.*) and the results file they come from. */
export interface VmRatios {
  readonly file: string;
  readonly ratios: ThroughputRatios;
}

const VM_RATIO_IDS: Record<keyof ThroughputRatios, string> = {
  bOverA: "throughput.b-over-a", cOverAprime: "throughput.c-over-a-prime",
  bOverAAccepted: "throughput.b-over-a.accepted", cOverAprimeAccepted: "throughput.c-over-a-prime.accepted",
};

/** This report's VM ratios when it has them, else those of the newest earlier results file that has. */
export function vmRatiosBeside(date: string, mine: readonly Headline[], earlier: readonly FigureSet[]): VmRatios | undefined {
  const sets = [{ file: `${date}.json`, date, figures: mine }, ...[...earlier].filter((e) => e.date < date).sort((a, b) => (a.date < b.date ? 1 : -1))];
  const set = sets.find((s) => s.figures.some((f) => f.id === VM_RATIO_IDS.bOverA));
  if (set === undefined) return undefined;
  const entries = Object.entries(VM_RATIO_IDS).flatMap(([k, id]) => {
    const v = set.figures.find((f) => f.id === id)?.value;
    return v === undefined ? [] : [[k, v]];
  });
  return { file: set.file, ratios: Object.fromEntries(entries) as ThroughputRatios };
}

export interface DaemonCost {
  readonly daemon: string;
  /** CPU milliseconds per message of the target, summed over its counted rounds. */
  readonly msPerMessage: number;
}

/** CPU per message and daemon for each target (rounds with errors left out). */
export function cpuPerMessage(t: ThroughputResult): Partial<Record<Target, readonly DaemonCost[]>> {
  const out: Partial<Record<Target, readonly DaemonCost[]>> = {};
  for (const target of Object.keys(TARGETS) as Target[]) {
    const rows = t.rounds.filter((r) => r.target === target && r.error === undefined);
    const messages = rows.reduce((s, r) => s + r.messages, 0);
    if (messages === 0) continue;
    const by = new Map<string, number>();
    for (const r of rows) for (const c of r.cpu) by.set(c.unit, (by.get(c.unit) ?? 0) + c.cpuSeconds);
    out[target] = [...by.entries()].map(([daemon, s]) => ({ daemon, msPerMessage: round((s * 1000) / messages, 2) }))
      .filter((c) => c.msPerMessage > 0).sort((a, b) => b.msPerMessage - a.msPerMessage);
  }
  return out;
}

const total = (costs: readonly DaemonCost[] | undefined) => round((costs ?? []).reduce((s, c) => s + c.msPerMessage, 0), 2);
const fmt = (n: number | undefined, digits = 3) => (n === undefined ? "-" : n.toFixed(digits));
const list = (costs: readonly DaemonCost[] | undefined) => (costs ?? []).map((c) => `${c.daemon} ${c.msPerMessage.toFixed(2)}`).join(", ");

/** The daemons that alone cost more than the whole path may: no saving elsewhere reaches the target. */
function overBudget(costs: readonly DaemonCost[] | undefined, budget: number): string {
  const over = (costs ?? []).filter((c) => c.msPerMessage > budget);
  if (over.length === 0) return "";
  const names = over.map((c) => `${c.daemon} alone (${c.msPerMessage.toFixed(2)} ms)`).join(" and ");
  return ` ${names} ${over.length > 1 ? "cost" : "costs"} more than that: on this CPU the target cannot be met while ${over.length > 1 ? "they do their" : "it does its"} work on every message, whatever the rest of the path saves.`;
}

/**
 * One line per ratio: met or not, and the CPU per message of the path against the bare Postfix's
 * (on a CPU-bound machine their quotient bounds the ratio), daemon by daemon.
 */
export function ratioFindings(figures: ThroughputFigures, costs: Partial<Record<Target, readonly DaemonCost[]>>): string[] {
  const pairs = [
    { name: "b/a", value: figures.ratios.bOverA, target: NATIVE_RATIO_TARGETS.bOverA, path: "inbound" as const, bare: "bare" as const },
    { name: "c/a'", value: figures.ratios.cOverAprime, target: NATIVE_RATIO_TARGETS.cOverAprime, path: "submission" as const, bare: "bare-auth-client" as const },
  ];
  return pairs.map((p) => {
    const head = p.value === undefined ? `${p.name}: not measured` : `${p.name} = ${fmt(p.value)} natively, target >= ${p.target}: ${p.value >= p.target ? "met" : "**not met**"}`;
    const path = total(costs[p.path]);
    const bare = total(costs[p.bare]);
    if (path === 0 || bare === 0) return `${head}.`;
    const budget = bare / p.target;
    const needed = path > budget ? ` To reach ${p.target} on CPU alone, the path may cost at most ${budget.toFixed(2)} ms a message: ${(path - budget).toFixed(2)} ms less than now.${overBudget(costs[p.path], budget)}` : "";
    return `${head}. CPU per message: ${TARGETS[p.path].label} ${path.toFixed(2)} ms (${list(costs[p.path])}); ` +
      `the bare Postfix ${bare.toFixed(2)} ms (${list(costs[p.bare])}): their quotient, ${(bare / path).toFixed(3)}, is what the ratio tends to where the CPU is the bottleneck.${needed}`;
  });
}

function profileMd(t: NativeThroughputResult): string[] {
  const out: string[] = [];
  if (t.profileNote !== undefined) out.push(`Profile: ${t.profileNote}.`, "");
  for (const p of t.profiles ?? []) {
    out.push(`Profile of one extra ${TARGETS[p.target].label} round (${p.messages} messages, not counted above): perf at ${PERF_HZ} Hz over the server's processes, about ${p.samples} samples, by command and shared object ([kernel.kallsyms]: system calls and file system work done for that command; libluajit and [JIT]: Rspamd's Lua rules):`, "");
    out.push("| command | object | % of samples |", "| --- | --- | --- |", ...p.rows.slice(0, 14).map((r) => `| ${r.command} | ${r.object} | ${r.percent.toFixed(1)} |`), "");
  }
  return out;
}

export function nativeThroughputMd(at: string, t: NativeThroughputResult, f: ThroughputFigures, vm: VmRatios | undefined): string[] {
  const where = t.where;
  const targets = (Object.keys(TARGETS) as Target[]).filter((k) => f.perTarget[k] !== undefined);
  const rounds = (k: Target) => t.rounds.filter((r) => r.target === k).map((r) => (r.error !== undefined ? "error" : r.messagesPerSecond.toFixed(1))).join(", ");
  const costs = cpuPerMessage(t);
  const out = [
    `## Throughput, native (measured ${at})`,
    "",
    `${where} ${t.settings.messages} messages per round (${t.settings.bareMessages ?? t.settings.messages} against the bare Postfix), ${t.settings.sessions} parallel sessions, ${t.settings.bodyBytes}-byte body, interleaved rounds; the same clients as the VM bench. A round ends when the root's queue is empty again.`,
    "",
    "| target | client | rounds (msg/s end to end) | median end to end | median accepted | CPU ms per message, by daemon |",
    "| --- | --- | --- | --- | --- | --- |",
    ...targets.map((k) => `| ${TARGETS[k].label} | ${TARGETS[k].client} | ${rounds(k)} | ${fmt(f.perTarget[k]?.endToEnd?.median, 2)} | ${fmt(f.perTarget[k]?.accepted?.median, 2)} | ${list(costs[k]) || "-"} |`),
    "",
    `| ratio | native | VM (${vm === undefined ? "none measured yet" : vm.file}) | target (native) |`,
    "| --- | --- | --- | --- |",
    `| b/a end to end | ${fmt(f.ratios.bOverA)} | ${fmt(vm?.ratios.bOverA)} | >= ${NATIVE_RATIO_TARGETS.bOverA} |`,
    `| c/a' end to end | ${fmt(f.ratios.cOverAprime)} | ${fmt(vm?.ratios.cOverAprime)} | >= ${NATIVE_RATIO_TARGETS.cOverAprime} |`,
    `| b/a on acceptance | ${fmt(f.ratios.bOverAAccepted)} | ${fmt(vm?.ratios.bOverAAccepted)} | |`,
    `| c/a' on acceptance | ${fmt(f.ratios.cOverAprimeAccepted)} | ${fmt(vm?.ratios.cOverAprimeAccepted)} | |`,
    "",
    ...ratioFindings(f, costs).map((l) => `- ${l}`),
    "",
  ];
  if (t.processCpuByTarget) {
    out.push("CPU seconds per long-lived process (daemon: command; /proc/<pid>/stat of the processes in each daemon's cgroup, so processes that exited within a round are only in the per-daemon figures), summed over the rounds:", "");
    for (const k of targets) out.push(`- ${TARGETS[k].label}: ${(t.processCpuByTarget[k] ?? []).slice(0, 8).map((c) => `${c.name} ${c.cpuSeconds} s`).join(", ")}`);
    out.push("");
  }
  if (t.delivered !== undefined) {
    const d = t.delivered;
    out.push(d.found >= d.expected
      ? `Delivered: all ${d.expected} messages of the inbound and submission rounds and warm-ups are in the recipients' mailboxes (${d.found} found).`
      : `**Delivered: only ${d.found} of ${d.expected} messages of the inbound and submission rounds reached the mailboxes**: a drained queue also means bounced or lost mail, so these paths' figures are not the whole path.`, "");
  }
  out.push(...profileMd(t));
  const failed = t.rounds.filter((r) => r.error !== undefined);
  if (failed.length > 0) out.push(`Rounds with errors (left out of the medians): ${failed.map((r) => `${r.target} #${r.round}: ${r.error ?? ""}`).join("; ")}`, "");
  const deferred = targets.filter((k) => roundFigures(t.rounds.filter((r) => r.target === k)).deferredRounds > 0);
  if (deferred.length > 0) out.push(`Rounds with a deferred delivery (out of end to end): ${deferred.join(", ")}.`, "");
  return out;
}
