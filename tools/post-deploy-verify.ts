// The entry point of the opt-in post-deploy verify (mailfort:verifyAfterDeploy): the
// @pulumi/command local Command of infra/aws/post-deploy-verify.ts starts it after `pulumi up`
// with the request on stdin. The work is verify/post-deploy/runner.ts's.
import { readFileSync } from "node:fs";
import { Command } from "commander";
import { DEFAULT_RUNNER_OPTIONS, runPostDeploy } from "../verify/post-deploy/runner";
import { readPostDeployRequest } from "../verify/post-deploy/request";

const d = DEFAULT_RUNNER_OPTIONS;
const program = new Command("post-deploy-verify")
  .description("wait for a freshly deployed mailfort server, verify it, print a JSON summary (stdin: the request the program wrote)")
  .option("--smtp-port <n>", "port of the SMTP greeting probe", String(d.smtpPort))
  .option("--https-port <n>", "port of the certificate probe", String(d.httpsPort))
  .option("--poll-seconds <n>", "pause between readiness probes", String(d.pollSeconds))
  .option("--results <file>", "also write every check result (JSON) here")
  .parse();

async function main(): Promise<number> {
  const o = program.opts<{ smtpPort: string; httpsPort: string; pollSeconds: string; results?: string }>();
  const request = readPostDeployRequest(readFileSync(0, "utf8"));
  return runPostDeploy(request, {
    smtpPort: Number(o.smtpPort), httpsPort: Number(o.httpsPort), pollSeconds: Number(o.pollSeconds),
    ...(o.results !== undefined ? { resultsFile: o.results } : {}),
  });
}

main().then((code) => {
  process.exitCode = code;
}, (e: unknown) => {
  process.stderr.write(`post-deploy-verify: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 2;
});
