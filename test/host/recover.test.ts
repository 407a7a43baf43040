// After a restore, mailfort-recover brings the mail that arrived after the snapshot over from the
// previous volume; mailfort-mailcount counts (and hashes) what a volume holds, also as the
// restore drill does on a crash-consistent copy. Both run for real here, as root, on loop
// devices with ext4 filesystems laid out as the server lays out its data volume. (The Postfix
// queue half of the recovery needs a running Postfix: the lab proves it, lab/restore.ts.)
import { execFileSync, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { recoverParameters } from "../../restore/recover-commands";

const BIN = join(__dirname, "../../configs/bin");
const missing = process.getuid?.() !== 0 ? "not root (losetup and mount need root)"
  : ["losetup", "mkfs.ext4", "e2fsck", "mount", "findmnt", "sha256sum"].find((t) => spawnSync("sh", ["-c", `command -v ${t}`]).status !== 0);
if (missing && process.env.CI === "true") throw new Error(`recover tests cannot run in CI: ${missing}`);
if (missing) console.warn(`SKIPPING recover tests: ${missing}`);

const cleanups: Array<() => void> = [];
afterEach(() => { while (cleanups.length) cleanups.pop()?.(); });

const SNAPSHOT = 1_780_000_000; // the snapshot's time, seconds since the epoch
const VMAIL = 5000;

function tempDir(prefix: string): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  cleanups.push(() => rmSync(d, { recursive: true, force: true }));
  return d;
}

/** An ext4 image labelled like a data volume, filled through `fill(mountpoint)`, on a loop device. */
function volume(fill: (root: string) => void, label = "mailfort-data"): { dev: string; image: string } {
  const image = join(tempDir("mailfort-prev-"), "data.img");
  execFileSync("truncate", ["-s", "64M", image]);
  execFileSync("mkfs.ext4", ["-q", "-L", label, image]);
  const mnt = tempDir("mailfort-fill-");
  execFileSync("mount", ["-o", "loop", image, mnt]);
  try { fill(mnt); } finally { execFileSync("umount", [mnt]); }
  return { dev: attach(image), image };
}

function attach(image: string): string {
  const dev = execFileSync("losetup", ["-f", "--show", image], { encoding: "utf8" }).trim();
  cleanups.push(() => { spawnSync("losetup", ["-d", dev]); });
  return dev;
}

/** A maildir message file; `at` is its delivery time, which starts its name as Dovecot writes it. */
function message(root: string, box: string, folder: string, sub: "cur" | "new", at: number, body: string): void {
  const dir = join(root, "mail", box, "Maildir", folder, sub);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${at}.M${at % 997}P42.mail,S=${body.length}${sub === "cur" ? ":2,S" : ""}`), body);
}

const mail = (subject: string) => `From: someone@remote.test\r\nSubject: ${subject}\r\n\r\n${subject} body\r\n`;

function envFile(dataDir: string): string {
  const env = join(tempDir("mailfort-env-"), "mailfort.env");
  writeFileSync(env, `MAILFORT_DATA_DIR=${dataDir}\nMAILFORT_VMAIL_ID=${VMAIL}\n`);
  return env;
}

function recover(env: string, dev: string, since: string, spool: string) {
  const r = spawnSync("bash", [join(BIN, "mailfort-recover"), dev, since], { encoding: "utf8", env: { ...process.env, MAILFORT_ENV: env, MAILFORT_SPOOL: spool, PATH: process.env.PATH ?? "" } });
  return { status: r.status, out: r.stdout, err: r.stderr };
}

function mailcount(args: string[]) {
  const r = spawnSync("bash", [join(BIN, "mailfort-mailcount"), ...args], { encoding: "utf8", env: { ...process.env, MAILFORT_CONSOLES: "" } });
  return { status: r.status, out: r.stdout, err: r.stderr };
}

/** Every message file under a Maildir, as "<folder>/<cur|new> <content sha256>". */
function contents(maildir: string): string[] {
  const out: string[] = [];
  for (const folder of ["", ...readdirSync(maildir).filter((d) => d.startsWith("."))]) {
    for (const sub of ["cur", "new"]) {
      const dir = join(maildir, folder, sub);
      if (!existsSync(dir)) continue;
      for (const f of readdirSync(dir)) out.push(`${folder || "INBOX"}/${sub} ${createHash("sha256").update(readFileSync(join(dir, f))).digest("hex").slice(0, 12)}`);
    }
  }
  return out.sort();
}

const sha = (s: string) => createHash("sha256").update(s).digest("hex").slice(0, 12);

describe.skipIf(Boolean(missing))("mailfort-recover", () => {
  /** The previous volume at cutover, and the restored one as the snapshot had it (plus one new message). */
  function scene() {
    const previous = volume((root) => {
      message(root, "example.test/alice", "", "cur", SNAPSHOT - 86_400, mail("old, read"));
      message(root, "example.test/alice", "", "new", SNAPSHOT - 600, mail("just before the snapshot"));
      message(root, "example.test/alice", "", "new", SNAPSHOT + 60, mail("after the snapshot"));
      message(root, "example.test/alice", ".Archive", "cur", SNAPSHOT + 120, mail("filed after the snapshot"));
      // Moved to a folder after the snapshot: a new name, the same bytes as a message the snapshot has.
      message(root, "example.test/alice", ".Moved", "cur", SNAPSHOT + 180, mail("old, read"));
      message(root, "example.test/bob", "", "new", SNAPSHOT + 240, mail("bob's first mail, after the snapshot"));
    });
    const data = tempDir("mailfort-restored-");
    message(data, "example.test/alice", "", "cur", SNAPSHOT - 86_400, mail("old, read"));
    message(data, "example.test/alice", "", "new", SNAPSHOT - 600, mail("just before the snapshot"));
    message(data, "example.test/alice", "", "new", SNAPSHOT + 3_600, mail("delivered to the restored server"));
    const spool = tempDir("mailfort-spool-");
    return { previous, data, spool, env: envFile(data) };
  }

  it("copies exactly the mail that arrived after the snapshot into the same mailbox and folder, and nothing twice", () => {
    const s = scene();
    const imageBefore = createHash("sha256").update(readFileSync(s.previous.image)).digest("hex");
    const r = recover(s.env, s.previous.dev, new Date(SNAPSHOT * 1000).toISOString(), s.spool);
    expect(r.err).toBe("");
    expect(r.status).toBe(0);
    expect(r.out).toMatch(/mailbox alice@example\.test recovered 2 skipped 1/);
    expect(r.out).toMatch(/mailbox bob@example\.test recovered 1 skipped 0/);
    expect(r.out).toMatch(/queue requeued 0 skipped 0/);
    expect(contents(join(s.data, "mail/example.test/alice/Maildir"))).toEqual([
      `.Archive/cur ${sha(mail("filed after the snapshot"))}`,
      `INBOX/cur ${sha(mail("old, read"))}`,
      `INBOX/new ${sha(mail("after the snapshot"))}`,
      `INBOX/new ${sha(mail("delivered to the restored server"))}`,
      `INBOX/new ${sha(mail("just before the snapshot"))}`,
    ].sort());
    // A mailbox made after the snapshot comes back owned by the virtual mail user, every level.
    const bob = join(s.data, "mail/example.test/bob/Maildir");
    expect(contents(bob)).toEqual([`INBOX/new ${sha(mail("bob's first mail, after the snapshot"))}`]);
    for (const p of [dirname(bob), bob, join(bob, "new"), join(bob, "tmp"), join(bob, "new", readdirSync(join(bob, "new"))[0] as string)]) {
      expect(statSync(p).uid, p).toBe(VMAIL);
    }
    expect(readdirSync(join(bob, "tmp"))).toEqual([]);
    // Read only: the previous volume is bit for bit what it was.
    expect(createHash("sha256").update(readFileSync(s.previous.image)).digest("hex")).toBe(imageBefore);
    // Twice is the same as once.
    const again = recover(s.env, s.previous.dev, String(SNAPSHOT), s.spool);
    expect(again.out).toMatch(/mailbox alice@example\.test recovered 0 skipped 3/);
    expect(again.out).toMatch(/mailbox bob@example\.test recovered 0 skipped 1/);
  });

  it("runs as the SSM Run Command npm run restore -- recover writes (script inline, waits for the disk)", () => {
    const s = scene();
    const installed = join(tempDir("mailfort-ssm-"), "mailfort-recover");
    const p = recoverParameters({ region: "eu-west-1", instanceId: "i-0123456789abcdef0", previousVolumeId: "vol-0123456789abcdef0", since: new Date(SNAPSHOT * 1000).toISOString(), device: s.previous.dev });
    // AWS-RunShellScript runs the commands as one script; here the script lands in a temp dir instead of /usr/local/sbin.
    const script = p.commands.join("\n").split("/usr/local/sbin/mailfort-recover").join(installed);
    const r = spawnSync("bash", ["-c", script], { encoding: "utf8", env: { ...process.env, MAILFORT_ENV: s.env, MAILFORT_SPOOL: s.spool } });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/mailbox alice@example\.test recovered 2 skipped 1/);
    expect(statSync(installed).mode & 0o777).toBe(0o755);
  });

  it("refuses this server's own data volume, a volume that is not a mailfort one, and a bad time, touching nothing", () => {
    const s = scene();
    const own = volume((root) => message(root, "example.test/alice", "", "new", SNAPSHOT, mail("own")));
    execFileSync("mount", [own.dev, s.data]);
    cleanups.push(() => { spawnSync("umount", [s.data]); });
    const r = recover(s.env, own.dev, String(SNAPSHOT), s.spool);
    expect(r.status).toBe(1);
    expect(r.err).toMatch(/is this server's own data volume/);
    execFileSync("umount", [s.data]);

    const other = volume(() => undefined, "not-mailfort");
    expect(recover(s.env, other.dev, String(SNAPSHOT), s.spool)).toMatchObject({ status: 1, err: expect.stringMatching(/not a mailfort data volume/) });
    expect(recover(s.env, "/dev/null", String(SNAPSHOT), s.spool)).toMatchObject({ status: 1, err: expect.stringMatching(/not a block device/) });
    expect(recover(s.env, s.previous.dev, "yesterday-ish", s.spool)).toMatchObject({ status: 1, err: expect.stringMatching(/is not a time/) });
    expect(contents(join(s.data, "mail/example.test/alice/Maildir"))).toHaveLength(3);
  });
});

describe.skipIf(Boolean(missing))("mailfort-mailcount", () => {
  it("counts per mailbox and queue, and its hash tells the same messages in the same folders from anything else", () => {
    const a = tempDir("mailfort-count-");
    message(a, "example.test/alice", "", "new", SNAPSHOT, mail("one"));
    message(a, "example.test/alice", ".Sent", "cur", SNAPSHOT + 1, mail("two"));
    mkdirSync(join(a, "mail/example.test/alice/Maildir/tmp"), { recursive: true });
    writeFileSync(join(a, "mail/example.test/alice/Maildir/tmp/half-written"), "x");
    writeFileSync(join(a, "mail/example.test/alice/Maildir/dovecot-uidlist"), "3 V1 N3\n");
    mkdirSync(join(a, "postfix/deferred/A"), { recursive: true });
    writeFileSync(join(a, "postfix/deferred/A/A1B2C3"), "queue file");
    const first = mailcount(["--hash", a]);
    expect(first.status).toBe(0);
    const line = /^mailbox alice@example\.test 2 ([0-9a-f]{64})$/m.exec(first.out);
    expect(line, first.out).not.toBeNull();
    expect(first.out).toMatch(/^queue deferred 1$/m);
    expect(first.out).toMatch(/^total mailboxes=1 messages=2 queued=1$/m);

    // The same bytes under other names and flags: the same hash. One message in another folder: not.
    const b = tempDir("mailfort-count-");
    message(b, "example.test/alice", "", "cur", SNAPSHOT + 50, mail("one"));
    message(b, "example.test/alice", ".Sent", "new", SNAPSHOT + 51, mail("two"));
    expect(mailcount(["--hash", b]).out).toContain(`mailbox alice@example.test 2 ${line?.[1]}`);
    const c = tempDir("mailfort-count-");
    message(c, "example.test/alice", "", "new", SNAPSHOT, mail("one"));
    message(c, "example.test/alice", ".Archive", "cur", SNAPSHOT + 1, mail("two"));
    expect(mailcount(["--hash", c]).out).not.toContain(line?.[1]);
    expect(mailcount([a]).out).toMatch(/^mailbox alice@example\.test 2 -$/m);
  });

  it("--drill checks a crash-consistent copy (journal replayed by e2fsck), mounts it read-only and counts", () => {
    const image = join(tempDir("mailfort-live-"), "live.img");
    execFileSync("truncate", ["-s", "64M", image]);
    execFileSync("mkfs.ext4", ["-q", "-L", "mailfort-data", image]);
    const mnt = tempDir("mailfort-live-mnt-");
    execFileSync("mount", ["-o", "loop", image, mnt]);
    const copy = join(dirname(image), "snapshot.img");
    try {
      for (let i = 0; i < 3; i++) message(mnt, "example.test/alice", "", "new", SNAPSHOT + i, mail(`live ${i}`));
      mkdirSync(join(mnt, "postfix/hold"), { recursive: true });
      writeFileSync(join(mnt, "postfix/hold/ABC"), "held");
      execFileSync("sync");
      // Copied while mounted: the filesystem says it needs recovery, as a snapshot of a live volume does.
      copyFileSync(image, copy);
    } finally {
      execFileSync("umount", [mnt]);
    }
    chmodSync(copy, 0o600);
    expect(spawnSync("dumpe2fs", ["-h", copy], { encoding: "utf8" }).stdout).toMatch(/needs_recovery/);
    const r = mailcount(["--drill", attach(copy)]);
    expect(r.status, r.out + r.err).toBe(0);
    expect(r.out).toMatch(/^MAILFORT-DRILL begin device=\/dev\/loop\d+ fsck=[01]$/m);
    expect(r.out).toMatch(/^MAILFORT-DRILL mailbox alice@example\.test 3 -$/m);
    expect(r.out).toMatch(/^MAILFORT-DRILL queue hold 1$/m);
    expect(r.out).toMatch(/^MAILFORT-DRILL total mailboxes=1 messages=3 queued=1$/m);
  });
});
