// npm run restore-drill -- --stack <name> [--snapshot <id>] [--dry-run] [--json <file>] [--timeout <min>]
// Prove the newest backup of a stack restores (restore/drill.ts): with AWS credentials, a scratch
// volume from the snapshot on a throwaway instance that counts messages per mailbox and the queue,
// then cleans up; without (or with --dry-run), the exact AWS CLI commands it would run, in order.
// Exit 0 when the drill passed (or the plan was printed), 1 when it failed.
import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Command } from "commander";
import { loadStack } from "../infra/synth";
import { drillCommands, runDrill } from "../restore/drill";
import { formatReport } from "../restore/drill-report";
import { drillUserData } from "../restore/drill-user-data";
import { sdkEc2 } from "../restore/ec2";

const program = new Command("restore-drill")
  .description("restore the newest snapshot of a stack onto a throwaway instance, count its mail, and clean up")
  .requiredOption("--stack <name>", "stack name (stacks/Pulumi.<name>.yaml)")
  .option("--snapshot <id>", "drill this snapshot instead of the newest")
  .option("--dry-run", "print the AWS calls and do nothing, even with credentials")
  .option("--user-data-file <path>", "where the throwaway instance's user data is written (the printed commands refer to it)")
  .option("--json <file>", "also write the report as JSON")
  .option("--timeout <minutes>", "give up waiting for the count after this long", "20");

async function main(): Promise<number> {
  program.parse();
  const o = program.opts<{ stack: string; snapshot?: string; dryRun?: boolean; userDataFile?: string; json?: string; timeout: string }>();
  const minutes = Number(o.timeout);
  if (!Number.isFinite(minutes) || minutes <= 0) throw new Error(`--timeout ${JSON.stringify(o.timeout)} is not a number of minutes (write e.g. --timeout 30)`);
  const { config } = loadStack(o.stack, { passphrase: "" });
  const target = {
    stack: config.stack, region: config.region, arch: config.instance.arch,
    ...(config.network.subnetId !== undefined ? { subnetId: config.network.subnetId } : {}),
    ...(o.snapshot !== undefined ? { snapshotId: o.snapshot } : {}),
  };
  const userData = drillUserData();
  const ec2 = sdkEc2(config.region);
  if (o.dryRun === true || !(await ec2.hasCredentials())) {
    const file = o.userDataFile ?? join(tmpdir(), `mailfort-${config.stack}-drill-user-data.yaml`);
    writeFileSync(file, userData);
    process.stdout.write(`${o.dryRun === true ? "dry run" : "no AWS credentials found"}: the restore drill of stack ${config.stack} would run these AWS calls, in order (user data written to ${file}):\n\n`);
    drillCommands(target, file).forEach((c, i) => process.stdout.write(`${i + 1}. ${c}\n\n`));
    return 0;
  }
  const report = await runDrill(ec2.api, target, { userData, log: (l) => process.stderr.write(`${l}\n`), timeoutMs: minutes * 60_000 });
  process.stdout.write(`${formatReport(report)}\n`);
  if (o.json !== undefined) writeFileSync(o.json, `${JSON.stringify(report, null, 2)}\n`);
  return report.passed ? 0 : 1;
}

main().then((code) => process.exit(code), (e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
