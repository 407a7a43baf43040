// npm run synth -- --stack <name> --out <dir> [--config-file <path>] [--secrets-dir <dir>] [--snapshots <file>] [--dkim-state <file>] [--keep-keys <dir>] [--now <time>]
// Runs the mailfort program offline under Pulumi mocks and writes what it would create:
// resources.json, zones/<zone>.zone, user-data, plan.md, synth.json (no secret values).
// A bad stack config prints every error, exits 2, and writes nothing; the artifacts are written
// all or nothing (infra/synth/artifacts.ts).
// First: it makes the rest load faster (see startup.ts).
import "../infra/synth/startup";
import { readFileSync } from "node:fs";
import { Command } from "commander";
import { ConfigError } from "../infra/config";
import { type MockSnapshot, synthToDirectory } from "../infra/synth";

const program = new Command()
  .name("synth")
  .description("Synthesize a mailfort stack offline (Pulumi mocks) and write its artifacts")
  .requiredOption("--stack <name>", "stack name (reads stacks/Pulumi.<name>.yaml unless --config-file is given)")
  .requiredOption("--out <dir>", "directory for resources.json, zones/, user-data, plan.md, synth.json")
  .option("--config-file <path>", "read this stack file instead of stacks/Pulumi.<stack>.yaml")
  .option("--secrets-dir <dir>", "also write the SSM parameter tree with REAL secret values as files (mode 0600), e.g. for the lab")
  .option("--serial <n>", "SOA serial for the zone files (default: today's YYYYMMDD01)", (v) => Number(v))
  .option("--snapshots <file.json>", "the synthetic account's EBS snapshots ([{id, volumeSizeGb, tags, state?}]) a restore looks up; default: any dataVolume.restoreFrom stands in as this stack's")
  .option("--dkim-state <file.json>", "the DKIM rotation state the last up recorded (the value of /mailfort/<stack>/state/dkim-rotation: `aws ssm get-parameter --name ... --query Parameter.Value --output text`); default: none recorded")
  .option("--keep-keys <secrets-dir>", "keep the DKIM keys of an earlier synth (its --secrets-dir), as Pulumi's state keeps them across ups: synthesize a rotation's next step")
  .option("--now <time>", "the rotation clock, e.g. 2026-12-09T12:00:00Z: what an up at that time would do (default: now)");

async function main(): Promise<number> {
  program.parse();
  const o = program.opts<{ stack: string; out: string; configFile?: string; secretsDir?: string; serial?: number; snapshots?: string; dkimState?: string; keepKeys?: string; now?: string }>();
  const started = Date.now();
  let written;
  try {
    written = await synthToDirectory(o.stack, o.out, {
      ...(o.configFile !== undefined ? { configFile: o.configFile } : {}),
      ...(o.secretsDir !== undefined ? { secretsDir: o.secretsDir } : {}),
      ...(o.serial !== undefined ? { serial: o.serial } : {}),
      ...(o.snapshots !== undefined ? { snapshots: JSON.parse(readFileSync(o.snapshots, "utf8")) as MockSnapshot[] } : {}),
      ...(o.dkimState !== undefined ? { dkimRotationState: readFileSync(o.dkimState, "utf8").trim() } : {}),
      ...(o.now !== undefined ? { now: o.now } : {}),
      ...(o.keepKeys !== undefined ? { keepKeysFrom: o.keepKeys } : {}),
    });
  } catch (e) {
    // ConfigError lists every problem (a restore's snapshot the program refused too); other errors
    // (unreadable file, a name the filesystem refuses) are one line.
    if (e instanceof ConfigError) {
      console.error(e.message);
      return 2;
    }
    console.error(`stack ${o.stack}: ${e instanceof Error ? e.message : String(e)}; nothing was written`);
    return 1;
  }
  const { result, files, fresh } = written;
  const custom = result.resources.filter((r) => r.custom).length;
  console.log(`synth ${o.stack}: ${custom} resources, ${result.records.length} DNS records, ${result.parameters.length} SSM parameters in ${Date.now() - started} ms`);
  const h = result.hostFiles;
  console.log(`user data ${Buffer.from(result.userData, "base64").length} bytes (gzip, of EC2's 16384); host bundle ${h.bundleParameters} SSM parameters (${h.bundleChars} characters, ${h.bundle.length} files)`);
  console.log(`DKIM rotation: ${result.dkimRotation.says}; next up: ${result.dkimRotation.next.says}${result.dkimRotation.next.notBefore !== undefined ? `, not before ${result.dkimRotation.next.notBefore}` : ""}`);
  console.log(`wrote ${fresh ? "new " : ""}${o.out}/{${files.join(",")}}`);
  if (o.secretsDir !== undefined) console.log(`wrote the SSM parameter tree (real secrets, mode 0600) under ${o.secretsDir}`);
  if (result.opaqueSecrets.length > 0) console.log(`opaque secrets (placeholders used): ${result.opaqueSecrets.join(", ")}`);
  return 0;
}

main().then((code) => process.exit(code), (e: unknown) => {
  console.error(e instanceof Error ? (e.stack ?? e.message) : e);
  process.exit(1);
});
