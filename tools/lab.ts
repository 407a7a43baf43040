// `npm run lab`: boot the synthesized mailfort server in a local Debian 13 VM on a closed
// network and verify it end to end. Subcommands: run (default), up, down, hosts, smoke, image,
// net-up. The work is lab/'s (one front: lab/index.ts); this file only parses and prints.
import { writeFileSync } from "node:fs";
import { Command } from "commander";
import { buildImage, ensureLabPrerequisites, labDown, labHostsInfo, labRun, labSmoke, labStackConfig, labUp, networkUp } from "../lab";
import { tally, tallyText } from "../verify/contract";
import { formatResult } from "../verify/suite";

function log(line: string): void {
  process.stderr.write(`[lab ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
}

function requireRoot(): void {
  if (process.getuid && process.getuid() !== 0) {
    throw new Error("the lab creates network namespaces and runs qemu: run it as root (sudo npm run lab)");
  }
  ensureLabPrerequisites(log);
}

const program = new Command("lab").description("the mailfort lab: a local VM on a closed network, verified end to end");

program
  .command("hosts")
  .description("print the lab hosts, namespaces, addresses, domains, test mailboxes and CA path as JSON")
  .action(() => {
    process.stdout.write(`${JSON.stringify(labHostsInfo(), null, 2)}\n`);
  });

program
  .command("net-up")
  .description("create only the closed network (namespaces, bridge, veths, tap)")
  .action(() => {
    requireRoot();
    networkUp(log);
  });

program
  .command("image")
  .description("build the lab VM image, or reuse the cached one; prints its paths as JSON")
  .action(async () => {
    requireRoot();
    const image = await buildImage(labStackConfig(), log);
    process.stdout.write(`${JSON.stringify(image, null, 2)}\n`);
  });

program
  .command("smoke")
  .description("boot the lab image with a stand-in user data, wait for readiness, power off")
  .option("--timeout <seconds>", "readiness timeout", "600")
  .action(async (opts: { timeout: string }) => {
    requireRoot();
    const { ready, memoryUsedMb } = await labSmoke({ readyTimeoutSeconds: Number(opts.timeout) }, log);
    log(`vm: ${ready.ready ? "READY" : "NOT READY"} after ${ready.seconds.toFixed(0)} s: ${ready.detail}`);
    if (memoryUsedMb !== undefined) log(`vm: guest memory used ${memoryUsedMb} MiB`);
    if (!ready.ready) process.exitCode = 1;
  });

program
  .command("down")
  .description("stop everything the lab started and delete its namespaces")
  .action(async () => {
    requireRoot();
    await labDown(log);
  });

program
  .command("up")
  .description("synth, build/reuse the image, start network + DNS + remote, boot and wait; leave it running")
  .option("--timeout <seconds>", "readiness timeout", "1500")
  .option("--secrets-disk", "quick run: seed the secrets from a disk (MFSECRETS) instead of SSM")
  .action(async (opts: { timeout: string; secretsDisk?: boolean }) => {
    requireRoot();
    const up = await labUp({ readyTimeoutSeconds: Number(opts.timeout), secretsDisk: Boolean(opts.secretsDisk) }, log);
    log(`vm: ${up.ready.ready ? "READY" : "NOT READY"} after ${Math.round(up.ready.seconds)} s: ${up.ready.detail}`);
    // The command itself stays in the foreground: it plays EC2's part (the instance's status
    // checks every minute, which the stack's alarms watch) for as long as it runs.
    log("the lab stays up: `npm run lab -- hosts` shows how to reach it; `npm run lab -- down` stops it. This command keeps publishing EC2's status checks for the alarms; ^C ends that and leaves the lab up");
    if (!up.ready.ready) process.exitCode = 1;
  });

program
  .command("run", { isDefault: true })
  .description("the whole lab: up, verify every check, print the report, tear down (non-zero exit on any failure)")
  .option("--timeout <seconds>", "readiness timeout", "1500")
  .option("--report <file.json>", "write the results as JSON [{id, title, status, detail, seconds}]")
  .option("--keep-up", "leave the lab running after the checks")
  .option("--no-replace", "skip the replacement boot (which checks that mail survives a new instance and a restore from a snapshot)")
  .option("--secrets-disk", "quick run: seed the secrets from a disk (MFSECRETS) instead of SSM with the instance role (aws-secrets-ssm then fails)")
  .action(async (opts: { timeout: string; report?: string; keepUp?: boolean; replace: boolean; secretsDisk?: boolean }) => {
    requireRoot();
    // Stopped from outside (the lab test's ceiling, CI's limit, ^C): tear the lab down first, or
    // the VM and the emulators outlive the run (seen 2026-12-03: a stopped run left qemu running).
    const stop = (sig: NodeJS.Signals) => {
      log(`run: ${sig}: ${opts.keepUp ? "leaving the lab up (--keep-up)" : "tearing the lab down"} before exiting`);
      void (opts.keepUp ? Promise.resolve() : labDown(log))
        .catch((e: unknown) => log(`down: ${e instanceof Error ? e.message : String(e)}`))
        .finally(() => process.exit(sig === "SIGINT" ? 130 : 143));
    };
    process.once("SIGTERM", stop);
    process.once("SIGINT", stop);
    const { results, figures } = await labRun({ readyTimeoutSeconds: Number(opts.timeout), keepUp: Boolean(opts.keepUp), replace: opts.replace, secretsDisk: Boolean(opts.secretsDisk) }, log);
    process.stdout.write("\n== mailfort lab report\n");
    for (const r of results) process.stdout.write(`${formatResult(r)}\n`);
    const counts = tally(results);
    process.stdout.write(
      `\nfigures: ${figures.accelerator?.detail ?? "accelerator unknown (no boot)"}\n` +
        `image ${figures.imageCached ? "cached (reused)" : `built in ${figures.imageBuildSeconds} s (cold)`}${figures.ec2ImageBuildSeconds !== undefined ? ` (ec2 image ${figures.ec2ImageBuildSeconds > 0 ? `built in ${figures.ec2ImageBuildSeconds} s` : "reused"})` : ""}, boot-to-ready ${figures.bootToReadySeconds ?? "-"} s (replacement ${figures.replacementBootToReadySeconds ?? "-"} s), ` +
        `ACME certificate ${figures.certificateSeconds ?? "-"} s after readiness (replacement ${figures.replacementCertificateSeconds ?? "-"} s), ` +
        `verify ${figures.verifySeconds ?? "-"} s, faults ${figures.faultsSeconds ?? "-"} s, DKIM rotation ${figures.dkimRotationSeconds ?? "-"} s, VM memory used after checks ${figures.memoryUsedMb ?? "-"} MiB, ` +
        `webmail (PHP-FPM PSS) ${figures.webmailMemoryAtRestMb ?? "-"} MiB at rest, ${figures.webmailMemoryWithSessionMb ?? "-"} MiB with one session, total ${figures.totalSeconds} s\n`,
    );
    process.stdout.write(`lab: ${tallyText(counts)}\n`);
    if (opts.report) writeFileSync(opts.report, `${JSON.stringify(results, null, 2)}\n`);
    if (counts.failed > 0 || results.length === 0) process.exitCode = 1;
  });

program.parseAsync(process.argv).catch((err: unknown) => {
  log(err instanceof Error ? err.message : String(err));
  process.exit(1);
});
