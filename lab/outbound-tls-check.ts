// Outbound TLS, DANE first (issue 18), from the server to the lab's outside receivers
// (lab/remote/outbound-tls-receivers.ts): one message to each through the guest's sendmail, then
// judged from both sides, the receivers' maildir and the server's own Postfix log and queue:
//   dane           delivered, and the server logs a Verified TLS connection to a certificate no
//                  CA vouches for (self-signed): only its TLSA record can have verified it
//   sts-valid      delivered, Verified (the lab CA's certificate, the MTA-STS enforce policy)
//   sts-wrong      not delivered, still in the queue with a certificate-verification reason:
//                  the policy said enforce, so the server waits rather than send in clear
//   opportunistic  delivered over TLS (unauthenticated is fine: nobody asked for more)
// The deferred message is removed from the queue afterwards, so no later check inherits it.
//
// The MTA-STS policies are fetched before the messages go (fetchStsPolicies says why). Runs
// beside testssl, which mostly waits (lab/run.ts).
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import type { CheckResult } from "../verify/contract";
import { TLS_RECEIVERS, type ReceiverKind, type TlsReceiver } from "./remote/outbound-tls-receivers";
import { tlsMaildir } from "./remote/tls-mxes";
import { guestExec, guestShell } from "./vm/guest-agent";

export const OUTBOUND_TLS_CHECKS: Record<ReceiverKind, { readonly id: string; readonly title: string }> = {
  dane: { id: "outbound-tls-dane", title: "mail to a domain with DNSSEC-signed TLSA records is delivered over TLS verified by DANE (self-signed certificate, no CA)" },
  "sts-valid": { id: "outbound-tls-mta-sts-valid", title: "mail to an MTA-STS enforce domain with a CA-valid certificate is delivered over verified TLS" },
  "sts-wrong": { id: "outbound-tls-mta-sts-wrong-cert-deferred", title: "mail to an MTA-STS enforce domain whose MX shows a wrong certificate is deferred, never sent in clear" },
  opportunistic: { id: "outbound-tls-opportunistic", title: "mail to a domain with neither DANE nor MTA-STS is delivered with opportunistic TLS" },
};

const SENDER = "alice@mailfort.test";
const TIMEOUT_MS = 180_000;

export const recipientOf = (r: TlsReceiver, nonce: string) => `tls-${r.kind}-${nonce}@${r.domain}`;

/** What the server's side shows for one receiver. */
export interface ServerSide {
  /** The TLS grade Postfix logged for its connection to the receiver's MX (Verified, Trusted, Untrusted, Anonymous), if any. */
  readonly tls?: string;
  readonly sent: boolean;
  /** The queue's delay reason for the recipient, if the message is still queued. */
  readonly queuedReason?: string;
}

/** Postfix smtp log lines -> the TLS grade of the last connection to `mx`, and whether `rcpt` was sent. */
export function serverSide(logLines: readonly string[], queue: ReadonlyArray<{ recipient: string; reason: string }>, mx: string, rcpt: string): ServerSide {
  const grade = logLines.map((l) => new RegExp(`(\\w+) TLS connection established to ${mx.replace(/\./g, "\\.")}\\[`).exec(l)?.[1]).filter((g): g is string => g !== undefined).pop();
  const sent = logLines.some((l) => l.includes(`to=<${rcpt}>`) && l.includes("status=sent"));
  const queued = queue.find((q) => q.recipient === rcpt);
  return { ...(grade !== undefined ? { tls: grade } : {}), sent, ...(queued ? { queuedReason: queued.reason } : {}) };
}

/** The verdict for one receiver: pass, and the evidence either way. */
export function outboundTlsVerdict(kind: ReceiverKind, s: ServerSide, delivered: boolean): { pass: boolean; detail: string } {
  const seen = `server: TLS ${s.tls ?? "none logged"}, ${s.sent ? "status=sent" : "not sent"}${s.queuedReason !== undefined ? `, queued (${s.queuedReason})` : ""}; receiver: ${delivered ? "delivered" : "nothing delivered"}`;
  switch (kind) {
    case "dane":
    case "sts-valid":
      return { pass: delivered && s.sent && s.tls === "Verified", detail: seen };
    case "sts-wrong":
      // The certificate's fault, not a receiver that cannot do TLS at all (that defers too).
      return { pass: !delivered && !s.sent && s.queuedReason !== undefined && /certificate/i.test(s.queuedReason), detail: seen };
    case "opportunistic":
      return { pass: delivered && s.sent && s.tls !== undefined, detail: seen };
  }
}

/** Recipients found in the receivers' maildir (virtual(8) writes Delivered-To). */
function deliveredRecipients(): Set<string> {
  const found = new Set<string>();
  for (const sub of ["new", "cur"]) {
    const dir = join(tlsMaildir(), sub);
    if (!existsSync(dir)) continue;
    for (const f of readdirSync(dir)) {
      const m = /^Delivered-To: (\S+)$/im.exec(readFileSync(join(dir, f), "utf8"));
      if (m?.[1]) found.add(m[1].toLowerCase());
    }
  }
  return found;
}

interface QueueEntry { readonly queue_id: string; readonly recipients: ReadonlyArray<{ readonly address: string; readonly delay_reason?: string }> }

async function guestQueue(): Promise<Array<{ id: string; recipient: string; reason: string }>> {
  const out = await guestShell("postqueue -j");
  return out.split("\n").filter(Boolean).flatMap((l) => {
    const q = JSON.parse(l) as QueueEntry;
    return q.recipients.map((r) => ({ id: q.queue_id, recipient: r.address, reason: r.delay_reason ?? "" }));
  });
}

const smtpLog = async (): Promise<string[]> =>
  (await guestShell("journalctl -q --no-pager -o cat SYSLOG_IDENTIFIER=postfix/smtp --since=-30min || true")).split("\n");

/** Whether the server's TLS policy map answered an MTA-STS enforce policy ("secure ...") for a domain. */
export const stsPolicyKnown = (answer: string): boolean => /^secure(\s|$)/.test(answer.trim());

const POLICY_TIMEOUT_MS = 150_000;

/**
 * Asks the server's own TLS policy map (main.cf's smtp_tls_policy_maps, through postmap, as
 * smtp(8) would) for each MTA-STS receiver until it answers the enforce policy. A first contact
 * whose policy fetch does not finish within the resolver's timeout is delivered as if the domain
 * had no policy (RFC 8461 section 5), which is right for a real server but says nothing about
 * enforcement: on a loaded TCG guest the HTTPS fetch alone took longer than 4 s (CI, 2026-12-03).
 * So the policies are fetched first, and the messages then test what Postfix does with them.
 */
async function fetchStsPolicies(log: (l: string) => void): Promise<void> {
  const map = (await guestShell("postconf -hx smtp_tls_policy_maps")).trim();
  if (map === "") throw new Error("main.cf has no smtp_tls_policy_maps: MTA-STS cannot apply");
  const started = Date.now();
  for (const r of TLS_RECEIVERS.filter((x) => x.policyAddress !== undefined)) {
    let tries = 0;
    let answer = "";
    while (!stsPolicyKnown(answer)) {
      if (Date.now() - started > POLICY_TIMEOUT_MS) throw new Error(`the TLS policy map (${map}) gave no MTA-STS policy for ${r.domain} within ${POLICY_TIMEOUT_MS / 1000} s (${tries} asks, last answer: ${answer.trim() || "none"})`);
      if (tries > 0) await new Promise((res) => setTimeout(res, 3000));
      tries += 1;
      answer = (await guestExec(["postmap", "-q", r.domain, map], { timeoutMs: 60_000 })).stdout;
    }
    log(`outbound-tls: ${r.domain}: policy map answered "${answer.trim().slice(0, 80)}" (${tries} ask(s), ${Math.round((Date.now() - started) / 1000)} s)`);
  }
}

export async function outboundTlsChecks(log: (l: string) => void): Promise<CheckResult[]> {
  const started = Date.now();
  const nonce = Date.now().toString(36);
  await fetchStsPolicies(log);
  for (const r of TLS_RECEIVERS) {
    const rcpt = recipientOf(r, nonce);
    const msg = `From: ${SENDER}\nTo: ${rcpt}\nSubject: mailfort lab outbound TLS (${r.kind})\n\nSent to the ${r.kind} receiver.\n`;
    const sent = await guestExec(["/bin/sh", "-c", `printf '%s' "$1" | /usr/sbin/sendmail -f ${SENDER} ${rcpt}`, "sh", msg]);
    if (sent.exitCode !== 0) throw new Error(`the guest's sendmail refused the message to ${rcpt}: ${sent.stderr.trim()}`);
  }
  log(`outbound-tls: one message to each of ${TLS_RECEIVERS.map((r) => r.domain).join(", ")}`);
  let side = new Map<ReceiverKind, { s: ServerSide; delivered: boolean; queueId?: string }>();
  const deadline = Date.now() + TIMEOUT_MS;
  for (;;) {
    const [lines, queue] = [await smtpLog(), await guestQueue()];
    const delivered = deliveredRecipients();
    side = new Map(TLS_RECEIVERS.map((r) => {
      const rcpt = recipientOf(r, nonce);
      const q = queue.find((x) => x.recipient === rcpt);
      return [r.kind, { s: serverSide(lines, queue, r.mx, rcpt), delivered: delivered.has(rcpt), ...(q ? { queueId: q.id } : {}) }] as const;
    }));
    const settled = TLS_RECEIVERS.every((r) => {
      const x = side.get(r.kind);
      return r.kind === "sts-wrong" ? x?.s.queuedReason !== undefined && x.s.queuedReason !== "" : x?.delivered === true && x.s.sent;
    });
    if (settled || Date.now() > deadline) break;
    await new Promise((res) => setTimeout(res, 5000));
    // A first attempt deferred while a policy was fetched is retried now, not after Postfix's backoff.
    if (Date.now() - started > 30_000) await guestExec(["postqueue", "-f"]);
  }
  // The deferred message would sit in the queue for days: gone, so no later check inherits it.
  const wrong = side.get("sts-wrong");
  if (wrong?.queueId !== undefined) await guestExec(["postsuper", "-d", wrong.queueId]);
  const seconds = Math.round((Date.now() - started) / 1000);
  return TLS_RECEIVERS.map((r) => {
    const x = side.get(r.kind) ?? { s: { sent: false }, delivered: false };
    const v = outboundTlsVerdict(r.kind, x.s, x.delivered);
    return { ...OUTBOUND_TLS_CHECKS[r.kind], status: v.pass ? "pass" : "fail", detail: `${r.domain}: ${v.detail}`, seconds };
  });
}
