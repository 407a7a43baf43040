// What the lab's replacement and restore checks note down before the instance goes and read
// back after the new one boots: one JSON file (--snapshot), written by the checks that run
// before, read by the ones that run after. Also the remote maildir's messages, searched by token,
// and the DKIM verdict on one of them (a key lost or regenerated on the way fails it).
import { existsSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { authenticate } from "mailauth";
import { mailauthResolver, targetAddress } from "../dns-client";
import { type VerifyTarget, skip } from "../types";

export interface ReplaceNotes {
  readonly mailbox: string;
  /** The test mailbox's INBOX subjects before the replacement. */
  readonly subjects: string[];
  /** An outbound message left queued before the snapshot (the remote MX was down). */
  readonly queuedToken: string;
  /** Mail that arrived after the snapshot: it is on the previous volume only, until recovered. */
  readonly late?: {
    readonly inbound: ReadonlyArray<{ readonly mailbox: string; readonly token: string }>;
    readonly queuedToken: string;
  };
}

export function notesFile(t: VerifyTarget): string {
  return t.snapshotFile ?? skip("no --snapshot file given (lab replacement only)");
}

export function readNotes(t: VerifyTarget): ReplaceNotes {
  return JSON.parse(readFileSync(notesFile(t), "utf8")) as ReplaceNotes;
}

export function writeNotes(t: VerifyTarget, notes: ReplaceNotes): void {
  writeFileSync(notesFile(t), JSON.stringify(notes, null, 2));
}

/** Every message in the remote maildir (new/ and cur/) that contains `token`. */
export function remoteMessagesWith(maildir: string, token: string): Buffer[] {
  const found: Buffer[] = [];
  for (const sub of ["new", "cur"]) {
    const dir = join(maildir, sub);
    if (!existsSync(dir)) continue;
    for (const n of readdirSync(dir)) {
      const text = readFileSync(join(dir, n));
      if (text.includes(token)) found.push(text);
    }
  }
  return found;
}

/** DKIM on a message the server delivered to the remote MX: whether a signature passed, and all results. */
export async function remoteDkim(t: VerifyTarget, message: Buffer, sender: string): Promise<{ passed: boolean; results: string }> {
  const result = await authenticate(message, { ip: await targetAddress(t), helo: t.host, sender, mta: "remote-verifier", resolver: mailauthResolver(t) });
  const results = result.dkim.results.map((r) => r.status.result);
  return { passed: results.includes("pass"), results: results.join(",") || "none" };
}
