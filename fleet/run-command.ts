// `fleet preview|up|refresh`: validate the selected stacks, block the ones that cannot run
// (invalid, or secrets not set), then run the rest with bounded parallelism.
import { join } from "node:path";
import { loadInventory, selectStacks } from "./commands";
import { statusDisplay, type Sink } from "./display/status-table";
import { formatFleetIssues } from "./issues";
import { factsFromConfig } from "../policy/facts";
import { packConfigFor } from "../policy/run";
import { type FleetOperation, type FleetRunSummary, type FleetStack, type StackRunner, formatRunSummary, runFleet } from "./runner";
import { validateFleet } from "./validate";
import { type FleetWorkspace, readStack, writeText } from "./workspace";

export interface RunCommandOptions {
  readonly customers?: readonly string[];
  readonly parallel: number;
  readonly runner: StackRunner;
  readonly sink: Sink;
}

export async function runCommand(ws: FleetWorkspace, operation: FleetOperation, opts: RunCommandOptions): Promise<{ code: number; summary: FleetRunSummary }> {
  const inv = loadInventory(ws);
  const gens = selectStacks(inv, opts.customers);
  const check = validateFleet(inv, gens, (s) => readStack(ws, s), ws.inventorySource);
  if (check.issues.length > 0) opts.sink.write(`${formatFleetIssues(check.issues, "the selected stacks")}\n`);
  const fleetDir = join(ws.projectDir, ".fleet");
  const stacks: FleetStack[] = check.stacks.map((s) => {
    let policyPackConfig: string | undefined;
    if (s.config !== undefined) {
      policyPackConfig = join(fleetDir, "policy-config", `${s.gen.stack}.json`);
      writeText(policyPackConfig, `${JSON.stringify(packConfigFor(factsFromConfig(s.config)), null, 2)}\n`);
    }
    const reason = s.issues.length > 0 ? `invalid: ${s.issues[0]?.path} ${s.issues[0]?.problem}` : s.pending.length > 0 ? `${s.pending.length} secret(s) not set: npm run fleet -- secrets --customers ${s.gen.customer}` : undefined;
    return { stack: s.gen.stack, customer: s.gen.customer, environment: s.gen.environment, ...(reason === undefined ? {} : { blockedReason: reason }), ...(policyPackConfig === undefined ? {} : { policyPackConfig }) };
  });
  const display = statusDisplay(opts.sink, operation);
  const summary = await runFleet(stacks, operation, opts.runner, { parallel: opts.parallel, logDir: join(fleetDir, "logs"), events: display });
  display.stop();
  opts.sink.write(`\n${formatRunSummary(summary)}\n`);
  const summaryPath = join(fleetDir, `${operation}-summary.json`);
  writeText(summaryPath, `${JSON.stringify(summary, null, 2)}\n`);
  opts.sink.write(`summary: ${summaryPath}\n`);
  return { code: summary.ok ? 0 : 1, summary };
}
