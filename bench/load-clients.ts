// The load clients of the throughput benchmarks, the same for the VM and the native bench:
// Postfix's smtp-source for (a) and (b) (-d: several messages per connection), and nodemailer
// with a connection pool (bench/smtp-load.ts) for (a') and (c), since smtp-source cannot AUTH.
// Both run inside the sender's network namespace; only the server's address and the
// submission credentials differ between the VM and the native run.
import { spawn } from "node:child_process";
import { join } from "node:path";
import type { LoadResult } from "./smtp-load";
import type { Target } from "./targets";

export const FROM = "bench@remote.test";
export const INBOUND_TO = "alice@mailfort.test";
export const SUBMIT_AS = "alice@mailfort.test";
export const SUBMIT_TO = "bob@mailfort.test";
export const BARE_TO = "nobody@discard.test";
export const BARE_PORT = 2525;

export interface ClientSetup {
  /** The namespace the client runs in (the lab `sender`, or the native bench's own). */
  readonly netns: string;
  readonly host: string;
  readonly sessions: number;
  readonly bodyBytes: number;
  /** Message files for smtp-source (written by writeBenchMessages). */
  readonly files: { readonly bare: string; readonly inbound: string };
  readonly repo: string;
  readonly submission: { readonly password: string; readonly ca: string; readonly servername: string };
}

/** The client's argv for one round of `messages` messages against `target`. */
export function clientArgv(target: Target, messages: number, c: ClientSetup): string[] {
  const netns = ["ip", "netns", "exec", c.netns];
  if (target === "bare" || target === "inbound") {
    const bare = target === "bare";
    return [...netns, "smtp-source", "-d", "-s", String(c.sessions), "-m", String(messages), "-F", bare ? c.files.bare : c.files.inbound,
      "-f", FROM, "-t", bare ? BARE_TO : INBOUND_TO, "-M", "sender.remote.test", `${c.host}:${bare ? BARE_PORT : 25}`];
  }
  const common = ["--host", c.host, "--count", String(messages), "--concurrency", String(c.sessions), "--size", String(c.bodyBytes)];
  const extra = target === "submission"
    ? ["--port", "587", "--from", SUBMIT_AS, "--to", SUBMIT_TO, "--user", SUBMIT_AS, "--pass", c.submission.password, "--ca", c.submission.ca, "--servername", c.submission.servername]
    : ["--port", String(BARE_PORT), "--from", FROM, "--to", BARE_TO];
  return [...netns, join(c.repo, "node_modules", ".bin", "tsx"), join(c.repo, "bench", "smtp-load.ts"), ...common, ...extra];
}

/** A plain, well-formed message (from a domain whose SPF allows the sender host): nothing for Rspamd to reject. */
export function benchMessage(bodyBytes: number, to: string, now = new Date()): string {
  const line = "The quick brown fox jumps over the lazy dog, again and again.";
  const body: string[] = [];
  for (let n = 0; n < bodyBytes; n += line.length + 1) body.push(line);
  return [`From: Bench <${FROM}>`, `To: <${to}>`, "Subject: mailfort throughput bench", `Date: ${now.toUTCString().replace("GMT", "+0000")}`,
    `Message-ID: <bench-${now.getTime()}@remote.test>`, "MIME-Version: 1.0", "Content-Type: text/plain; charset=us-ascii", "", ...body, ""].join("\n");
}

export function runCommand(argv: readonly string[], timeoutMs: number): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(argv[0] as string, argv.slice(1), { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill("SIGTERM"), timeoutMs);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
  });
}

/** When the client started and finished (host ms), and what went wrong, if anything. */
export interface ClientRun {
  readonly t0: number;
  readonly accepted: number;
  readonly error?: string;
}

/**
 * Run one round's client. For smtp-source the host clock brackets the command; nodemailer
 * reports its own clock, which leaves tsx's start-up (not part of the mail path) out.
 */
export async function runClient(target: Target, messages: number, c: ClientSetup): Promise<ClientRun> {
  const t0 = Date.now();
  const r = await runCommand(clientArgv(target, messages, c), 900_000);
  const accepted = Date.now();
  if (target === "bare" || target === "inbound") {
    return { t0, accepted, ...(r.code !== 0 ? { error: `smtp-source exit ${r.code}: ${(r.stderr || r.stdout).trim().slice(0, 300)}` } : {}) };
  }
  return nodeClientRun(r.stdout, r.stderr, messages, accepted);
}

/** The nodemailer client's JSON line as a ClientRun ending at `accepted`. */
export function nodeClientRun(stdout: string, stderr: string, messages: number, accepted: number): ClientRun {
  const line = stdout.trim().split("\n").pop() ?? "";
  try {
    const res = JSON.parse(line) as LoadResult;
    const error = res.failed > 0 || res.sent !== messages ? `${res.failed} of ${messages} refused: ${res.firstError ?? "?"}` : undefined;
    return { t0: accepted - res.seconds * 1000, accepted, ...(error !== undefined ? { error } : {}) };
  } catch {
    return { t0: accepted, accepted, error: `load client: ${(stderr || stdout).trim().slice(0, 300)}` };
  }
}
