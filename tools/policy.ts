// npm run policy -- --stack <name> [--config-file <path>] [--json] [--pack-config <file>] [--quiet]
// Synthesizes the stack offline (Pulumi mocks, no cloud credentials) and runs every mailfort
// policy over the resource graph, exactly as the CrossGuard pack would under `pulumi preview`.
// Prints violations grouped mandatory / advisory / relaxed (with the stack's reason); exits 1 on
// any mandatory violation, 2 on a bad stack config.
import { writeFileSync } from "node:fs";
import { Command } from "commander";
import { ConfigError } from "../infra/config";
import { runSynth } from "../infra/synth";
import { snapshotFromSynth } from "../plan/from-synth";
import { formatText } from "../policy/report";
import { hasMandatoryViolation, packConfigFor, runPolicies } from "../policy/run";

const program = new Command("policy")
  .description("Run the mailfort policy pack over an offline synth of a stack")
  .requiredOption("--stack <name>", "stack name (stacks/Pulumi.<name>.yaml)")
  .option("--config-file <path>", "read this stack file instead of stacks/Pulumi.<stack>.yaml")
  .option("--json", "print the results as JSON", false)
  .option("--pack-config <file>", "also write the CrossGuard --policy-pack-config JSON that applies this stack's relaxations")
  .option("--quiet", "print nothing but errors (exit code still tells)", false);

async function main(): Promise<number> {
  program.parse();
  const o = program.opts<{ stack: string; configFile?: string; json: boolean; packConfig?: string; quiet: boolean }>();
  let snapshot;
  try {
    snapshot = snapshotFromSynth(await runSynth(o.stack, o.configFile !== undefined ? { configFile: o.configFile } : {}));
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(e.message);
      return 2;
    }
    throw e;
  }
  const outcomes = await runPolicies(snapshot.resources, snapshot.facts);
  if (o.packConfig !== undefined) writeFileSync(o.packConfig, `${JSON.stringify(packConfigFor(snapshot.facts), null, 2)}\n`);
  if (o.json) process.stdout.write(`${JSON.stringify(outcomes, null, 2)}\n`);
  else if (!o.quiet) process.stdout.write(`${formatText(o.stack, outcomes, snapshot.facts.relax)}\n`);
  return hasMandatoryViolation(outcomes) ? 1 : 0;
}

main().then((code) => process.exit(code), (e: unknown) => {
  console.error(e instanceof Error ? (e.stack ?? e.message) : e);
  process.exit(1);
});
