// The outbound per-user limit (the security model's outbound limits): an authenticated user who
// sends past the hourly limit is held (a temporary refusal, nothing lost), while another user
// still sends. It exhausts the limit of the mailbox it uses for an hour, so it takes a mailbox of
// its own: the third --mailbox (the lab's carol), never the first two the other checks use.
import { targetAddress } from "../dns-client";
import { SmtpProbe, type SmtpReply, ehlo } from "../smtp-probe";
import { rfc5322, sendMail, token } from "../submit";
import { type Check, type Mailbox, type VerifyTarget, fail, skip } from "../types";

/** Send `count` messages in one authenticated session on 587; the reply to each DATA. */
async function sendMany(t: VerifyTarget, box: Mailbox, count: number, tok: string): Promise<SmtpReply[]> {
  const { probe, greeting } = await SmtpProbe.open({ host: t.host, address: await targetAddress(t), port: 587, caPem: t.caPem, timeoutMs: 60_000 });
  try {
    if (greeting.code !== 220) fail(`submission greeting: ${greeting.text}`);
    await ehlo(probe, t.heloName);
    await probe.startTls();
    await ehlo(probe, t.heloName);
    const auth = await probe.cmd(`AUTH PLAIN ${Buffer.from(`\0${box.address}\0${box.password}`).toString("base64")}`);
    if (auth.code !== 235) fail(`AUTH as ${box.address} refused: ${auth.code} (the password is not shown)`);
    const replies: SmtpReply[] = [];
    for (let i = 1; i <= count; i++) {
      const mail = await probe.cmd(`MAIL FROM:<${box.address}>`);
      if (mail.code !== 250) { replies.push(mail); break; }
      const rcpt = await probe.cmd(`RCPT TO:<${box.address}>`);
      if (rcpt.code !== 250) { replies.push(rcpt); await probe.cmd("RSET"); continue; }
      const data = await probe.cmd("DATA");
      if (data.code !== 354) { replies.push(data); await probe.cmd("RSET"); continue; }
      const body = rfc5322({ from: box.address, to: box.address, subject: `${tok} ${i} of ${count}`, body: `rate test ${tok} message ${i}` }).replace(/\r\n\./g, "\r\n..");
      replies.push(await probe.data(`${body}\r\n.\r\n`));
    }
    return replies;
  } finally {
    probe.close();
  }
}

export const outboundPerUserLimitCheck: Check = {
  id: "limit-outbound-per-user",
  title: "a user sending past the hourly outbound limit is held, and another user still sends",
  run: async (t) => {
    const limit = t.outboundPerUserPerHour ?? skip("outbound limit unknown (--outbound-limit <n>)");
    const victim = t.mailboxes[2] ?? skip("needs a third --mailbox to exhaust (its limit stays used up for an hour)");
    const other = t.mailboxes[0] ?? skip("no test mailbox given");
    if (limit > 50) skip(`the limit is ${limit} an hour; proving it would send ${limit + 1} messages (the lab uses a small one)`);
    const tok = token("rate");
    const replies = await sendMany(t, victim, limit + 2, tok);
    const firstRefused = replies.findIndex((r) => r.code !== 250);
    const summary = replies.map((r) => r.code).join(",");
    if (firstRefused < 0) fail(`all ${replies.length} messages accepted (limit ${limit}/h): ${summary}`);
    if (firstRefused < limit - 1) fail(`refused after ${firstRefused} messages, before the limit of ${limit}: ${replies[firstRefused]?.text}`);
    const held = replies[firstRefused] as SmtpReply;
    if (held.code < 400 || held.code >= 500) fail(`message ${firstRefused + 1} was refused permanently (${held.text}); past the limit mail must be held, not lost`);
    if (!/rate ?limit/i.test(held.text)) fail(`message ${firstRefused + 1} was deferred, but not by the rate limit: ${held.text}`);
    const others = await sendMail(t, { port: 587, auth: other, from: other.address, to: [other.address], message: rfc5322({ from: other.address, to: other.address, subject: token("rate-other"), body: "another user, same minute" }) });
    if (!others.ok) fail(`${victim.address} was held as expected, but ${other.address} could not send either: ${others.code} ${others.response}`);
    return `${victim.address}: ${firstRefused} accepted, then ${held.text.split("\n")[0]}; ${other.address}: accepted`;
  },
};
