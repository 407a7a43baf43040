// The real plan engine: the offline synth (a pool of synth workers, infra/synth/workers.ts: each
// worker process loads the program once and synthesizes stack after stack) and the policy pack's
// offline runner on each result, exactly as `npm run policy` does (snapshotFromSynth +
// runPolicies); with a base ref, the base's own synth and the plan's resource diff
// (plan/plan-diff.ts), so fleet and single-stack plans agree on what a change is.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { dump, load } from "js-yaml";
// The worker pool and the result type only, not infra/synth's index: this process never synthesizes
// itself, and the index would load the program and @pulumi/pulumi into it for nothing.
import type { SynthResult } from "../infra/synth/result";
import { startSynthWorkers } from "../infra/synth/workers";
import { snapshotFromSynth } from "../plan/from-synth";
import { diffResources } from "../plan/plan-diff";
import type { Snapshot } from "../plan/snapshot";
import { runPolicies } from "../policy/run";
import type { BaseCheckout } from "./base-ref";
import type { PlanEngine, PolicySummary, StackEvaluation } from "./plan";

export interface RealPlanEngine extends PlanEngine {
  /** Stop the synth workers. */
  close(): Promise<void>;
}

/** `workers`: synth worker processes at most (the plan's --parallel). */
export function realPlanEngine(opts: { workers: number; base?: BaseCheckout }): RealPlanEngine {
  const { base } = opts;
  const synths = startSynthWorkers({ size: opts.workers });
  return {
    async evaluate(stack, configText) {
      return evaluation(await synths.synth(stack, { configText }));
    },
    close: () => synths.close(),
    ...(base === undefined ? {} : {
      async evaluateBase(stack: string) {
        const text = base.stackText(stack);
        if (text === undefined) return undefined;
        const dir = mkdtempSync(join(tmpdir(), "fleet-base-stack-"));
        try {
          const file = join(dir, `Pulumi.${stack}.yaml`);
          writeFileSync(file, withSecretPlaceholders(text, referencedSecretKeys(text)));
          const result = await base.synth(stack, file) as SynthResult;
          return { resources: result.resources, policy: undefined, detail: snapshotFromSynth(result) };
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      },
      diff(before: StackEvaluation, head: StackEvaluation) {
        return diffResources(before.detail as Snapshot, head.detail as Snapshot);
      },
    }),
  };
}

async function evaluation(result: SynthResult): Promise<StackEvaluation> {
  const snapshot = snapshotFromSynth(result);
  const outcomes = await runPolicies(snapshot.resources, snapshot.facts);
  const failing = outcomes.filter((o) => o.violations.length > 0);
  const policy: PolicySummary = {
    total: outcomes.length,
    passed: outcomes.filter((o) => o.violations.length === 0 && o.level !== "disabled").length,
    mandatoryFailed: failing.filter((o) => o.level === "mandatory").map((o) => o.id),
    advisoryFailed: failing.filter((o) => o.level === "advisory").map((o) => o.id),
    relaxed: outcomes.filter((o) => o.relaxation !== undefined).map((o) => o.id),
  };
  return { resources: result.resources, policy, detail: snapshot };
}

/** Mailbox password keys a stack file references (from mailfort:mailboxes). */
function referencedSecretKeys(text: string): string[] {
  const doc = load(text) as { config?: Record<string, unknown> } | null;
  const mailboxes = doc?.config?.["mailfort:mailboxes"];
  if (!Array.isArray(mailboxes)) return [];
  return mailboxes.flatMap((m: unknown) => {
    const k = typeof m === "object" && m !== null ? (m as { passwordHashSecret?: unknown }).passwordHashSecret : undefined;
    return typeof k === "string" ? [k] : [];
  });
}

/**
 * The stack file with every listed secret that has no value yet set to a `secure:` entry: the
 * synth reads `secure:` values as an opaque placeholder hash (it can never decrypt them offline
 * anyway), so a stack whose secrets the operator has not set yet still plans.
 */
export function withSecretPlaceholders(text: string, keys: readonly string[]): string {
  const doc = (load(text) ?? {}) as { config?: Record<string, unknown> };
  const config = { ...(doc.config ?? {}) };
  for (const k of keys) if (config[`mailfort:${k}`] === undefined) config[`mailfort:${k}`] = { secure: "fleet-plan-placeholder" };
  return dump({ ...doc, config }, { lineWidth: -1, noRefs: true });
}
