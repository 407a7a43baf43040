// Replacement keeps the mail: before the instance is replaced, note what the mailboxes hold and
// leave a message queued (its destination is down); after a fresh instance boots on the same
// data volume, every message must still be there and the queued one must still be delivered,
// signed with the same DKIM key (DNS is unchanged, so a new key would fail DKIM).
import { poll } from "../poll";
import { rfc5322, sendMail, token } from "../submit";
import { type Check, type VerifyTarget, fail, skip } from "../types";
import { imapLogin } from "./auth";
import { readNotes, remoteDkim, remoteMessagesWith, writeNotes } from "./replace-notes";

async function inboxSubjects(t: VerifyTarget): Promise<string[]> {
  const box = t.mailboxes[0] ?? skip("no test mailbox given");
  const c = await imapLogin(t, box);
  try {
    await c.mailboxOpen("INBOX");
    const subjects: string[] = [];
    for await (const m of c.fetch("1:*", { envelope: true })) subjects.push(m.envelope?.subject ?? "");
    return subjects;
  } finally {
    await c.logout().catch(() => undefined);
  }
}

export const beforeReplaceCheck: Check = {
  id: "replace-before",
  title: "before replacement: mailbox contents noted, one outbound message left queued (remote MX down)",
  run: async (t) => {
    const box = t.mailboxes[0] ?? skip("no test mailbox given");
    const to = t.remoteRecipient ?? skip("no remote recipient");
    const subjects = await inboxSubjects(t);
    if (subjects.length === 0) fail(`${box.address}'s INBOX is empty: nothing to prove persistence with`);
    const queuedToken = token("queued");
    const r = await sendMail(t, { port: 587, auth: box, from: box.address, to: [to], message: rfc5322({ from: box.address, to, subject: queuedToken, body: `left queued ${queuedToken}` }) });
    if (!r.ok) fail(`submission refused: ${r.code} ${r.response}`);
    writeNotes(t, { mailbox: box.address, subjects, queuedToken });
    return `${subjects.length} message(s) in ${box.address}'s INBOX; queued ${queuedToken} (${r.response})`;
  },
};

export const afterReplaceChecks: Check[] = [
  {
    id: "replace-mailbox-kept",
    title: "after replacement: every message is still in the mailbox",
    run: async (t) => {
      const snap = readNotes(t);
      const now = await inboxSubjects(t);
      const missing = snap.subjects.filter((s) => !now.includes(s));
      if (missing.length) fail(`missing after replacement: ${missing.join(", ")}`);
      return `${snap.subjects.length} message(s) before, ${now.length} now, none missing`;
    },
  },
  {
    id: "replace-queue-delivered",
    title: "after replacement: the message left queued is delivered, DKIM-signed with the unchanged key",
    // The 600 s wait below outlasts the suite's default limit.
    timeoutMs: 660_000,
    run: async (t) => {
      const snap = readNotes(t);
      const maildir = t.remoteMaildir ?? skip("no remote maildir");
      const found = await poll(async () => remoteMessagesWith(maildir, snap.queuedToken)[0], 600_000, 5000);
      if (found === undefined) fail(`${snap.queuedToken} was not delivered within 600 s of the new instance being ready`);
      const dkim = await remoteDkim(t, found, snap.mailbox);
      if (!dkim.passed) fail(`delivered, but DKIM ${dkim.results}: the signing key changed or is gone`);
      return `delivered after replacement; DKIM ${dkim.results}`;
    },
  },
];
