// The offline fleet plan: every stack synthesized (no cloud, no credentials) and policy-checked,
// with bounded parallelism, optionally compared with a base ref; one summary as markdown + JSON.
// The engine (synth, policy check, base-ref synth, diff) is injected: plan-engine.ts binds the
// real ones; this file is only the fleet-level orchestration and the summary.
import type { GeneratedStack } from "./generate";
import type { FleetIssue } from "./issues";
import { runPool } from "./pool";
import type { ShardInfo } from "./shard";
import type { PendingSecret } from "./validate";

export interface PolicySummary {
  readonly total: number;
  readonly passed: number;
  /** Ids of mandatory policies with violations: the stack would be refused. */
  readonly mandatoryFailed: readonly string[];
  readonly advisoryFailed: readonly string[];
  readonly relaxed: readonly string[];
}

export interface ResourceChangeLike {
  readonly type: string;
  readonly name: string;
  readonly kind: "added" | "removed" | "changed";
  readonly keys?: readonly string[];
}

export interface StackEvaluation {
  readonly resources: ReadonlyArray<{ readonly type: string; readonly name: string }>;
  /** undefined when no policy check is available. */
  readonly policy: PolicySummary | undefined;
  /** Engine-specific data the engine's diff needs (e.g. a policy snapshot). */
  readonly detail?: unknown;
}

export interface PlanEngine {
  /** Synthesize (and policy-check) one stack from its stack file text. */
  evaluate(stack: string, configText: string): Promise<StackEvaluation>;
  /** The same at the base ref; undefined when the stack does not exist there (a new customer). */
  evaluateBase?(stack: string): Promise<StackEvaluation | undefined>;
  diff?(base: StackEvaluation, head: StackEvaluation): readonly ResourceChangeLike[];
  /** What the engine can do, for the summary (e.g. "policy check: not available"). */
  readonly notes?: readonly string[];
}

export interface PlanInput {
  readonly gen: GeneratedStack;
  /** The stack file text to synthesize (pending secrets already filled with placeholders). */
  readonly configText: string | undefined;
  /** With configText undefined these made the stack unplannable; otherwise they are reported beside the plan. */
  readonly issues: readonly FleetIssue[];
  readonly pending: readonly PendingSecret[];
}

export interface StackPlan {
  readonly stack: string;
  readonly customer: string;
  readonly environment: string;
  readonly status: "planned" | "invalid" | "failed";
  readonly durationMs: number;
  readonly resourceCount: number;
  readonly resourcesByType: Readonly<Record<string, number>>;
  readonly policy: PolicySummary | undefined;
  /** Against the base ref; undefined without --base; "new" when the stack is new. */
  readonly changes: readonly ResourceChangeLike[] | "new" | undefined;
  readonly pendingSecrets: readonly string[];
  readonly errors: readonly string[];
}

export interface FleetPlan {
  readonly generatedAt: string;
  readonly base: string | undefined;
  readonly parallel: number;
  readonly maxConcurrent: number;
  readonly wallMs: number;
  readonly notes: readonly string[];
  readonly stacks: readonly StackPlan[];
  /** false if any stack is invalid, failed to synthesize or fails a mandatory policy. */
  readonly ok: boolean;
  /** Set when this plan is one shard of the fleet (`--shard k/n`). */
  readonly shard?: ShardInfo;
}

export async function planFleet(inputs: readonly PlanInput[], engine: PlanEngine, opts: { parallel: number; base?: string; onDone?: (p: StackPlan) => void }): Promise<FleetPlan> {
  const started = Date.now();
  const run = await runPool(inputs.map((i) => ({ id: i.gen.stack, item: i })), opts.parallel, async (input) => {
    const plan = await planStack(input, engine, opts.base !== undefined);
    opts.onDone?.(plan);
    return plan;
  });
  const stacks = run.results.map((r) => r.value as StackPlan);
  const ok = stacks.every((s) => s.status === "planned" && s.errors.length === 0 && (s.policy?.mandatoryFailed.length ?? 0) === 0);
  return { generatedAt: new Date().toISOString(), base: opts.base, parallel: opts.parallel, maxConcurrent: run.maxConcurrent, wallMs: Date.now() - started, notes: engine.notes ?? [], stacks, ok };
}

async function planStack(input: PlanInput, engine: PlanEngine, withBase: boolean): Promise<StackPlan> {
  const started = Date.now();
  const base = {
    stack: input.gen.stack, customer: input.gen.customer, environment: input.gen.environment,
    pendingSecrets: input.pending.map((p) => p.key), resourceCount: 0, resourcesByType: {}, policy: undefined, changes: undefined,
  };
  const reported = input.issues.map((i) => `${i.path}: ${i.problem}`);
  if (input.configText === undefined) return { ...base, status: "invalid", durationMs: 0, errors: reported };
  try {
    const head = await engine.evaluate(input.gen.stack, input.configText);
    let changes: StackPlan["changes"];
    if (withBase && engine.evaluateBase !== undefined) {
      const before = await engine.evaluateBase(input.gen.stack);
      changes = before === undefined ? "new" : (engine.diff?.(before, head) ?? []);
    }
    return { ...base, status: "planned", durationMs: Date.now() - started, resourceCount: head.resources.length, resourcesByType: countByType(head.resources), policy: head.policy, changes, errors: reported };
  } catch (err) {
    return { ...base, status: "failed", durationMs: Date.now() - started, errors: [err instanceof Error ? err.message.split("\n").slice(0, 8).join("\n") : String(err)] };
  }
}

export function countByType(resources: ReadonlyArray<{ readonly type: string }>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of [...resources].sort((a, b) => a.type.localeCompare(b.type))) out[r.type] = (out[r.type] ?? 0) + 1;
  return out;
}
