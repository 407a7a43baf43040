// Content checks on port 25 from an outside client: GTUBE (the spam test string) refused,
// unknown recipients refused at RCPT, and mail forging a domain whose DMARC policy is reject
// refused.
import { targetAddress } from "../dns-client";
import { SmtpProbe, ehlo } from "../smtp-probe";
import { rfc5322, sendWithRetry, token } from "../submit";
import { type Check, type VerifyTarget, fail } from "../types";

const GTUBE = "XJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X";

function inbox(t: VerifyTarget): string {
  return t.mailboxes[0]?.address ?? `postmaster@${t.domains[0]}`;
}

function outsideSender(t: VerifyTarget): string {
  return `sender@${t.externalRecipient.split("@")[1]}`;
}

export const contentChecks: Check[] = [
  {
    id: "content-gtube",
    title: "a message carrying GTUBE is refused",
    run: async (t) => {
      const from = outsideSender(t);
      const to = inbox(t);
      const r = await sendWithRetry(t, { port: 25, from, to: [to], message: rfc5322({ from, to, subject: token("gtube"), body: `This is the GTUBE:\r\n${GTUBE}\r\n` }) });
      if (r.ok) fail(`GTUBE accepted: ${r.response}`);
      if (r.code < 500) fail(`expected a permanent refusal, got ${r.code} ${r.response}`);
      return r.response;
    },
  },
  {
    id: "content-unknown-recipient",
    title: "an unknown recipient is refused at RCPT",
    run: async (t) => {
      const { probe, greeting } = await SmtpProbe.open({ host: t.host, address: await targetAddress(t), port: 25 });
      try {
        if (greeting.code !== 220) fail(`greeting: ${greeting.text}`);
        await ehlo(probe, t.heloName);
        const mail = await probe.cmd(`MAIL FROM:<${outsideSender(t)}>`);
        if (mail.code !== 250) fail(`MAIL refused: ${mail.text}`);
        const rcpt = await probe.cmd(`RCPT TO:<${token("nobody")}@${t.domains[0]}>`);
        if (rcpt.code < 500 || rcpt.code >= 600) fail(`expected 5xx at RCPT, got ${rcpt.text}`);
        return rcpt.text;
      } finally {
        probe.close();
      }
    },
  },
  {
    id: "content-dmarc-forgery",
    title: "mail from outside forging a domain with DMARC p=reject is refused",
    run: async (t) => {
      const forged = `ceo@${t.domains[0]}`;
      const to = inbox(t);
      const r = await sendWithRetry(t, { port: 25, from: forged, to: [to], message: rfc5322({ from: forged, to, subject: token("forgery"), body: "Please wire the money today." }) });
      if (r.ok) fail(`forged mail from ${forged} accepted: ${r.response}`);
      if (r.code < 500) fail(`expected a permanent refusal, got ${r.code} ${r.response}`);
      return r.response;
    },
  },
];
