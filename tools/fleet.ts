// npm run fleet -- <command>: the MSP fleet (see docs/fleet.md).
import { cpus } from "node:os";
import { resolve } from "node:path";
import { Command, InvalidArgumentError } from "commander";
import { addCommand, generateCommand, secretsCommand, validateCommand } from "../fleet/commands";
import { FleetError } from "../fleet/issues";
import { ENVIRONMENTS, type EnvironmentName } from "../fleet/inventory/schema";
import { type Shard, parseShard } from "../fleet/shard";
import { DEFAULT_INVENTORY, openWorkspace } from "../fleet/workspace";

const out = (line: string): void => void process.stdout.write(`${line}\n`);
const collect = (v: string, acc: string[]): string[] => [...acc, v];
const list = (v: string): string[] => v.split(",").map((s) => s.trim()).filter((s) => s !== "");
const positive = (v: string): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError("must be a whole number of at least 1");
  return n;
};

const shard = (v: string): Shard => {
  try {
    return parseShard(v);
  } catch (e) {
    throw new InvalidArgumentError(e instanceof FleetError ? (e.issues[0]?.fix ?? e.message) : String(e));
  }
};

const program = new Command("fleet")
  .description("One mailfort stack per customer and environment, from an inventory")
  .option("-i, --inventory <file>", "the inventory, relative to the project", DEFAULT_INVENTORY);
const ws = () => openWorkspace(process.cwd(), program.opts<{ inventory: string }>().inventory);
let exitCode = 0;

program.command("generate").description("write stacks/Pulumi.<customer>-<env>.yaml for every customer")
  .option("--customers <a,b>", "only these customers", list)
  .option("--force", "overwrite stack files edited by hand (the diff is shown)", false)
  .action((o: { customers?: string[]; force: boolean }) => { exitCode = generateCommand(ws(), o, out); });

program.command("add <customer>").description("add a customer to the inventory and write its stack file(s)")
  .requiredOption("--domain <domain>", "a mail domain (repeat for more)", collect, [])
  .option("--env <env>", `an environment: ${ENVIRONMENTS.join(", ")} (repeat for more; default prod)`, collect, [])
  .option("--tier <tier>", "size tier", "small")
  .option("--mailbox <address>", "a mailbox (repeat for more; default postmaster@<first domain>)", collect, [])
  .option("--force", "overwrite an existing hand-edited stack file of this customer", false)
  .action((name: string, o: { domain: string[]; env: string[]; tier: string; mailbox: string[]; force: boolean }) => {
    const environments = (o.env.length > 0 ? o.env : ["prod"]) as EnvironmentName[];
    exitCode = addCommand(ws(), { name, domains: o.domain, environments, tier: o.tier, mailboxes: o.mailbox }, { force: o.force }, out);
  });

program.command("validate").description("check every stack and the fleet as a whole (duplicates, shared zones)")
  .option("--customers <a,b>", "only these customers", list)
  .option("--strict", "treat secrets not yet set as errors (use before `up`)", false)
  .action((o: { customers?: string[]; strict: boolean }) => { exitCode = validateCommand(ws(), o, out).code; });

program.command("secrets").description("print the `pulumi config set --secret` commands for secrets not yet set")
  .option("--customers <a,b>", "only these customers", list)
  .action((o: { customers?: string[] }) => { exitCode = secretsCommand(ws(), o, out); });

const DEFAULT_PARALLEL = Math.max(1, cpus().length);

const SHARD_HELP = "only this runner's share of the fleet, k of n (by a hash of the customer name): run n of them side by side, then `fleet merge`";
const ENVIRONMENTS_HELP = `only these environments (a wave), of ${ENVIRONMENTS.join(", ")}`;

program.command("plan").description("offline: synthesize and policy-check every stack (no cloud); summary as markdown + JSON")
  .option("--customers <a,b>", "only these customers", list)
  .option("--environments <a,b>", ENVIRONMENTS_HELP, list)
  .option("--shard <k/n>", SHARD_HELP, shard)
  .option("--parallel <n>", "synth workers at once", positive, DEFAULT_PARALLEL)
  .option("--base <git-ref>", "also synthesize the fleet at this ref (a git worktree) and list the changes")
  .option("--out <dir>", "where fleet-plan.md and fleet-plan.json go", ".fleet/plan")
  .action(async (o: { customers?: string[]; environments?: string[]; shard?: Shard; parallel: number; base?: string; out: string }) => {
    // plan and run load the synth, the policy pack and Pulumi: only when asked for.
    const { checkoutBase } = await import("../fleet/base-ref");
    const { planCommand } = await import("../fleet/plan-command");
    const { realPlanEngine } = await import("../fleet/plan-engine");
    const w = ws();
    const base = o.base === undefined ? undefined : checkoutBase(w.projectDir, o.base, w.stacksDir);
    const engine = realPlanEngine({ workers: o.parallel, ...(base === undefined ? {} : { base }) });
    try {
      exitCode = (await planCommand(w, { ...o, ...(base === undefined ? {} : { base: base.ref }), outDir: o.out, engine, sink: process.stdout })).code;
    } finally {
      await engine.close();
      base?.remove();
    }
  });

for (const operation of ["preview", "up", "refresh"] as const) {
  program.command(operation).description(`pulumi ${operation} every selected stack (Automation API; needs the Pulumi CLI)`)
    .option("--customers <a,b>", "only these customers", list)
    .option("--environments <a,b>", ENVIRONMENTS_HELP, list)
    .option("--shard <k/n>", SHARD_HELP, shard)
    .option("--parallel <n>", "stacks at once", positive, DEFAULT_PARALLEL)
    .option("--policy-pack <dir>", "policy pack run with preview and up", "policy")
    .action(async (o: { customers?: string[]; environments?: string[]; shard?: Shard; parallel: number; policyPack: string }) => {
      const { automationRunner } = await import("../fleet/automation");
      const { runCommand } = await import("../fleet/run-command");
      const w = ws();
      const runner = automationRunner(w.projectDir, [resolve(w.projectDir, o.policyPack)]);
      exitCode = (await runCommand(w, operation, { ...o, runner, sink: process.stdout })).code;
    });
}

program.command("merge <reports...>").description("merge the shards' fleet-plan.json or <operation>-summary.json (files or directories) into one summary; exit 1 if a shard is missing or a stack needs attention")
  .option("--out <dir>", "where the merged markdown and JSON go", ".fleet/merged")
  .action(async (reports: string[], o: { out: string }) => {
    const { mergeCommand } = await import("../fleet/merge-command");
    exitCode = mergeCommand(reports, o.out, process.stdout).code;
  });

async function main(): Promise<void> {
  try {
    await program.parseAsync(process.argv);
  } catch (err) {
    if (!(err instanceof FleetError)) throw err;
    process.stderr.write(`${err.message}\n`);
    exitCode = 1;
  }
  process.exitCode = exitCode;
}
void main();
