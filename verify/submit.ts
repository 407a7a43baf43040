// Sending real mail for the checks, through nodemailer's SMTP connection: STARTTLS or implicit
// TLS verified against the target's CA, SASL login, the message as raw RFC 5322 text.
import { randomBytes } from "node:crypto";
import SMTPConnection from "nodemailer/lib/smtp-connection";
import { targetAddress } from "./dns-client";
import type { Mailbox, VerifyTarget } from "./types";

export interface SendRequest {
  readonly port: 25 | 465 | 587;
  readonly auth?: Mailbox;
  readonly from: string;
  readonly to: readonly string[];
  readonly message: string;
  readonly size?: number;
  /** Send from this local address (a --source-address slot), not the system's default. */
  readonly localAddress?: string;
}

export interface SendOutcome {
  readonly ok: boolean;
  /** SMTP code of the refusal (0 when the connection failed before any reply). */
  readonly code: number;
  readonly response: string;
}

/** A unique token to find a test message again (subject and body carry it). */
export function token(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(4).toString("hex")}`;
}

export function rfc5322(h: { from: string; to: string; subject: string; body: string; extraHeaders?: string[] }): string {
  const domain = h.from.split("@")[1] ?? "localhost";
  return [
    `From: <${h.from}>`,
    `To: <${h.to}>`,
    `Subject: ${h.subject}`,
    `Date: ${new Date().toUTCString().replace("GMT", "+0000")}`,
    `Message-ID: <${randomBytes(12).toString("hex")}@${domain}>`,
    "MIME-Version: 1.0",
    "Content-Type: text/plain; charset=utf-8",
    ...(h.extraHeaders ?? []),
    "",
    h.body,
    "",
  ].join("\r\n");
}

export async function sendMail(t: VerifyTarget, req: SendRequest): Promise<SendOutcome> {
  const address = await targetAddress(t);
  const conn = new SMTPConnection({
    host: address,
    port: req.port,
    secure: req.port === 465,
    requireTLS: req.port !== 25,
    name: t.heloName,
    connectionTimeout: 30_000,
    greetingTimeout: 30_000,
    socketTimeout: 120_000,
    ...(req.localAddress ? { localAddress: req.localAddress } : {}),
    tls: { servername: t.host, ca: t.caPem, rejectUnauthorized: Boolean(t.caPem) },
  });
  const step = <T>(fn: (cb: (err: SMTPConnection.SMTPError | null | undefined, v?: T) => void) => void) =>
    new Promise<T | undefined>((resolve, reject) => fn((err, v) => (err ? reject(err) : resolve(v))));
  // SMTPConnection reports a failed connect (refused, unreachable) only as an "error" event,
  // never through connect()'s callback: race the two, or a closed port hangs the check.
  let failed: (e: Error) => void = () => undefined;
  const connectError = new Promise<never>((_, reject) => (failed = reject));
  connectError.catch(() => undefined);
  conn.on("error", (e: Error) => failed(e));
  try {
    await Promise.race([step<void>((cb) => conn.connect((e) => cb(e))), connectError]);
    if (req.auth) await step<void>((cb) => conn.login({ user: req.auth!.address, pass: req.auth!.password }, (e) => cb(e)));
    const info = await step<SMTPConnection.SentMessageInfo>((cb) =>
      conn.send({ from: req.from, to: [...req.to], size: req.size }, req.message, (e, i) => cb(e, i)),
    );
    return { ok: true, code: 250, response: info?.response ?? "" };
  } catch (e) {
    const err = e as SMTPConnection.SMTPError;
    return { ok: false, code: err.responseCode ?? 0, response: err.response ?? err.message };
  } finally {
    conn.quit();
    conn.close();
  }
}

/** Send, retrying temporary refusals (greylisting, postscreen's first-contact tests). */
export async function sendWithRetry(t: VerifyTarget, req: SendRequest, attempts = 6, waitMs = 15_000): Promise<SendOutcome> {
  let last: SendOutcome = { ok: false, code: 0, response: "not tried" };
  for (let i = 0; i < attempts; i++) {
    last = await sendMail(t, req);
    if (last.ok || (last.code >= 500 && last.code < 600)) return last;
    await new Promise((r) => setTimeout(r, waitMs));
  }
  return last;
}
