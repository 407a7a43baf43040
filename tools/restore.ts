// npm run restore -- pick --stack <name> (--newest | --snapshot <id>) [--write]
// npm run restore -- recover --stack <name> --instance <id> --previous-volume <id> --since <time> [--params-file <f>]
// pick: the snapshot to restore (the newest of the stack needs AWS credentials) and the
// mailfort:dataVolume settings that restore it, written into stacks/Pulumi.<stack>.yaml with
// --write; then the steps of a restore. recover: after `pulumi up`, the commands (and the SSM
// parameters file) that bring the mail that arrived after the snapshot over (docs/operations.md#restore).
import { readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Command } from "commander";
import { loadStack, stackFilePath } from "../infra/synth";
import { sdkEc2 } from "../restore/ec2";
import { recoverCommands, recoverParameters } from "../restore/recover-commands";
import { nextRestore, withRestore } from "../restore/restore-settings";
import { listSnapshotsCommand, newestSnapshot, stackSnapshot } from "../restore/snapshots";

const program = new Command("restore").description("restore a stack's data volume from a snapshot");

program.command("pick")
  .description("choose the snapshot and set mailfort:dataVolume for the next `pulumi up`")
  .requiredOption("--stack <name>", "stack name")
  .option("--newest", "the newest completed snapshot of the stack (needs AWS credentials)")
  .option("--snapshot <id>", "this snapshot")
  .option("--write", "write the settings into stacks/Pulumi.<stack>.yaml")
  .action(async (o: { stack: string; newest?: boolean; snapshot?: string; write?: boolean }) => {
    const { config } = loadStack(o.stack, { passphrase: "" });
    let id = o.snapshot;
    if (id === undefined) {
      if (o.newest !== true) throw new Error("give --newest or --snapshot <id>");
      const ec2 = sdkEc2(config.region);
      if (!(await ec2.hasCredentials())) throw new Error(`no AWS credentials found; find the newest snapshot yourself:\n  ${listSnapshotsCommand(config.stack, config.region)}\nthen: npm run restore -- pick --stack ${config.stack} --snapshot <id>`);
      const newest = await newestSnapshot(ec2.api, config.stack);
      if (newest === undefined) throw new Error(`stack ${config.stack} has no completed snapshot in ${config.region}`);
      id = (await stackSnapshot(ec2.api, config.stack, newest.id)).id;
      process.stdout.write(`newest snapshot of ${config.stack}: ${id}, taken ${newest.startTime.toISOString()} of ${newest.volumeId}\n`);
    }
    const next = nextRestore(config, id);
    const file = stackFilePath(config.stack);
    const text = withRestore(readFileSync(file, "utf8"), next);
    if (o.write === true) writeFileSync(file, text);
    process.stdout.write([
      `mailfort:dataVolume for ${config.stack}: restoreFrom ${next.restoreFrom}, previous ${next.previous}${o.write === true ? ` (written to ${file})` : " (add --write to set it)"}`,
      ...(next.released !== undefined ? [`the volume kept by the last restore, ${next.released.name}, leaves the stack; let Pulumi forget it (it is retained, not deleted): pulumi state unprotect '${next.released.urn}'`] : []),
      "next:",
      `  npm run plan -- --stack ${config.stack} --base origin/main      # the swap, in plain words`,
      "  pulumi preview --policy-pack policy                 # looks the snapshot up; refuses another stack's",
      "  pulumi up                                           # new volume, new instance on it; the old volume stays",
      `  npm run restore -- recover --stack ${config.stack} --instance $(pulumi stack output instanceId) --previous-volume $(pulumi stack output previousDataVolumeId) --since <the snapshot's StartTime>`,
      "",
    ].join("\n"));
  });

program.command("recover")
  .description("print the commands that bring the mail that arrived after the snapshot over from the previous volume")
  .requiredOption("--stack <name>", "stack name")
  .requiredOption("--instance <id>", "the restored server (pulumi stack output instanceId)")
  .requiredOption("--previous-volume <id>", "the volume the restore replaced (pulumi stack output previousDataVolumeId)")
  .requiredOption("--since <time>", "the snapshot's StartTime (aws ec2 describe-snapshots --snapshot-ids <id> --query 'Snapshots[0].StartTime')")
  .option("--params-file <path>", "where to write the SSM Run Command parameters")
  .action((o: { stack: string; instance: string; previousVolume: string; since: string; paramsFile?: string }) => {
    const { config } = loadStack(o.stack, { passphrase: "" });
    if (!/^i-[0-9a-f]{8,17}$/.test(o.instance) || !/^vol-[0-9a-f]{8,17}$/.test(o.previousVolume)) throw new Error("--instance takes i-…, --previous-volume vol-…");
    if (Number.isNaN(Date.parse(o.since))) throw new Error(`--since ${JSON.stringify(o.since)} is not a time (write e.g. 2026-05-01T03:00:12Z)`);
    const input = { region: config.region, instanceId: o.instance, previousVolumeId: o.previousVolume, since: new Date(o.since).toISOString() };
    const file = o.paramsFile ?? join(tmpdir(), `mailfort-${config.stack}-recover.json`);
    writeFileSync(file, `${JSON.stringify(recoverParameters(input), null, 2)}\n`);
    process.stdout.write(`recover ${config.stack}'s later mail from ${o.previousVolume} (SSM parameters written to ${file}):\n\n`);
    recoverCommands(input, file).forEach((c, i) => process.stdout.write(`${i + 1}. ${c}\n`));
  });

program.parseAsync(process.argv).catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
