// Reputation lists, judged from outside (the security model's DNSBL/URIBL objective): a client
// listed in a DNSBL the server consults is refused on port 25, naming the list; a message whose
// link is on a URL blocklist scores as spam (deferred by greylisting or refused) while the same
// message with an unlisted link is taken at once. Both need a listing the target really
// consults: the lab serves its own (a DNSBL listing the attacker, a SURBL listing a link host).
import { imapLogin } from "./auth";
import { targetAddress } from "../dns-client";
import { SmtpProbe, ehlo } from "../smtp-probe";
import { rfc5322, sendMail, sendWithRetry, token } from "../submit";
import { type Check, type VerifyTarget, fail, skip } from "../types";

export const dnsblListedClientCheck: Check = {
  id: "reputation-dnsbl-listed-client",
  title: "a client listed in a DNSBL the server consults is refused on port 25, naming the list",
  run: async (t) => {
    const zone = t.dnsblListedIn ?? skip("no DNSBL that lists this client (--listed-in <zone>; the lab's attacker is listed)");
    const { probe, greeting } = await SmtpProbe.open({ host: t.host, address: await targetAddress(t), port: 25, timeoutMs: 60_000 });
    try {
      // postscreen answers 220 and, with the DNSBL verdict "enforce", lets the client talk on
      // only to refuse every recipient with 550: the refusal must come at RCPT at the latest.
      if (greeting.code !== 220) return refusedWith(greeting.code, greeting.text, zone, "greeting");
      const hello = await ehlo(probe, t.heloName);
      if (hello.reply.code !== 250) return refusedWith(hello.reply.code, hello.reply.text, zone, "EHLO");
      const mail = await probe.cmd(`MAIL FROM:<listed@${t.heloName}>`);
      if (mail.code !== 250) return refusedWith(mail.code, mail.text, zone, "MAIL");
      const rcpt = await probe.cmd(`RCPT TO:<${t.mailboxes[0]?.address ?? `postmaster@${t.domains[0]}`}>`);
      if (rcpt.code >= 200 && rcpt.code < 300) fail(`the listed client's recipient was accepted: ${rcpt.text}`);
      return refusedWith(rcpt.code, rcpt.text, zone, "RCPT");
    } finally {
      probe.close();
    }
  },
};

function refusedWith(code: number, text: string, zone: string, stage: string): string {
  if (code < 500 || code >= 600) fail(`expected a permanent refusal naming ${zone}, got ${code} at ${stage}: ${text}`);
  if (!text.toLowerCase().includes(zone.toLowerCase())) fail(`refused at ${stage}, but not for the DNSBL ${zone}: ${text}`);
  return `refused at ${stage}: ${text}`;
}

export const surblListedLinkCheck: Check = {
  id: "reputation-surbl-listed-link",
  title: "a message linking to a host on a URL blocklist scores as spam; the same message with another link is accepted",
  run: async (t) => {
    const listed = t.surblListedHost ?? skip("no link host that a URL blocklist lists (--listed-link <host>; the lab's SURBL lists one)");
    const box = t.mailboxes[0] ?? skip("no test mailbox given");
    const clean = `unlisted-${listed}`;
    // A sender of its own: greylisting defers the listed message and holds its envelope
    // (sender, recipient) for minutes, which must not delay the other checks' mail.
    const from = `${token("surbl")}@${t.externalRecipient.split("@")[1]}`;
    // The same plain message twice; only the link's host differs.
    const message = (host: string, tok: string) => rfc5322({
      from, to: box.address, subject: `Minutes of the meeting ${tok}`,
      body: `Hello,\r\n\r\nthe minutes of today's meeting are at http://${host}/minutes/${tok}\r\n\r\nRegards`,
    });
    const cleanToken = token("surbl-clean");
    const control = await sendWithRetry(t, { port: 25, from, to: [box.address], message: message(clean, cleanToken) });
    if (!control.ok) fail(`the control message (link to ${clean}) was refused: ${control.code} ${control.response}`);
    const listedToken = token("surbl-listed");
    const r = await sendMail(t, { port: 25, from, to: [box.address], message: message(listed, listedToken) });
    if (!r.ok) {
      // 451 from greylisting ("Try again later": the score passed the greylist threshold) or a
      // 5xx spam refusal: either way the listing, the only difference, moved the score.
      if (r.code >= 500 || /try again later|spam|greylist/i.test(r.response)) return `link to ${clean}: accepted; link to ${listed}: ${r.code} ${r.response}`;
      fail(`the listed message was refused, but not as spam: ${r.code} ${r.response}`);
    }
    // Taken at once (greylisting off): the listed one must carry a higher spam score.
    const [cleanBar, listedBar] = await Promise.all([spamBar(t, cleanToken), spamBar(t, listedToken)]);
    if (listedBar - cleanBar < 4) fail(`both accepted; X-Spamd-Bar ${cleanBar} for ${clean}, ${listedBar} for ${listed}: the listing did not score`);
    return `both accepted; X-Spamd-Bar +${cleanBar} for ${clean}, +${listedBar} for ${listed}`;
  },
};

/** The number of '+' in the X-Spamd-Bar header of the message with this token in its subject. */
async function spamBar(t: VerifyTarget, tok: string): Promise<number> {
  const box = t.mailboxes[0] as NonNullable<VerifyTarget["mailboxes"][number]>;
  const deadline = Date.now() + 120_000;
  for (;;) {
    const c = await imapLogin(t, box);
    try {
      await c.mailboxOpen("INBOX");
      const uids = await c.search({ subject: tok }, { uid: true });
      const uid = uids && uids.length > 0 ? uids[0] : undefined;
      if (uid !== undefined) {
        const msg = await c.fetchOne(String(uid), { headers: ["x-spamd-bar"] }, { uid: true });
        const header = msg && msg.headers ? msg.headers.toString("utf8") : "";
        return (/x-spamd-bar:\s*(\S*)/i.exec(header)?.[1] ?? "").split("").filter((ch) => ch === "+").length;
      }
    } finally {
      await c.logout().catch(() => undefined);
    }
    if (Date.now() > deadline) fail(`message ${tok} was accepted but is not in ${box.address}'s INBOX after 120 s`);
    await new Promise((r) => setTimeout(r, 3000));
  }
}
