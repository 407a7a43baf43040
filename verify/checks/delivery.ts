// Delivery checks: mail from outside reaches a mailbox and is read back over IMAPS; mail from
// an authenticated user reaches the remote MX with DKIM, SPF and DMARC all passing as judged
// there (mailauth on the message the remote stored, with the DNS the world sees).
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { authenticate } from "mailauth";
import { mailauthResolver, targetAddress } from "../dns-client";
import { poll } from "../poll";
import { rfc5322, sendWithRetry, token } from "../submit";
import { type Check, fail, skip } from "../types";
import { imapLogin } from "./auth";

export const deliveryChecks: Check[] = [
  {
    id: "delivery-inbound-imap",
    title: "mail from outside reaches the mailbox and is read back over IMAPS",
    run: async (t) => {
      const box = t.mailboxes[0] ?? skip("no test mailbox given");
      const from = `sender@${t.externalRecipient.split("@")[1]}`;
      const tok = token("inbound");
      const sent = await sendWithRetry(t, { port: 25, from, to: [box.address], message: rfc5322({ from, to: box.address, subject: tok, body: `inbound test ${tok}` }) });
      if (!sent.ok) fail(`refused: ${sent.code} ${sent.response}`);
      const started = Date.now();
      const found = await poll(async () => {
        const c = await imapLogin(t, box);
        try {
          await c.mailboxOpen("INBOX");
          const uids = await c.search({ subject: tok }, { uid: true });
          return uids && uids.length > 0 ? uids : undefined;
        } finally {
          await c.logout().catch(() => undefined);
        }
      }, 120_000);
      if (!found) fail(`accepted (${sent.response}) but not in ${box.address}'s INBOX after 120 s`);
      return `accepted, in INBOX after ${((Date.now() - started) / 1000).toFixed(1)} s (uid ${found.join(",")})`;
    },
  },
  {
    id: "delivery-outbound-authenticated",
    title: "mail from an authenticated user reaches the remote MX with DKIM, SPF and DMARC passing there",
    run: async (t) => {
      const box = t.mailboxes[0] ?? skip("no test mailbox given");
      const maildir = t.remoteMaildir ?? skip("no remote mailbox to read (lab only: --remote-maildir)");
      const to = t.remoteRecipient ?? skip("no remote recipient (--remote-recipient)");
      const tok = token("outbound");
      const sent = await sendWithRetry(t, { port: 587, auth: box, from: box.address, to: [to], message: rfc5322({ from: box.address, to, subject: tok, body: `outbound test ${tok}` }) });
      if (!sent.ok) fail(`submission refused: ${sent.code} ${sent.response}`);
      const file = await poll(async () => {
        for (const sub of ["new", "cur"]) {
          let names: string[] = [];
          try {
            names = readdirSync(join(maildir, sub));
          } catch {
            continue;
          }
          for (const n of names) {
            const text = readFileSync(join(maildir, sub, n));
            if (text.includes(tok)) return text;
          }
        }
        return undefined;
      }, 180_000);
      if (!file) fail(`submitted (${sent.response}) but not delivered to ${to} within 180 s`);
      const result = await authenticate(file, {
        ip: await targetAddress(t),
        helo: t.host,
        sender: box.address,
        mta: "remote-verifier",
        resolver: mailauthResolver(t),
      });
      const dkim = result.dkim.results.map((r) => `${r.status.result}${r.signingDomain ? `(${r.signingDomain})` : ""}`).join(",") || "none";
      const spf = result.spf ? result.spf.status.result : "none";
      const dmarc = result.dmarc ? result.dmarc.status.result : "none";
      const verdict = `DKIM ${dkim}, SPF ${spf}, DMARC ${dmarc}`;
      if (!result.dkim.results.some((r) => r.status.result === "pass") || spf !== "pass" || dmarc !== "pass") fail(verdict);
      return verdict;
    },
  },
];
