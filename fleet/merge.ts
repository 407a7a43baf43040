// One summary from the reports of a fleet's shards (`--shard k/n` on several runners, e.g. a CI
// matrix). The merge calls the fleet fine only when every shard reported and the reports fit
// together: a shard missing (its job failed before it wrote a report, or its artifact is gone), a
// shard twice, reports of different splits, or a stack in two shards is a problem, and a problem
// fails the merge like a failed stack does, so a CI wave stops there.
import type { FleetPlan } from "./plan";
import type { FleetRunSummary } from "./runner";
import { type ShardInfo, shardLabel } from "./shard";

export type ShardReport =
  | { readonly source: string; readonly kind: "plan"; readonly plan: FleetPlan }
  | { readonly source: string; readonly kind: "run"; readonly summary: FleetRunSummary };

export type MergedFleet =
  | { readonly kind: "plan"; readonly plan: FleetPlan; readonly problems: readonly string[] }
  | { readonly kind: "run"; readonly summary: FleetRunSummary; readonly problems: readonly string[] };

/** A shard's fleet-plan.json or <operation>-summary.json, told apart by their fields. */
export function readShardReport(text: string, source: string): ShardReport {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new Error(`${source}: not JSON (${e instanceof Error ? e.message : String(e)}); expected a fleet-plan.json or <operation>-summary.json`);
  }
  const o = (typeof doc === "object" && doc !== null ? doc : {}) as Record<string, unknown>;
  if (Array.isArray(o.stacks) && typeof o.generatedAt === "string") return { source, kind: "plan", plan: o as unknown as FleetPlan };
  if (Array.isArray(o.results) && typeof o.operation === "string") return { source, kind: "run", summary: o as unknown as FleetRunSummary };
  throw new Error(`${source}: neither a fleet plan (fleet-plan.json) nor a run summary (<operation>-summary.json)`);
}

interface Part {
  readonly source: string;
  readonly shard: ShardInfo | undefined;
  readonly stacks: readonly string[];
  readonly what: string;
}

function shardProblems(parts: readonly Part[]): string[] {
  if (parts.length === 0) return ["no shard reported: every shard's job failed before writing its report"];
  const whats = [...new Set(parts.map((p) => p.what))];
  if (whats.length > 1) return [`the reports are of different kinds (${whats.join(", ")}): merge one operation's shards at a time`];
  const unsharded = parts.filter((p) => p.shard === undefined);
  if (unsharded.length > 0) return parts.length === 1 ? [] : [`${unsharded.map((p) => p.source).join(", ")}: not a shard's report (run with --shard k/n)`];
  const shards = parts.map((p) => p.shard as ShardInfo);
  const counts = [...new Set(shards.map((s) => `${s.count} shards of ${s.fleetStacks} stacks`))];
  if (counts.length > 1) return [`the reports come from different splits (${counts.join("; ")}): merge the shards of one run`];
  const { count, fleetStacks } = shards[0] as ShardInfo;
  const problems: string[] = [];
  for (let k = 1; k <= count; k++) {
    const mine = parts.filter((p) => p.shard?.index === k);
    if (mine.length === 0) problems.push(`shard ${k}/${count} did not report (its job failed before writing its report, or its artifact is missing): its stacks are unknown`);
    if (mine.length > 1) problems.push(`shard ${k}/${count} reported twice (${mine.map((p) => p.source).join(", ")})`);
  }
  const owner = new Map<string, string>();
  for (const p of parts) {
    for (const stack of p.stacks) {
      const first = owner.get(stack);
      if (first !== undefined) problems.push(`stack ${stack} is in two shards (${first} and ${p.source})`);
      owner.set(stack, p.source);
    }
  }
  if (problems.length === 0 && owner.size !== fleetStacks) problems.push(`the shards hold ${owner.size} stacks, but the fleet has ${fleetStacks}`);
  return problems;
}

const byStack = <T extends { readonly stack: string }>(a: T, b: T) => (a.stack < b.stack ? -1 : a.stack > b.stack ? 1 : 0);
const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);
const label = (s: ShardInfo | undefined) => (s === undefined ? "whole fleet" : `shard ${shardLabel(s)}`);

export function mergeShards(reports: readonly ShardReport[]): MergedFleet {
  const parts: Part[] = reports.map((r) =>
    r.kind === "plan"
      ? { source: r.source, shard: r.plan.shard, stacks: r.plan.stacks.map((s) => s.stack), what: "fleet plan" }
      : { source: r.source, shard: r.summary.shard, stacks: r.summary.results.map((s) => s.stack), what: `fleet ${r.summary.operation}` },
  );
  const problems = shardProblems(parts);
  const plans = reports.flatMap((r) => (r.kind === "plan" ? [r.plan] : []));
  if (plans.length > 0 && plans.length === reports.length) {
    const bases = [...new Set(plans.map((p) => p.base ?? "(none)"))];
    if (bases.length > 1) problems.push(`the shards compared with different bases (${bases.join(", ")})`);
    const stacks = plans.flatMap((p) => p.stacks).sort(byStack);
    const side = plans.map((p) => `${label(p.shard)}: ${p.stacks.length} stack(s) in ${(p.wallMs / 1000).toFixed(1)} s${p.ok ? "" : ", needs attention"}`);
    const plan: FleetPlan = {
      generatedAt: plans.map((p) => p.generatedAt).sort().at(-1) ?? "",
      base: plans[0]?.base,
      parallel: sum(plans.map((p) => p.parallel)),
      maxConcurrent: sum(plans.map((p) => p.maxConcurrent)),
      wallMs: Math.max(...plans.map((p) => p.wallMs)),
      notes: [...new Set(plans.flatMap((p) => p.notes))].concat(`Merged from ${plans.length} shard report(s) run side by side: ${side.join("; ")}.`, ...problems.map((x) => `**Problem:** ${x}`)),
      stacks,
      ok: problems.length === 0 && plans.every((p) => p.ok),
    };
    return { kind: "plan", plan, problems };
  }
  const runs = reports.flatMap((r) => (r.kind === "run" ? [r.summary] : []));
  const summary: FleetRunSummary = {
    operation: runs[0]?.operation ?? "preview",
    parallel: sum(runs.map((r) => r.parallel)),
    maxConcurrent: sum(runs.map((r) => r.maxConcurrent)),
    results: runs.flatMap((r) => r.results).sort(byStack),
    ok: problems.length === 0 && runs.length === reports.length && runs.every((r) => r.ok),
  };
  return { kind: "run", summary, problems };
}
