// Authentication checks: no AUTH before TLS, no plaintext mail-reading ports, wrong passwords
// refused (SMTP and IMAP), and an authenticated user cannot send as someone else's address.
import { connect as netConnect } from "node:net";
import { ImapFlow } from "imapflow";
import { targetAddress } from "../dns-client";
import { SmtpProbe, ehlo } from "../smtp-probe";
import { rfc5322, sendMail } from "../submit";
import type { PortState } from "../ban-watch";
import { type Check, type Mailbox, type VerifyTarget, fail, skip } from "../types";

function plainAuth(m: Mailbox): string {
  return Buffer.from(`\0${m.address}\0${m.password}`).toString("base64");
}

function firstMailbox(t: VerifyTarget): Mailbox {
  return t.mailboxes[0] ?? skip("no test mailbox given (--user/--password)");
}

/** TCP connect: "open", "refused" or "filtered" (no answer in time). */
export function portState(address: string, port: number, timeoutMs = 8000, localAddress?: string): Promise<PortState> {
  return new Promise((resolve) => {
    const s = netConnect({ host: address, port, ...(localAddress ? { localAddress } : {}) });
    const done = (state: PortState) => {
      s.destroy();
      resolve(state);
    };
    s.setTimeout(timeoutMs, () => done("filtered"));
    s.once("connect", () => done("open"));
    s.once("error", (e: NodeJS.ErrnoException) => done(e.code === "ECONNREFUSED" ? "refused" : "filtered"));
  });
}

/** `localAddress`: sign in from this --source-address slot (tls.connect takes it with the TLS options). */
export async function imapLogin(t: VerifyTarget, m: Mailbox, localAddress?: string): Promise<ImapFlow> {
  const client = new ImapFlow({
    host: await targetAddress(t),
    port: 993,
    secure: true,
    servername: t.host,
    auth: { user: m.address, pass: m.password },
    tls: { ca: t.caPem, rejectUnauthorized: Boolean(t.caPem), servername: t.host, ...(localAddress ? { localAddress } : {}) },
    logger: false,
    connectionTimeout: 30_000,
    greetingTimeout: 30_000,
  });
  client.on("error", () => undefined);
  await client.connect();
  return client;
}

export const authChecks: Check[] = [
  {
    id: "auth-not-before-tls",
    title: "submission (587): AUTH is not offered before STARTTLS, and refused if tried",
    run: async (t) => {
      const m = firstMailbox(t);
      const { probe, greeting } = await SmtpProbe.open({ host: t.host, address: await targetAddress(t), port: 587 });
      try {
        if (greeting.code !== 220) fail(`greeting: ${greeting.text}`);
        const { extensions } = await ehlo(probe, t.heloName);
        if (extensions.some((e) => e.startsWith("AUTH"))) fail(`AUTH offered in clear: ${extensions.join(", ")}`);
        if (!extensions.includes("STARTTLS")) fail(`STARTTLS not offered: ${extensions.join(", ")}`);
        const r = await probe.cmd(`AUTH PLAIN ${plainAuth(m)}`);
        if (r.code >= 200 && r.code < 400) fail(`AUTH PLAIN in clear answered ${r.text}`);
        return `EHLO lists ${extensions.join(" ")}; AUTH in clear -> ${r.text}`;
      } finally {
        probe.close();
      }
    },
  },
  {
    id: "auth-port25-no-auth",
    title: "port 25 does not offer AUTH (submission is for 465/587)",
    run: async (t) => {
      const { probe, greeting } = await SmtpProbe.open({ host: t.host, address: await targetAddress(t), port: 25 });
      try {
        if (greeting.code !== 220) return `refused at connect: ${greeting.text}`;
        const { extensions } = await ehlo(probe, t.heloName);
        if (extensions.some((e) => e.startsWith("AUTH"))) fail(`AUTH offered on 25 before TLS: ${extensions.join(", ")}`);
        return `EHLO lists ${extensions.join(" ")}`;
      } finally {
        probe.close();
      }
    },
  },
  {
    id: "auth-plaintext-ports-closed",
    title: "plaintext IMAP (143) and POP3 (110) are closed",
    run: async (t) => {
      const address = await targetAddress(t);
      const states = await Promise.all([143, 110].map(async (p) => `${p}: ${await portState(address, p)}`));
      if (states.some((s) => s.endsWith("open"))) fail(states.join(", "));
      return states.join(", ");
    },
  },
  {
    id: "auth-wrong-password-smtp",
    title: "submission refuses a wrong password",
    run: async (t) => {
      const m = firstMailbox(t);
      const r = await sendMail(t, { port: 587, auth: { address: m.address, password: `${m.password}-wrong` }, from: m.address, to: [m.address], message: rfc5322({ from: m.address, to: m.address, subject: "wrong password", body: "x" }) });
      if (r.ok) fail("mail accepted with a wrong password");
      if (r.code !== 535) fail(`expected 535, got ${r.code} ${r.response}`);
      return r.response;
    },
  },
  {
    id: "auth-wrong-password-imap",
    title: "IMAPS refuses a wrong password",
    run: async (t) => {
      const m = firstMailbox(t);
      try {
        const c = await imapLogin(t, { address: m.address, password: `${m.password}-wrong` });
        await c.logout();
      } catch (e) {
        return `refused: ${e instanceof Error ? e.message : String(e)}`;
      }
      return fail("IMAP login succeeded with a wrong password");
    },
  },
  {
    id: "auth-no-send-as-other",
    title: "an authenticated user cannot send as another user's address",
    run: async (t) => {
      const [a, b] = t.mailboxes;
      if (!a || !b) return skip("needs two test mailboxes");
      const r = await sendMail(t, { port: 587, auth: a, from: b.address, to: [b.address], message: rfc5322({ from: b.address, to: b.address, subject: "forged sender", body: "x" }) });
      if (r.ok) fail(`${a.address} sent as ${b.address}: ${r.response}`);
      if (r.code < 500) fail(`expected a permanent refusal, got ${r.code} ${r.response}`);
      return `${a.address} as ${b.address}: ${r.response}`;
    },
  },
];
