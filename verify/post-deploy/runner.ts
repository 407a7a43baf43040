// The runner behind the opt-in post-deploy verify (mailfort:verifyAfterDeploy), started by the
// @pulumi/command local Command after `pulumi up` (through tools/post-deploy-verify.ts):
// 1. wait until the new instance greets on port 25 and serves HTTPS with the certificate verify
//    will judge;
// 2. run verify once per group, against the Elastic IP, with the stack's record set;
// 3. print verify's report on stderr and ONE JSON summary line on stdout (the `verification`
//    stack output); exit 1 when a check failed and onFailure is fail.
// Test mailbox passwords arrive in environment variables, never on a command line, and are
// blanked out of everything printed.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { type CheckResult, VERIFY_CLI, summarize, tallyText, verifyArgv } from "../contract";
import { smtpGreets, tlsTrusted, waitFor } from "./readiness";
import type { PostDeployRequest } from "./request";

const REPO_ROOT = resolve(__dirname, "..", "..");

/** Knobs for people and tests; the Command uses the defaults. */
export interface RunnerOptions {
  readonly smtpPort: number;
  readonly httpsPort: number;
  readonly pollSeconds: number;
  /** Also write every check result (JSON) here. */
  readonly resultsFile?: string;
}

export const DEFAULT_RUNNER_OPTIONS: RunnerOptions = { smtpPort: 25, httpsPort: 443, pollSeconds: 10 };

const log = (line: string) => process.stderr.write(`post-deploy-verify: ${line}\n`);

function runVerify(args: string[], onLine: (line: string) => void): Promise<number> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, ["--import", "tsx", join(REPO_ROOT, VERIFY_CLI), ...args], { cwd: REPO_ROOT, stdio: ["ignore", "pipe", "pipe"] });
    let pending = "";
    child.stdout.on("data", (d: Buffer) => {
      pending += d.toString();
      const lines = pending.split("\n");
      pending = lines.pop() ?? "";
      lines.forEach(onLine);
    });
    child.stderr.on("data", (d: Buffer) => onLine(d.toString().trimEnd()));
    child.on("error", fail);
    child.on("close", (code) => {
      if (pending !== "") onLine(pending);
      done(code ?? 2);
    });
  });
}

/** The passwords of the test mailboxes, from the environment the Command set. */
function mailboxSecrets(request: PostDeployRequest, env: NodeJS.ProcessEnv): string[] {
  return request.mailboxEnv.map((name) => {
    const value = env[name] ?? "";
    if (!value.includes(":")) throw new Error(`${name}: the variable must hold address:password`);
    return value.slice(value.indexOf(":") + 1);
  }).filter((p) => p !== "");
}

/** Run it all; resolves to the exit code (the summary is on stdout). */
export async function runPostDeploy(request: PostDeployRequest, opts: RunnerOptions = DEFAULT_RUNNER_OPTIONS, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const secrets = mailboxSecrets(request, env);
  // Whatever verify prints passes through here: a password never reaches Pulumi's log or state.
  const blank = (s: string) => secrets.reduce((acc, p) => acc.split(p).join("[secret]"), s);
  const deadline = Date.now() + request.waitSeconds * 1000;
  const pollMs = opts.pollSeconds * 1000;
  // Readiness is reported like a check: under onFailure report a server that never came up
  // still yields a summary (and the deploy succeeds); under fail it fails the deploy.
  const results: CheckResult[] = [];
  const greeting = await waitFor("deploy-ready-smtp", `SMTP greeting on ${request.address}:${opts.smtpPort}`, () => smtpGreets(request.address, opts.smtpPort, 30_000), deadline, pollMs, log);
  results.push(greeting);
  if (greeting.status === "pass" && request.waitForTrustedTls) {
    // Not ready yet (e.g. ACME waits for the registrar's NS records): verify still runs, its TLS checks will say the same.
    const what = `trusted certificate for ${request.host} on ${request.address}:${opts.httpsPort}`;
    results.push(await waitFor("deploy-ready-certificate", what, () => tlsTrusted(request.address, opts.httpsPort, request.host, request.caPem, 20_000), deadline, pollMs, log));
  }
  if (greeting.status === "pass") results.push(...(await verifyGroups(request, blank)));
  if (opts.resultsFile !== undefined) writeFileSync(opts.resultsFile, `${JSON.stringify(results, null, 2)}\n`);
  const summary = summarize(request, results, new Date().toISOString());
  process.stdout.write(`${blank(JSON.stringify(summary))}\n`);
  log(`${tallyText(summary)}${summary.failed > 0 ? `; failing: ${summary.failing.map((f) => f.id).join(", ")}` : ""}`);
  return summary.failed > 0 && request.onFailure === "fail" ? 1 : 0;
}

/** verify, one process per group, with the records (and CA) in a private temporary directory. */
async function verifyGroups(request: PostDeployRequest, blank: (s: string) => string): Promise<CheckResult[]> {
  const work = mkdtempSync(join(tmpdir(), "mailfort-post-deploy-verify-"));
  try {
    const recordsFile = join(work, "records.json");
    writeFileSync(recordsFile, JSON.stringify({ records: request.records }), { mode: 0o600 });
    const caFile = join(work, "ca.pem");
    if (request.caPem !== undefined) writeFileSync(caFile, request.caPem, { mode: 0o600 });
    const results: CheckResult[] = [];
    for (const group of request.groups) {
      const jsonFile = join(work, `verify-${group}.json`);
      const args = verifyArgv({
        host: request.host, address: request.address, domains: request.domains, recordsFile,
        ...(request.caPem !== undefined ? { caFile } : {}),
        mailboxEnv: request.mailboxEnv, limits: request.limits, maxRetry: request.maxRetry, pop3: request.pop3,
        resolvers: request.resolvers, only: request.only, group, jsonFile,
      });
      log(`verify --group ${group}`);
      const code = await runVerify(args, (line) => process.stderr.write(`  ${blank(line)}\n`));
      let groupResults: CheckResult[];
      try {
        groupResults = JSON.parse(readFileSync(jsonFile, "utf8")) as CheckResult[];
      } catch {
        throw new Error(`verify --group ${group} exited ${code} without writing results (see its output above)`);
      }
      results.push(...groupResults.map((r) => ({ ...r, detail: blank(r.detail) })));
    }
    return results;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
