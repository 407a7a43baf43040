// A restore loses nothing that can be recovered: after the snapshot, more mail arrives (a message
// into every test mailbox, and one outbound message left queued, the remote MX being down); the
// restored server does not have it, and after the recovery from the previous volume it does,
// each message exactly once, the queued one delivered once and DKIM-signed. The message queued
// before the snapshot is delivered once too: the recovery does not requeue it a second time.
import { poll } from "../poll";
import { rfc5322, sendMail, sendWithRetry, token } from "../submit";
import { type Check, type Mailbox, type VerifyTarget, fail, skip } from "../types";
import { imapLogin } from "./auth";
import { readNotes, remoteDkim, remoteMessagesWith, writeNotes } from "./replace-notes";

async function inInbox(t: VerifyTarget, box: Mailbox, tok: string): Promise<number> {
  const c = await imapLogin(t, box);
  try {
    await c.mailboxOpen("INBOX");
    const uids = await c.search({ subject: tok }, { uid: true });
    return uids ? uids.length : 0;
  } finally {
    await c.logout().catch(() => undefined);
  }
}

export const afterSnapshotCheck: Check = {
  id: "restore-after-snapshot-mail",
  title: "after the snapshot: a message into every test mailbox (stored before the old instance stops), one outbound left queued",
  // Up to 120 s per mailbox for the message to be stored.
  timeoutMs: 600_000,
  run: async (t) => {
    const notes = readNotes(t);
    const to = t.remoteRecipient ?? skip("no remote recipient");
    const from = `sender@${t.externalRecipient.split("@")[1]}`;
    const inbound: Array<{ mailbox: string; token: string }> = [];
    for (const box of t.mailboxes) {
      const tok = token("late");
      const sent = await sendWithRetry(t, { port: 25, from, to: [box.address], message: rfc5322({ from, to: box.address, subject: tok, body: `arrived after the snapshot ${tok}` }) });
      if (!sent.ok) fail(`${box.address}: refused ${sent.code} ${sent.response}`);
      if ((await poll(async () => ((await inInbox(t, box, tok)) > 0 ? true : undefined), 120_000)) === undefined) fail(`${tok} not in ${box.address}'s INBOX after 120 s`);
      inbound.push({ mailbox: box.address, token: tok });
    }
    const box = t.mailboxes[0] ?? skip("no test mailbox given");
    const queuedToken = token("late-queued");
    const r = await sendMail(t, { port: 587, auth: box, from: box.address, to: [to], message: rfc5322({ from: box.address, to, subject: queuedToken, body: `queued after the snapshot ${queuedToken}` }) });
    if (!r.ok) fail(`submission refused: ${r.code} ${r.response}`);
    writeNotes(t, { ...notes, late: { inbound, queuedToken } });
    return `${inbound.length} message(s) stored (${inbound.map((i) => i.mailbox).join(", ")}); queued ${queuedToken}`;
  },
};

const lateOf = (t: VerifyTarget) => readNotes(t).late ?? skip("no mail was sent after the snapshot (group after-snapshot)");

export const afterRecoveryChecks: Check[] = [
  {
    id: "restore-late-mail-recovered",
    title: "after the recovery: every message that arrived after the snapshot is in its mailbox, exactly once",
    run: async (t) => {
      const late = lateOf(t);
      const counts = await Promise.all(late.inbound.map(async (m) => {
        const box = t.mailboxes.find((b) => b.address === m.mailbox) ?? skip(`no password for ${m.mailbox}`);
        return `${m.mailbox} ${await inInbox(t, box, m.token)}`;
      }));
      const wrong = counts.filter((c) => !c.endsWith(" 1"));
      if (wrong.length > 0) fail(`not exactly once: ${wrong.join(", ")}`);
      return counts.join(", ");
    },
  },
  {
    id: "restore-late-queue-delivered",
    title: "after the recovery: the message queued after the snapshot is delivered once, DKIM-signed; the one queued before it once too",
    // The 600 s wait below, then 15 s for a second copy.
    timeoutMs: 660_000,
    run: async (t) => {
      const notes = readNotes(t);
      const late = lateOf(t);
      const maildir = t.remoteMaildir ?? skip("no remote maildir");
      const found = await poll(async () => remoteMessagesWith(maildir, late.queuedToken)[0], 600_000, 5000);
      if (found === undefined) fail(`${late.queuedToken} was not delivered within 600 s of the recovery`);
      // A second copy, if the recovery had requeued anything twice, would follow within seconds.
      await new Promise((r) => setTimeout(r, 15_000));
      const copies = { late: remoteMessagesWith(maildir, late.queuedToken).length, early: remoteMessagesWith(maildir, notes.queuedToken).length };
      if (copies.late !== 1 || copies.early !== 1) fail(`delivered ${copies.late}x (queued after the snapshot) and ${copies.early}x (queued before it); each must arrive once`);
      const dkim = await remoteDkim(t, found, notes.mailbox);
      if (!dkim.passed) fail(`delivered once, but DKIM ${dkim.results}`);
      return `each delivered once; DKIM ${dkim.results}`;
    },
  },
];
