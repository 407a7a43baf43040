// The host's metric collectors (configs/lib/mailfort_collectors.py), run by the real python3
// against real inputs: Postfix and Dovecot log lines as Debian 13 writes them, a certificate made
// by openssl, a Postfix-shaped queue, fail2ban-client's output format, a DNS resolver on a
// loopback port answering as a DNSBL does, and journalctl itself (the machine's, on an empty
// journal, and a stand-in that exits the ways journalctl does). The publisher (mailfort-metrics)
// is exercised end to end against a real journal in test/host/metrics-journal.test.ts.
import { execFileSync, spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const LIB = resolve(__dirname, "../../configs/lib");
const work = mkdtempSync(join(tmpdir(), "mailfort-collectors-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Run python with the collectors imported as c; the code's last expression is printed as JSON. */
function py<T>(body: string): T {
  const code = `import json, sys\nsys.path.insert(0, ${JSON.stringify(LIB)})\nimport mailfort_collectors as c\nlogs = []\nlog = logs.append\n${body}`;
  const r = spawnSync("python3", ["-c", code], { encoding: "utf8", timeout: 60_000 });
  if (r.status !== 0) throw new Error(`python failed (${r.status}): ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}

// Real lines (Postfix 3.10, Dovecot 2.4 on Debian 13), as the journal holds them: identifier + message.
const ENTRIES = [
  ["postfix/submission/smtpd", "warning: unknown[10.77.0.66]: SASL PLAIN authentication failed: (reason unavailable), sasl_username=alice@mailfort.test"],
  ["postfix/submissions/smtpd", "warning: attacker.spam.test[10.77.0.67]: SASL LOGIN authentication failed: UGFzc3dvcmQ6, sasl_username=bob@mailfort.test"],
  ["postfix/submission/smtpd", "4Bc1x2y3z4: client=sender.remote.test[10.77.0.20], sasl_method=PLAIN, sasl_username=alice@mailfort.test"],
  ["postfix/submission/smtpd", "4Bc1x2y3z5: client=sender.remote.test[10.77.0.20], sasl_method=PLAIN, sasl_username=Alice@mailfort.test"],
  ["postfix/submission/smtpd", "4Bc1x2y3z6: client=sender.remote.test[10.77.0.21], sasl_method=PLAIN, sasl_username=bob@mailfort.test"],
  ["postfix/smtp", "4Bc1x2y3z4: to=<x@remote.test>, relay=mx.remote.test[10.77.0.20]:25, delay=0.3, delays=0.1/0/0.1/0.1, dsn=4.7.1, status=deferred (host mx.remote.test[10.77.0.20] said: 450 4.7.1 Try again later (in reply to RCPT TO command))"],
  ["postfix/smtp", "4Bc1x2y3z5: to=<nobody@remote.test>, relay=mx.remote.test[10.77.0.20]:25, delay=0.2, delays=0.1/0/0/0.1, dsn=5.1.1, status=bounced (host mx.remote.test[10.77.0.20] said: 550 5.1.1 No such user (in reply to RCPT TO command))"],
  ["postfix/smtpd", "4Bc1x2y3z7: milter-reject: END-OF-MESSAGE from attacker.spam.test[10.77.0.67]: 5.7.1 Spam message rejected; from=<a@spam.test> to=<alice@mailfort.test> proto=ESMTP helo=<attacker.spam.test>"],
  ["postfix/smtpd", "NOQUEUE: milter-reject: RCPT from sender.remote.test[10.77.0.20]: 4.7.1 Try again later; from=<a@remote.test> to=<alice@mailfort.test> proto=ESMTP helo=<sender.remote.test>"],
  ["dovecot", "imap-login: Login aborted: Connection closed (auth failed, 1 attempts in 2 secs) (auth_failed): user=<alice@mailfort.test>, method=PLAIN, rip=10.77.0.30, lip=10.77.0.10, TLS: Connection closed, session=<aFhy5kphrqkKTQAe>"],
  ["dovecot", "pop3-login: Login aborted: Connection closed (auth failed, 3 attempts in 9 secs) (auth_failed): user=<bob@mailfort.test>, method=PLAIN, rip=10.77.0.31, lip=10.77.0.10, TLS, session=<bFhy5kphrqkKTQAe>"],
  ["dovecot", "imap-login: Login: user=<alice@mailfort.test>, method=PLAIN, rip=10.77.0.30, lip=10.77.0.10, mpid=1820, TLS, session=<cFhy5kphrqkKTQAe>"],
  ["sshd", "status=deferred SASL PLAIN authentication failed (not Postfix: not counted)"],
].map(([ident, msg]) => ({ SYSLOG_IDENTIFIER: ident, MESSAGE: msg }));

describe("journal counts", () => {
  it("counts each kind of line once, a refused login is not a submission, and the top sender is case-blind", () => {
    const counts = py<Record<string, number>>(`print(json.dumps(c.count_journal(${JSON.stringify(ENTRIES)})))`);
    expect(counts).toEqual({ smtp_auth_failures: 2, deferred: 1, bounced: 1, rspamd_rejects: 1, imap_login_failures: 2, top_sender: 2 });
  });

  it("gives zero counts (not missing ones) for a quiet minute", () => {
    const counts = py<Record<string, number>>("r = c.count_journal([])\nprint(json.dumps({k: r[k] for k in ['deferred', 'bounced', 'smtp_auth_failures', 'imap_login_failures', 'rspamd_rejects', 'top_sender']}))");
    expect(Object.values(counts)).toEqual([0, 0, 0, 0, 0, 0]);
  });
});

/** A journalctl stand-in: prints the given output and error, exits with the given status, records its arguments. */
function fakeJournalctl(name: string, stdout: string, stderr: string, status: number, writesCursor = true): string {
  const path = join(work, name);
  writeFileSync(path, `#!/bin/sh\nprintf '%s\\n' "$*" >> ${path}.args\n${writesCursor ? `for a in "$@"; do case "$a" in --cursor-file=*) echo 's=fake;i=1' > "\${a#--cursor-file=}";; esac; done\n` : ""}printf '%s' '${stdout}'\nprintf '%s' '${stderr}' >&2\nexit ${status}\n`);
  chmodSync(path, 0o755);
  return path;
}

const journalRun = (journalctl: string, cursor: string, extra: string[] = [], update = true) => py<{ entries?: unknown[]; error?: string; logs: string[] }>(`
j = c.Journal(${JSON.stringify(cursor)}, journalctl=${JSON.stringify(journalctl)}, extra_args=${JSON.stringify(extra)}, update_cursor=${update ? "True" : "False"})
try:
    print(json.dumps({"entries": j.entries(log), "logs": logs}))
except Exception as e:
    print(json.dumps({"error": str(e), "logs": logs}))`);

describe("journal reading by cursor, whatever journalctl's exit status", () => {
  it("the machine's journalctl on an empty journal: exit 1 without a word, no cursor written: zero entries, not an error", () => {
    const dir = join(work, "empty-journal");
    mkdirSync(dir);
    const cursor = join(work, "state-empty/journal.cursor");
    // What journalctl really does here (the reason the collector cannot trust the exit status).
    expect(spawnSync("journalctl", [`--directory=${dir}`, "-n", "0", "-q", `--cursor-file=${cursor}.probe`]).status).toBe(1);
    expect(journalRun("journalctl", cursor, [`--directory=${dir}`])).toEqual({ entries: [], logs: [] });
    expect(journalRun("journalctl", cursor, [`--directory=${dir}`])).toEqual({ entries: [], logs: [] });
  });

  it("starts a fresh cursor at the end of the journal (the journal since boot is not this minute's)", () => {
    const jc = fakeJournalctl("jc-fresh", '{"MESSAGE":"old","SYSLOG_IDENTIFIER":"postfix/smtp"}\n', "", 0);
    const cursor = join(work, "state-fresh/journal.cursor");
    expect(journalRun(jc, cursor)).toEqual({ entries: [], logs: [] });
    expect(execFileSync("cat", [`${jc}.args`], { encoding: "utf8" })).toContain("-n 0 -q --cursor-file=");
    expect(journalRun(jc, cursor).entries).toEqual([{ MESSAGE: "old", SYSLOG_IDENTIFIER: "postfix/smtp" }]);
  });

  it("uses what it read when journalctl exits non-zero after printing entries, and says so", () => {
    const jc = fakeJournalctl("jc-partial", '{"MESSAGE":"m","SYSLOG_IDENTIFIER":"dovecot"}\n', "Journal file x is truncated, ignoring file.", 1);
    const cursor = join(work, "state-partial/journal.cursor");
    mkdirSync(join(work, "state-partial"));
    writeFileSync(cursor, "s=old");
    const r = journalRun(jc, cursor);
    expect(r.entries).toHaveLength(1);
    expect(r.logs).toEqual([expect.stringContaining("exited 1 after reading 1 entries")]);
  });

  it("exit 1 with nothing read and nothing said is nothing new", () => {
    const jc = fakeJournalctl("jc-quiet", "", "", 1);
    const cursor = join(work, "state-quiet/journal.cursor");
    mkdirSync(join(work, "state-quiet"));
    writeFileSync(cursor, "s=old");
    expect(journalRun(jc, cursor)).toEqual({ entries: [], logs: [] });
  });

  it("an unusable cursor starts over from the end, logged, instead of failing every minute", () => {
    // As journalctl does: a damaged cursor file fails the seek; without one, -n 0 starts at the end.
    const jc = join(work, "jc-badcursor");
    writeFileSync(jc, `#!/bin/sh\nfor a in "$@"; do case "$a" in --cursor-file=*) f="\${a#--cursor-file=}";; esac; done\nif [ -f "$f" ]; then echo 'Failed to seek to cursor: Invalid argument' >&2; exit 1; fi\necho 's=new' > "$f"\n`);
    chmodSync(jc, 0o755);
    const cursor = join(work, "state-bad/journal.cursor");
    mkdirSync(join(work, "state-bad"));
    writeFileSync(cursor, "garbage");
    const r = journalRun(jc, cursor);
    expect(r.entries).toEqual([]);
    expect(r.logs).toEqual([expect.stringContaining("could not use the cursor")]);
    expect(execFileSync("cat", [cursor], { encoding: "utf8" })).toBe("s=new\n");
  });

  it("any other failure raises (the counters are then not published this minute)", () => {
    const jc = fakeJournalctl("jc-broken", "", "Failed to open files: Permission denied", 1);
    const cursor = join(work, "state-broken/journal.cursor");
    mkdirSync(join(work, "state-broken"));
    writeFileSync(cursor, "s=old");
    expect(journalRun(jc, cursor).error).toMatch(/journalctl exited 1: Failed to open files: Permission denied/);
  });

  it("--print reads from a copy of the cursor: the publisher's next run still counts those lines", () => {
    const jc = fakeJournalctl("jc-print", "", "", 0, false);
    const cursor = join(work, "state-print/journal.cursor");
    mkdirSync(join(work, "state-print"));
    writeFileSync(cursor, "s=publisher");
    journalRun(jc, cursor, [], false);
    expect(execFileSync("cat", [`${jc}.args`], { encoding: "utf8" })).toContain(`--cursor-file=${cursor}.print`);
    expect(execFileSync("cat", [cursor], { encoding: "utf8" })).toBe("s=publisher");
  });
});

describe("the other collectors", () => {
  it("certificate days from a real certificate made by openssl", () => {
    const key = join(work, "key.pem");
    const cert = join(work, "cert.pem");
    execFileSync("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key, "-out", cert, "-days", "10", "-subj", "/CN=mail.example.org"], { stdio: "ignore" });
    const days = py<number>(`print(json.dumps(c.cert_days_left(${JSON.stringify(cert)})))`);
    expect(days).toBeGreaterThan(9.9);
    expect(days).toBeLessThanOrEqual(10);
    expect(py<{ error: string }>(`try:\n    c.cert_days_left("/nonexistent.pem")\nexcept RuntimeError as e:\n    print(json.dumps({"error": str(e)}))`).error).toMatch(/cannot read the certificate \/nonexistent\.pem/);
  });

  it("queue sizes count message files, deferred ones in hashed subdirectories", () => {
    const q = join(work, "spool");
    for (const d of ["active", "deferred/A", "deferred/B"]) mkdirSync(join(q, d), { recursive: true });
    for (const f of ["active/4Bc1", "active/4Bc2", "deferred/A/4Bc3", "deferred/B/4Bc4", "deferred/B/4Bc5"]) writeFileSync(join(q, f), "");
    expect(py<number[]>(`print(json.dumps([c.queue_size(${JSON.stringify(q)}, "active"), c.queue_size(${JSON.stringify(q)}, "deferred")]))`)).toEqual([2, 3]);
  });

  it("fail2ban bans: distinct addresses over all jails, from fail2ban-client banned's output", () => {
    const out = "[{'postfix': ['10.77.0.66', '10.77.0.67']}, {'dovecot': ['10.77.0.67']}, {'recidive': []}, {'postfix-sasl': ['2001:db8::1']}]";
    expect(py<number>(`print(json.dumps(c.parse_banned(${JSON.stringify(out)})))`)).toBe(3);
    expect(py<number>("print(json.dumps(c.parse_banned('[]')))")).toBe(0);
  });

  it("a pending reboot is counted in hours since the flag appeared; none is 0", () => {
    const flag = join(work, "reboot-required");
    writeFileSync(flag, "*** System restart required ***\n");
    const old = Date.now() / 1000 - 5 * 3600;
    utimesSync(flag, old, old);
    expect(py<number>(`print(json.dumps(c.reboot_required_hours(${JSON.stringify(flag)})))`)).toBeCloseTo(5, 1);
    expect(py<number>(`print(json.dumps(c.reboot_required_hours(${JSON.stringify(join(work, "none"))})))`)).toBe(0);
  });

  it("suspended senders: addresses one a line, comments and blanks ignored, no file is none", () => {
    const file = join(work, "suspended-senders");
    writeFileSync(file, "# suspended by mailfort-containment\nalice@mailfort.test\n\n  bob@mailfort.test\nALICE@mailfort.test\n");
    expect(py<number>(`print(json.dumps(c.suspended_senders(${JSON.stringify(file)})))`)).toBe(2);
    expect(py<number>(`print(json.dumps(c.suspended_senders(${JSON.stringify(join(work, "no-file"))})))`)).toBe(0);
  });
});

describe("report alerts (mailfort-reports publish's summary.json)", () => {
  it("counts the alerts of a fresh summary; a stale, missing or foreign file raises (the metric goes missing, not 0)", () => {
    const file = join(work, "summary.json");
    writeFileSync(file, JSON.stringify({ threshold: 0.02, alerts: [{ domain: "example.com", kind: "own-source-failing" }, { domain: "example.com", kind: "tls-failing" }], spoofing: [] }));
    expect(py<number>(`print(json.dumps(c.report_alerts(${JSON.stringify(file)}, 3 * 3600)))`)).toBe(2);
    const fail = (code: string) => spawnSync("python3", ["-c", `import sys\nsys.path.insert(0, ${JSON.stringify(LIB)})\nimport mailfort_collectors as c\n${code}`], { encoding: "utf8" });
    const old = Date.now() / 1000 - 4 * 3600;
    utimesSync(file, old, old);
    expect(fail(`c.report_alerts(${JSON.stringify(file)}, 3 * 3600)`).stderr).toMatch(/is 4\.0 hours old: the hourly summary is not running/);
    expect(fail(`c.report_alerts(${JSON.stringify(join(work, "no-summary.json"))}, 3 * 3600)`).stderr).toMatch(/FileNotFoundError/);
    writeFileSync(file, JSON.stringify({ something: "else" }));
    expect(fail(`c.report_alerts(${JSON.stringify(file)}, 3 * 3600)`).stderr).toMatch(/has no alerts list: not a mailfort-reports summary/);
  });
});

describe("DNSBL listing, asked of a resolver on a loopback port", () => {
  // A resolver that answers like the lists: 127.0.0.2 for the listed address in list.test,
  // 127.255.255.254 ("public resolver refused") in refusing.test, SERVFAIL in broken.test,
  // NXDOMAIN otherwise.
  const RESOLVER = `
import socket, struct, threading
def serve(sock):
    while True:
        data, peer = sock.recvfrom(512)
        qid, flags, qd = struct.unpack(">HHH", data[:6])
        pos, labels = 12, []
        while data[pos]:
            labels.append(data[pos + 1:pos + 1 + data[pos]].decode()); pos += 1 + data[pos]
        question = data[12:pos + 5]
        name = ".".join(labels)
        answer = None; rcode = 3
        if name == "4.3.2.198.list.test": answer, rcode = "127.0.0.2", 0
        if name.endswith(".refusing.test"): answer, rcode = "127.255.255.254", 0
        if name.endswith(".broken.test"): rcode = 2
        if name == "mail.example.test": answer, rcode = "198.2.3.4", 0
        an = b"" if answer is None else b"\\xc0\\x0c" + struct.pack(">HHIH", 1, 1, 60, 4) + socket.inet_aton(answer)
        sock.sendto(struct.pack(">HHHHHH", qid, 0x8180 | rcode, 1, 0 if answer is None else 1, 0, 0) + question + an, peer)
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0))
threading.Thread(target=serve, args=(s,), daemon=True).start()
server = s.getsockname()
`;

  it("counts the lists that answer 127.0.0.x; an error code or a resolver failure is not a listing, and is logged", () => {
    const r = py<{ listed: number; clean: number; a: string[]; logs: string[] }>(`${RESOLVER}
listed = c.dnsbl_listed("198.2.3.4", ["list.test", "refusing.test", "broken.test", "other.test"], server, log)
clean = c.dnsbl_listed("198.2.3.5", ["list.test"], server, log)
print(json.dumps({"listed": listed, "clean": clean, "a": c.dns_a("mail.example.test", server), "logs": logs}))`);
    expect(r.listed).toBe(1);
    expect(r.clean).toBe(0);
    expect(r.a).toEqual(["198.2.3.4"]);
    expect(r.logs).toEqual([
      "dnsbl list.test: 198.2.3.4 is listed (127.0.0.2)",
      "dnsbl refusing.test: answered 127.255.255.254 for 198.2.3.4: an error code, not a listing",
      expect.stringMatching(/^dnsbl broken\.test: no answer for 198\.2\.3\.4 \(.*rcode 2\); counted as not listed$/),
    ]);
  });

  it("a resolver that does not answer counts as not listed (logged), within its timeout", () => {
    const r = py<{ listed: number; logs: string[] }>(`
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0))
listed = c.dnsbl_listed("198.2.3.4", ["list.test"], s.getsockname(), log)
print(json.dumps({"listed": listed, "logs": logs}))`);
    expect(r).toEqual({ listed: 0, logs: [expect.stringMatching(/dnsbl list\.test: no answer for 198\.2\.3\.4 \(timed out\)/)] });
  });
});
