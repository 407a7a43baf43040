// `fleet preview|up|refresh`: validate the selected stacks, block the ones that cannot run
// (invalid, or secrets not set), then run the rest with bounded parallelism.
import { join } from "node:path";
import { loadInventory } from "./commands";
import { statusDisplay, type Sink } from "./display/status-table";
import { formatFleetIssues } from "./issues";
import { factsFromConfig } from "../policy/facts";
import { packConfigFor } from "../policy/run";
import { type FleetOperation, type FleetRunSummary, type FleetStack, type StackRunner, formatRunSummary, runFleet } from "./runner";
import { type Selection, selectFor } from "./selection";
import { validateFleet } from "./validate";
import { type FleetWorkspace, readStack, writeText } from "./workspace";

export interface RunCommandOptions extends Selection {
  readonly parallel: number;
  readonly runner: StackRunner;
  readonly sink: Sink;
}

export async function runCommand(ws: FleetWorkspace, operation: FleetOperation, opts: RunCommandOptions): Promise<{ code: number; summary: FleetRunSummary }> {
  const inv = loadInventory(ws);
  const selected = selectFor(inv, opts);
  const check = validateFleet(inv, selected.validated, (s) => readStack(ws, s), ws.inventorySource);
  const mine = check.stacks.filter((s) => selected.takes(s.gen));
  const issues = mine.flatMap((s) => s.issues);
  if (issues.length > 0) opts.sink.write(`${formatFleetIssues(issues, "the selected stacks")}\n`);
  const fleetDir = join(ws.projectDir, ".fleet");
  const stacks: FleetStack[] = mine.map((s) => {
    let policyPackConfig: string | undefined;
    if (s.config !== undefined) {
      policyPackConfig = join(fleetDir, "policy-config", `${s.gen.stack}.json`);
      writeText(policyPackConfig, `${JSON.stringify(packConfigFor(factsFromConfig(s.config)), null, 2)}\n`);
    }
    const reason = s.issues.length > 0 ? `invalid: ${s.issues[0]?.path} ${s.issues[0]?.problem}` : s.pending.length > 0 ? `${s.pending.length} secret(s) not set: npm run fleet -- secrets --customers ${s.gen.customer}` : undefined;
    return { stack: s.gen.stack, customer: s.gen.customer, environment: s.gen.environment, ...(reason === undefined ? {} : { blockedReason: reason }), ...(policyPackConfig === undefined ? {} : { policyPackConfig }) };
  });
  const display = statusDisplay(opts.sink, operation);
  const ran = await runFleet(stacks, operation, opts.runner, { parallel: opts.parallel, logDir: join(fleetDir, "logs"), events: display });
  const summary: FleetRunSummary = opts.shard === undefined ? ran : { ...ran, shard: { ...opts.shard, fleetStacks: check.stacks.filter((s) => selected.inWave(s.gen)).length } };
  display.stop();
  opts.sink.write(`\n${formatRunSummary(summary)}\n`);
  const summaryPath = join(fleetDir, `${operation}-summary.json`);
  writeText(summaryPath, `${JSON.stringify(summary, null, 2)}\n`);
  opts.sink.write(`summary: ${summaryPath}\n`);
  return { code: summary.ok ? 0 : 1, summary };
}
