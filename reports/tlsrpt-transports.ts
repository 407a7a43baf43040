// The real ways a report leaves the host: the local sendmail (Postfix's, so the report is queued,
// retried and DKIM-signed like any mail of the stack) and an HTTPS POST (RFC 8460 section 5.2).
import { spawn } from "node:child_process";
import type { Transports } from "./tlsrpt-send";

/** Seconds an HTTPS destination gets to take a report. */
const POST_TIMEOUT_MS = 30_000;

export function sendmailTransport(sendmail = "/usr/sbin/sendmail"): Transports["sendmail"] {
  return (from, to, message) => new Promise<void>((resolve, reject) => {
    // -i: a line with a lone dot is content; -f: the envelope sender; "--": the address is never an option.
    const child = spawn(sendmail, ["-i", "-f", from, "--", to], { stdio: ["pipe", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => { stderr += d.toString("utf8"); });
    child.on("error", reject);
    child.on("close", (code) => (code === 0 ? resolve() : reject(new Error(`${sendmail} exited ${code}: ${stderr.trim().slice(0, 300)}`))));
    child.stdin.end(message);
  });
}

export function httpsTransport(): Transports["post"] {
  return async (url, body) => {
    if (!url.startsWith("https://")) throw new Error(`${url}: only https: destinations are sent to`);
    const res = await fetch(url, { method: "POST", headers: { "Content-Type": "application/tlsrpt+gzip" }, body, redirect: "error", signal: AbortSignal.timeout(POST_TIMEOUT_MS) });
    if (!res.ok) throw new Error(`${url} answered ${res.status} ${res.statusText}`);
  };
}
