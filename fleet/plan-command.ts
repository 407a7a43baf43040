// `fleet plan`: validate, then synthesize + policy-check every selected stack offline, with a
// bounded number of workers; optionally against a base ref; write markdown + JSON summaries.
import { join, resolve } from "node:path";
import { loadInventory } from "./commands";
import { progressBar } from "./display/progress-bar";
import type { Sink } from "./display/status-table";
import { type FleetPlan, type PlanEngine, type PlanInput, planFleet } from "./plan";
import { withSecretPlaceholders } from "./plan-engine";
import { formatPlanMarkdown, planLine } from "./plan-report";
import { type Selection, selectFor } from "./selection";
import { validateFleet } from "./validate";
import { type FleetWorkspace, readStack, writeText } from "./workspace";

export interface PlanCommandOptions extends Selection {
  readonly parallel: number;
  readonly base?: string;
  /** Where fleet-plan.md and fleet-plan.json go (default .fleet/plan). */
  readonly outDir?: string;
  readonly engine: PlanEngine;
  readonly sink: Sink;
}

export async function planCommand(ws: FleetWorkspace, opts: PlanCommandOptions): Promise<{ code: number; plan: FleetPlan; markdownPath: string; jsonPath: string }> {
  const inv = loadInventory(ws);
  const selected = selectFor(inv, opts);
  const check = validateFleet(inv, selected.validated, (s) => readStack(ws, s), ws.inventorySource);
  const inputs: PlanInput[] = check.stacks.filter((s) => selected.takes(s.gen)).map((s) => {
    const text = readStack(ws, s.gen.stack);
    const issues = check.issues.filter((i) => i.stack === s.gen.stack);
    const plannable = text !== undefined && s.config !== undefined;
    return { gen: s.gen, configText: plannable ? withSecretPlaceholders(text, s.pending.map((p) => p.key)) : undefined, issues, pending: s.pending };
  });
  const bar = progressBar(opts.sink, inputs.length, "fleet plan");
  const planned = await planFleet(inputs, opts.engine, {
    parallel: opts.parallel,
    ...(opts.base === undefined ? {} : { base: opts.base }),
    onDone: (p) => bar.tick(p.stack, opts.sink.isTTY === true ? "" : planLine(p).slice(p.stack.length + 2)),
  });
  const plan: FleetPlan = opts.shard === undefined ? planned : { ...planned, shard: { ...opts.shard, fleetStacks: check.stacks.filter((s) => selected.inWave(s.gen)).length } };
  bar.done();
  const outDir = resolve(ws.projectDir, opts.outDir ?? join(".fleet", "plan"));
  const markdownPath = join(outDir, "fleet-plan.md");
  const jsonPath = join(outDir, "fleet-plan.json");
  writeText(markdownPath, formatPlanMarkdown(plan));
  writeText(jsonPath, `${JSON.stringify(plan, null, 2)}\n`);
  const bad = plan.stacks.filter((s) => s.status !== "planned" || s.errors.length > 0 || (s.policy?.mandatoryFailed.length ?? 0) > 0);
  for (const s of bad) opts.sink.write(`needs attention: ${planLine(s)}${s.errors.length > 0 ? `\n    ${s.errors.join("\n    ")}` : ""}\n`);
  opts.sink.write(`fleet plan: ${plan.stacks.length} stack(s) in ${(plan.wallMs / 1000).toFixed(1)} s (${plan.maxConcurrent} at once); ${plan.ok ? "OK" : `${bad.length} need attention`}\n  ${markdownPath}\n  ${jsonPath}\n`);
  return { code: plan.ok ? 0 : 1, plan, markdownPath, jsonPath };
}
