// The runner behind the opt-in post-deploy verify (mailfort:verifyAfterDeploy): the
// @pulumi/command local Command of infra/aws/post-deploy-verify.ts starts it after `pulumi up`.
// 1. wait until the new instance greets on port 25 and serves HTTPS with the certificate verify
//    will judge (the instance boots, then fetches its ACME certificate, for minutes);
// 2. run tools/verify.ts once per group, against the Elastic IP, with the stack's record set;
// 3. print verify's report on stderr and ONE JSON summary line on stdout (the `verification`
//    stack output); exit 1 when a check failed and --on-failure is fail.
// The record set (and the stack CA) arrive on stdin; test mailbox passwords in environment
// variables (--mailbox-env), never on a command line, and are blanked out of everything printed.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { connect as tcpConnect } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { connect as tlsConnect } from "node:tls";
import { Command } from "commander";
import { type VerifyResult, type VerifyStdin, summarize } from "../infra/core/post-deploy-verify";

const REPO_ROOT = resolve(__dirname, "..");
const collect = (v: string, prev: string[]) => [...prev, v];

interface Options {
  host: string;
  address: string;
  domain: string[];
  group: string[];
  waitSeconds: string;
  pollSeconds: string;
  onFailure: string;
  waitForTrustedTls?: boolean;
  mailboxEnv: string[];
  smtpPort: string;
  httpsPort: string;
  results?: string;
}

const program = new Command("post-deploy-verify")
  .description("wait for a freshly deployed mailfort server, verify it, print a JSON summary (stdin: {records, caPem?})")
  .requiredOption("--host <name>", "the server's hostname")
  .requiredOption("--address <ip>", "the server's public IPv4")
  .requiredOption("--domain <domain>", "a mail domain (repeatable)", collect, [] as string[])
  .option("--group <group>", "a verify group (repeatable, run in order)", collect, [] as string[])
  .option("--wait-seconds <n>", "how long to wait for the server to be ready", "1200")
  .option("--poll-seconds <n>", "pause between readiness probes", "10")
  .option("--on-failure <mode>", "fail: exit 1 when a check fails; report: exit 0 and only report", "fail")
  .option("--wait-for-trusted-tls", "also wait until HTTPS presents a certificate that verifies for --host")
  .option("--mailbox-env <var>", "environment variable holding a test mailbox as address:password (repeatable)", collect, [] as string[])
  .option("--smtp-port <n>", "port of the SMTP greeting probe", "25")
  .option("--https-port <n>", "port of the certificate probe", "443")
  .option("--results <file>", "also write every check result (JSON) here")
  .argument("[verify-args...]", "further verify options (after --)");

const log = (line: string) => process.stderr.write(`post-deploy-verify: ${line}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One probe: connect, read until the final "220 " line of the greeting (never interrupt a
 * postscreen pregreet: that would get us refused), then QUIT. Resolves to what went wrong, or "". */
function smtpGreets(address: string, port: number, timeoutMs: number): Promise<string> {
  return new Promise((done) => {
    const socket = tcpConnect({ host: address, port });
    let text = "";
    const finish = (problem: string) => {
      clearTimeout(timer);
      socket.destroy();
      done(problem);
    };
    const timer = setTimeout(() => finish(`no complete greeting within ${timeoutMs / 1000} s (got ${JSON.stringify(text.slice(0, 80))})`), timeoutMs);
    socket.on("data", (d: Buffer) => {
      text += d.toString("latin1");
      const final = text.split("\r\n").find((l) => /^\d{3} /.test(l));
      if (final === undefined) return;
      if (final.startsWith("220 ")) {
        socket.end("QUIT\r\n");
        finish("");
      } else finish(`greeted with ${JSON.stringify(final.slice(0, 80))}`);
    });
    socket.on("error", (e) => finish(e.message));
    socket.on("close", () => finish(`closed before greeting (got ${JSON.stringify(text.slice(0, 80))})`));
  });
}

/** One probe of the HTTPS certificate (nginx: no fail2ban jail counts these connections). */
function tlsTrusted(address: string, port: number, host: string, caPem: string | undefined, timeoutMs: number): Promise<string> {
  return new Promise((done) => {
    const socket = tlsConnect({ host: address, port, servername: host, ...(caPem !== undefined ? { ca: caPem } : {}), rejectUnauthorized: true });
    const finish = (problem: string) => {
      clearTimeout(timer);
      socket.destroy();
      done(problem);
    };
    const timer = setTimeout(() => finish(`no TLS handshake within ${timeoutMs / 1000} s`), timeoutMs);
    socket.on("secureConnect", () => finish(""));
    socket.on("error", (e) => finish(e.message));
  });
}

/** Probe until it succeeds or the deadline passes: a pass, or a failed result saying what was seen last. */
async function waitFor(id: string, what: string, probe: () => Promise<string>, deadline: number, pollMs: number): Promise<VerifyResult> {
  const started = Date.now();
  const seconds = () => Math.round((Date.now() - started) / 1000);
  let last = "";
  for (;;) {
    const problem = await probe();
    if (problem === "") {
      log(`${what}: ready after ${seconds()} s`);
      return { id, title: `${what} before verifying`, status: "pass", detail: `ready after ${seconds()} s`, seconds: seconds() };
    }
    if (problem !== last) log(`${what}: not yet (${problem})`);
    last = problem;
    if (Date.now() + pollMs > deadline) {
      const detail = `not ready before the deadline (--wait-seconds); last: ${problem}`;
      log(`${what}: ${detail}`);
      return { id, title: `${what} before verifying`, status: "fail", detail, seconds: seconds() };
    }
    await sleep(pollMs);
  }
}

function runVerify(args: string[], onLine: (line: string) => void): Promise<{ code: number; stdout: string }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, ["--import", "tsx", join(REPO_ROOT, "tools", "verify.ts"), ...args], { cwd: REPO_ROOT, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let pending = "";
    child.stdout.on("data", (d: Buffer) => {
      stdout += d.toString();
      pending += d.toString();
      const lines = pending.split("\n");
      pending = lines.pop() ?? "";
      lines.forEach(onLine);
    });
    child.stderr.on("data", (d: Buffer) => onLine(d.toString().trimEnd()));
    child.on("error", fail);
    child.on("close", (code) => {
      if (pending !== "") onLine(pending);
      done({ code: code ?? 2, stdout });
    });
  });
}

function readStdin(): VerifyStdin {
  const text = readFileSync(0, "utf8");
  const doc = JSON.parse(text === "" ? "{}" : text) as Partial<VerifyStdin>;
  if (!Array.isArray(doc.records)) throw new Error('stdin must be JSON {"records": [...], "caPem"?: "..."}');
  return { records: doc.records, ...(typeof doc.caPem === "string" ? { caPem: doc.caPem } : {}) };
}

async function main(): Promise<number> {
  program.parse(process.argv);
  const o = program.opts<Options>();
  const passthrough = program.args;
  if (!["fail", "report"].includes(o.onFailure)) throw new Error(`--on-failure ${o.onFailure}: expected fail or report`);
  const groups = o.group.length > 0 ? o.group : ["client"];
  const secrets = o.mailboxEnv.map((name) => {
    const value = process.env[name] ?? "";
    if (!value.includes(":")) throw new Error(`--mailbox-env ${name}: the variable must hold address:password`);
    return value.slice(value.indexOf(":") + 1);
  }).filter((p) => p !== "");
  // Whatever verify prints passes through here: a password never reaches Pulumi's log or state.
  const blank = (s: string) => secrets.reduce((acc, p) => acc.split(p).join("[secret]"), s);
  const input = readStdin();

  const deadline = Date.now() + Number(o.waitSeconds) * 1000;
  const pollMs = Number(o.pollSeconds) * 1000;
  // Readiness is reported like a check: under --on-failure report a server that never came up
  // still yields a summary (and the deploy succeeds); under fail it fails the deploy.
  const results: VerifyResult[] = [];
  const greeting = await waitFor("deploy-ready-smtp", `SMTP greeting on ${o.address}:${o.smtpPort}`, () => smtpGreets(o.address, Number(o.smtpPort), 30_000), deadline, pollMs);
  results.push(greeting);
  if (greeting.status === "pass" && o.waitForTrustedTls === true) {
    // Not ready yet (e.g. ACME waits for the registrar's NS records): verify still runs, its TLS checks will say the same.
    results.push(await waitFor("deploy-ready-certificate", `trusted certificate for ${o.host} on ${o.address}:${o.httpsPort}`, () => tlsTrusted(o.address, Number(o.httpsPort), o.host, input.caPem, 20_000), deadline, pollMs));
  }
  if (greeting.status === "fail") return finish(o, groups, results, blank);

  const work = mkdtempSync(join(tmpdir(), "mailfort-post-deploy-verify-"));
  try {
    const recordsFile = join(work, "records.json");
    writeFileSync(recordsFile, JSON.stringify({ records: input.records }), { mode: 0o600 });
    const caFile = join(work, "ca.pem");
    if (input.caPem !== undefined) writeFileSync(caFile, input.caPem, { mode: 0o600 });
    for (const group of groups) {
      const json = join(work, `verify-${group}.json`);
      const args = [
        "--host", o.host, "--address", o.address, ...o.domain.flatMap((d) => ["--domain", d]),
        "--records", recordsFile, ...(input.caPem !== undefined ? ["--ca", caFile] : []),
        ...o.mailboxEnv.flatMap((name) => ["--mailbox-env", name]),
        ...passthrough, "--group", group, "--json", json,
      ];
      log(`verify --group ${group}`);
      const { code } = await runVerify(args, (line) => process.stderr.write(`  ${blank(line)}\n`));
      let groupResults: VerifyResult[];
      try {
        groupResults = JSON.parse(readFileSync(json, "utf8")) as VerifyResult[];
      } catch {
        throw new Error(`verify --group ${group} exited ${code} without writing results (see its output above)`);
      }
      results.push(...groupResults.map((r) => ({ ...r, detail: blank(r.detail) })));
    }
    return finish(o, groups, results, blank);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** Print the one-line summary on stdout; the exit code follows --on-failure. */
function finish(o: Options, groups: string[], results: VerifyResult[], blank: (s: string) => string): number {
  if (o.results !== undefined) writeFileSync(o.results, `${JSON.stringify(results, null, 2)}\n`);
  const summary = summarize({ host: o.host, address: o.address, groups }, results, new Date().toISOString());
  process.stdout.write(`${blank(JSON.stringify(summary))}\n`);
  log(`${summary.passed} passed, ${summary.failed} failed, ${summary.skipped} skipped${summary.failed > 0 ? `; failing: ${summary.failing.map((f) => f.id).join(", ")}` : ""}`);
  return summary.failed > 0 && o.onFailure === "fail" ? 1 : 0;
}

main().then((code) => {
  process.exitCode = code;
}, (e: unknown) => {
  log(e instanceof Error ? e.message : String(e));
  process.exitCode = 2;
});
