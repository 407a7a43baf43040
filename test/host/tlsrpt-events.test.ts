// Outbound TLS reports (RFC 8460) in the Debian 13 root with the real pieces: Debian's Postfix 3.10
// (linked with libtlsrpt) with the rendered main.cf (smtp_tlsrpt_enable, the socket under the queue
// directory), the shipped mailfort-tlsrpt-collect as the reader's user on that socket, the shipped
// `mailfort-reports send-tls` on Debian's nodejs, and Postfix again delivering the reports.
// DNS is the host tests' small server (fake-dns.ts), with the AD bit for dane.test as the host's
// validating unbound sets it for a signed zone; the receivers are a small SMTP server with STARTTLS.
//   plain.test  MX on 127.0.0.2, a self-signed certificate, no policy: delivered (opportunistic)
//   dane.test   MX on 127.0.0.3, a TLSA record that matches no key it has: deferred by DANE
//   sts.test    MX on 127.0.0.4, an MTA-STS enforce policy (given to Postfix as mailfort-tls-policy
//               hands it over, policy_type=sts and all), a certificate from a CA the root trusts
//               but for another name: deferred, as the lab's sts-wrong.test receiver is
// All publish `_smtp._tls` with rua=mailto:tlsrpt@plain.test, so both reports land at plain.test's
// receiver, where this host's own report reader reads them.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_LIMITS, ingest, loadStore } from "../../reports";
import type { TlsReport } from "../../reports/tlsrpt-schema";
import { type CheckerRoot, baseRoot, checkerUnavailable, prepareRoot } from "./checker-root";
import { fakeDnsScript } from "./fake-dns";
import { loadStack } from "./stacks";

const unavailable = checkerUnavailable();
if (unavailable) console.warn(`SKIPPING outbound TLS report host tests: ${unavailable}`);

/** A TLSA 3 1 1 digest of no key anyone has. */
const WRONG_TLSA = "3 1 1 " + "ab".repeat(32);
const RUA = '"v=TLSRPTv1; rua=mailto:tlsrpt@plain.test"';

const FAKE_DNS = fakeDnsScript({
  "plain.test. MX": ["10 mx.plain.test."], "mx.plain.test. A": ["127.0.0.2"], "_smtp._tls.plain.test. TXT": [RUA],
  "dane.test. MX": ["10 mx.dane.test."], "mx.dane.test. A": ["127.0.0.3"], "_25._tcp.mx.dane.test. TLSA": [WRONG_TLSA],
  "_smtp._tls.dane.test. TXT": [RUA],
  "sts.test. MX": ["10 mx.sts.test."], "mx.sts.test. A": ["127.0.0.4"], "_smtp._tls.sts.test. TXT": [RUA],
}, ["dane.test."]);

/** A receiving MX: STARTTLS with a self-signed certificate, every message kept in /tmp/received. */
const RECEIVER = `
import os, socket, ssl, threading, time
CONTEXTS = {}
for name, base in (("mx.plain.test", "rx"), ("mx.dane.test", "rx"), ("mx.sts.test", "sts")):
    CONTEXTS[name] = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    CONTEXTS[name].load_cert_chain("/tmp/%s-cert.pem" % base, "/tmp/%s-key.pem" % base)
os.makedirs("/tmp/received", exist_ok=True)

def session(conn, name):
    f = conn.makefile("rwb")
    def send(line):
        f.write((line + "\\r\\n").encode()); f.flush()
    send("220 " + name + " ESMTP")
    tls = False
    while True:
        raw = f.readline()
        if not raw:
            return
        cmd = raw.decode("utf-8", "replace").strip().upper()
        if cmd.startswith("EHLO") or cmd.startswith("HELO"):
            send("250-" + name)
            if not tls:
                send("250-STARTTLS")
            send("250 8BITMIME")
        elif cmd == "STARTTLS" and not tls:
            send("220 2.0.0 go ahead")
            conn = CONTEXTS[name].wrap_socket(conn, server_side=True)
            f = conn.makefile("rwb")
            tls = True
        elif cmd.startswith("MAIL") or cmd.startswith("RCPT") or cmd in ("RSET", "NOOP"):
            send("250 2.0.0 ok")
        elif cmd == "DATA":
            send("354 go on")
            lines = []
            while True:
                l = f.readline()
                if not l or l in (b".\\r\\n", b".\\n"):
                    break
                lines.append(l[1:] if l.startswith(b"..") else l)
            with open("/tmp/received/%s-%d.eml" % (name, time.time_ns()), "wb") as out:
                out.write(b"".join(lines))
            send("250 2.0.0 kept")
        elif cmd == "QUIT":
            send("221 2.0.0 bye")
            return
        else:
            send("502 5.5.2 no")

def guarded(conn, name):
    try:
        session(conn, name)
    except Exception:
        pass
    finally:
        conn.close()

def listen(address, name):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((address, 25))
    s.listen(16)
    while True:
        conn, _ = s.accept()
        threading.Thread(target=guarded, args=(conn, name), daemon=True).start()

for address, name in (("127.0.0.2", "mx.plain.test"), ("127.0.0.3", "mx.dane.test"), ("127.0.0.4", "mx.sts.test")):
    threading.Thread(target=listen, args=(address, name), daemon=True).start()
open("/tmp/rx.ready", "w").close()
while True:
    time.sleep(3600)
`;

const SCENARIO = `
set -u
ip link set lo up
rm -f /etc/resolv.conf; printf 'nameserver 127.0.0.1\\noptions edns0 trust-ad\\n' >/etc/resolv.conf
wait_for() { for i in $(seq 150); do [ -e "$1" ] && return 0; sleep 0.1; done; echo "timed out waiting for $1" >&2; return 1; }
python3 /tmp/fake_dns.py >/tmp/dns.err 2>&1 & wait_for /tmp/dns.ready || exit 1
python3 /tmp/receiver.py >/tmp/rx.err 2>&1 & wait_for /tmp/rx.ready || exit 1
. /etc/mailfort/reports-settings
# What mailfort-boot and the collector unit's ExecStartPre do, with the same settings.
groupadd -g "$MAILFORT_REPORTS_ID" "$MAILFORT_REPORTS_USER" && useradd -r -u "$MAILFORT_REPORTS_ID" -g "$MAILFORT_REPORTS_USER" -d "$MAILFORT_REPORTS_STORE" -M -s /usr/sbin/nologin "$MAILFORT_REPORTS_USER" || exit 1
install -d -o "$MAILFORT_REPORTS_USER" -g "$MAILFORT_REPORTS_USER" -m 0750 "$MAILFORT_REPORTS_STORE" "$MAILFORT_TLSRPT_EVENTS" || exit 1
SOCKET_DIR=\${MAILFORT_TLSRPT_SOCKET%/*}
install -d -o "$MAILFORT_REPORTS_USER" -g postfix -m 2750 "$SOCKET_DIR" || exit 1
setpriv --reuid="$MAILFORT_REPORTS_USER" --regid="$MAILFORT_REPORTS_USER" --clear-groups /usr/local/sbin/mailfort-tlsrpt-collect "$MAILFORT_TLSRPT_SOCKET" "$MAILFORT_TLSRPT_EVENTS" >/tmp/collect.log 2>&1 &
wait_for "$MAILFORT_TLSRPT_SOCKET" || exit 1
stat -c '%U %G %a' "$MAILFORT_TLSRPT_SOCKET" >/tmp/socket.txt
# smtp(8) is chrooted: its resolver files inside the queue directory, as Debian's init script copies them.
mkdir -p /var/spool/postfix/etc && cp /etc/resolv.conf /etc/hosts /etc/services /var/spool/postfix/etc/
# No Rspamd and no DANE-first policy daemon in the root (test/host/outbound-tls.test.ts has those):
# the milters and the policy map off, the receivers' ports free on 127.0.0.2 and .3.
postconf -e 'non_smtpd_milters =' 'smtpd_milters =' 'inet_interfaces = loopback-only' 'maillog_file = /var/log/mail.log' \
  'smtp_tls_policy_maps = inline:{ { sts.test = secure match=mx.sts.test servername=hostname policy_type=sts policy_domain=sts.test mx_host_pattern=mx.sts.test } }' || exit 1
postfix start >/tmp/postfix.log 2>&1 || exit 1
printf 'Subject: to plain\\n\\nbody\\n' | sendmail -f postmaster@mailfort.test someone@plain.test
printf 'Subject: to dane\\n\\nbody\\n' | sendmail -f postmaster@mailfort.test someone@dane.test
printf 'Subject: to sts\\n\\nbody\\n' | sendmail -f postmaster@mailfort.test someone@sts.test
DAYFILE="$MAILFORT_TLSRPT_EVENTS/$(date -u +%F).jsonl"
for i in $(seq 300); do [ "$(grep -c . "$DAYFILE" 2>/dev/null)" -ge 3 ] && break; sleep 0.2; done
cp "$DAYFILE" /tmp/events.jsonl 2>/dev/null
stat -c '%U %a' "$DAYFILE" >/tmp/dayfile.txt 2>/dev/null
# The daily run, for today (the timer sends yesterday), as its unit runs it: the reader's user,
# the postdrop group added, no new privileges (so postdrop's setgid bit does nothing), the day
# through MAILFORT_TLSRPT_DAY as the lab passes it.
as_unit() { setpriv --reuid="$MAILFORT_REPORTS_USER" --regid="$MAILFORT_REPORTS_USER" --groups=postdrop --no-new-privs env MAILFORT_TLSRPT_DAY=today /usr/local/sbin/mailfort-reports send-tls; }
as_unit >/tmp/send.json 2>/tmp/send.err; echo $? >/tmp/send.rc
# A second run sends nothing again.
as_unit >/tmp/send2.json 2>>/tmp/send.err
for i in $(seq 300); do [ "$(grep -l '^TLS-Report-Domain' /tmp/received/*.eml 2>/dev/null | wc -l)" -ge 3 ] && break; sleep 0.2; done
postqueue -j >/tmp/queue.json
postfix stop >/dev/null 2>&1
exit 0
`;

/** The receivers' certificates: self-signed for plain and dane; for sts, a test CA's, issued for another name. */
function certificates(dir: string): Record<string, string> {
  const f = (n: string) => join(dir, n);
  const ssl = (...args: string[]) => execFileSync("openssl", args, { stdio: ["ignore", "ignore", "pipe"] });
  const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
  ssl("req", "-x509", ...ec, "-keyout", f("rx-key.pem"), "-out", f("rx-cert.pem"), "-days", "2", "-subj", "/CN=mx.plain.test", "-addext", "subjectAltName=DNS:mx.plain.test,DNS:mx.dane.test");
  ssl("req", "-x509", ...ec, "-keyout", f("ca-key.pem"), "-out", f("ca.pem"), "-days", "2", "-subj", "/CN=mailfort test CA", "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign");
  ssl("req", ...ec, "-keyout", f("sts-key.pem"), "-out", f("sts.csr"), "-subj", "/CN=not-the-mx.sts.test");
  writeFileSync(f("ext.cnf"), "subjectAltName=DNS:not-the-mx.sts.test\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n");
  ssl("x509", "-req", "-in", f("sts.csr"), "-CA", f("ca.pem"), "-CAkey", f("ca-key.pem"), "-CAcreateserial", "-days", "2", "-extfile", f("ext.cnf"), "-out", f("sts-cert.pem"));
  return Object.fromEntries(["rx-cert.pem", "rx-key.pem", "sts-cert.pem", "sts-key.pem", "ca.pem"].map((n) => [n, readFileSync(f(n), "utf8")]));
}

interface Event { readonly e: { readonly d: string; readonly pr: string; readonly policies: ReadonlyArray<{ "policy-type": number; "policy-domain"?: string; "policy-string"?: string[]; "mx-host"?: string[]; "failure-details"?: Array<{ c: number }>; t: number; f: number }> } }

describe.skipIf(Boolean(unavailable))("outbound TLS reports from Postfix's own TLSRPT events in the Debian 13 root (lab stack)", () => {
  let root: CheckerRoot;
  let scenario: { status: number; stdout: string; stderr: string };
  const read = (p: string) => { try { return readFileSync(join(root.dir, p), "utf8"); } catch { return ""; } };
  const logs = () => `${scenario.stderr}${scenario.stdout}\ncollector: ${read("tmp/collect.log")}\nsend: ${read("tmp/send.err")}\nrx: ${read("tmp/rx.err")}\nmail.log: ${read("var/log/mail.log").slice(-3000)}`;
  const events = (): Event[] => read("tmp/events.jsonl").trim().split("\n").filter(Boolean).map((l) => JSON.parse(l) as Event);
  const reportMails = () => {
    const dir = join(root.dir, "tmp/received");
    return readdirSync(dir).map((f) => readFileSync(join(dir, f))).filter((m) => /^TLS-Report-Domain: /m.test(m.toString("latin1")));
  };

  beforeAll(() => {
    root = prepareRoot(baseRoot(), loadStack("lab"));
    const dir = mkdtempSync(join(tmpdir(), "mailfort-tlsrpt-rx-"));
    try {
      const certs = certificates(dir);
      for (const n of ["rx-cert.pem", "rx-key.pem", "sts-cert.pem", "sts-key.pem"]) writeFileSync(join(root.dir, "tmp", n), certs[n]!);
      writeFileSync(join(root.dir, "usr/local/share/ca-certificates/mailfort-test-ca.crt"), certs["ca.pem"]!);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const trusted = root.run(["update-ca-certificates"]);
    if (trusted.status !== 0) throw new Error(`update-ca-certificates: ${trusted.stderr}`);
    writeFileSync(join(root.dir, "tmp/fake_dns.py"), FAKE_DNS);
    writeFileSync(join(root.dir, "tmp/receiver.py"), RECEIVER);
    writeFileSync(join(root.dir, "tmp/scenario.sh"), SCENARIO);
    scenario = root.run(["unshare", "-m", "-p", "-f", "--mount-proc", "sh", "/tmp/scenario.sh"], { netns: true });
  }, 30 * 60_000);
  afterAll(() => root?.dispose());

  it("runs the scenario (DNS, receivers, collector, Postfix, the daily run)", () => {
    expect(scenario.status, logs()).toBe(0);
  });

  it("main.cf turns Postfix's TLSRPT client on, with the socket under the queue directory", () => {
    expect(root.run(["postconf", "-h", "smtp_tlsrpt_enable", "smtp_tlsrpt_socket_name"]).stdout).toBe("yes\nrun/tlsrpt/tlsrpt.sock\n");
  });

  it("the collector's socket belongs to the reader's user and the postfix group, writable by nobody else; its day file is the user's alone", () => {
    expect(read("tmp/socket.txt"), logs()).toBe("mailfort-reports postfix 660\n");
    expect(read("tmp/dayfile.txt")).toBe("mailfort-reports 640\n");
  });

  it("Postfix sends an event for each delivery: plain.test opportunistic and successful, dane.test a DANE failure, sts.test an MTA-STS failure", () => {
    const all = events();
    const plain = all.find((e) => e.e.d === "plain.test");
    const dane = all.find((e) => e.e.d === "dane.test");
    expect(plain?.e.pr, logs()).toBe(JSON.parse(RUA) as string);
    expect(plain?.e.policies[0]).toMatchObject({ "policy-type": 9, f: 0, t: 0 });
    // For DANE the policy domain is the MX host's (the TLSA record's base domain), and a key no
    // TLSA record matches is, in Postfix's words, a certificate not trusted.
    expect(dane?.e.policies[0], logs()).toMatchObject({ "policy-type": 1, "policy-domain": "mx.dane.test", f: 1 });
    expect(dane?.e.policies[0]?.["policy-string"]?.map((x) => x.toLowerCase())).toEqual([WRONG_TLSA]);
    expect(dane?.e.policies[0]?.["failure-details"]?.[0]?.c).toBe(203);
    const sts = all.find((e) => e.e.d === "sts.test");
    expect(sts?.e.policies[0], logs()).toMatchObject({ "policy-type": 2, "policy-domain": "sts.test", "mx-host": ["mx.sts.test"], f: 1 });
    // libtlsrpt's code for a trusted chain issued for another name.
    expect(sts?.e.policies[0]?.["failure-details"]?.[0]?.c).toBe(202);
  });

  it("the mails to dane.test and sts.test wait in the queue (their policies said no), the one to plain.test was delivered", () => {
    const queue = read("tmp/queue.json").trim().split("\n").filter(Boolean).map((l) => JSON.parse(l) as { recipients: Array<{ address: string }> });
    expect(queue.some((q) => q.recipients.some((r) => r.address === "someone@dane.test")), logs()).toBe(true);
    expect(queue.some((q) => q.recipients.some((r) => r.address === "someone@sts.test"))).toBe(true);
    expect(queue.some((q) => q.recipients.some((r) => r.address === "someone@plain.test"))).toBe(false);
  });

  it("the daily run hands one report per domain to Postfix, and a second run sends nothing twice", () => {
    expect(read("tmp/send.rc").trim(), logs()).toBe("0");
    const first = JSON.parse(read("tmp/send.json")) as { delivered: string[]; failed: string[] };
    expect(first.delivered.sort()).toEqual(["dane.test mailto:tlsrpt@plain.test", "plain.test mailto:tlsrpt@plain.test", "sts.test mailto:tlsrpt@plain.test"]);
    expect(first.failed).toEqual([]);
    expect((JSON.parse(read("tmp/send2.json")) as { delivered: string[] }).delivered).toEqual([]);
  });

  it("the reports arrive at the receiver's rua and this host's own reader reads them: a tlsa certificate-not-trusted for dane.test, a certificate-host-mismatch under sts for sts.test, a success for plain.test", async () => {
    const mails = reportMails();
    expect(mails.length, logs()).toBe(3);
    const store = mkdtempSync(join(tmpdir(), "mailfort-tlsrpt-read-"));
    try {
      for (const m of mails) expect((await ingest(store, "received", m, DEFAULT_LIMITS)).map((o) => o.outcome)).toEqual(["stored"]);
      const reports: TlsReport[] = loadStore(store, DEFAULT_LIMITS).tls;
      const dane = reports.find((r) => r.policies[0]?.policy["policy-domain"] === "mx.dane.test");
      const plain = reports.find((r) => r.policies[0]?.policy["policy-domain"] === "plain.test");
      expect(dane?.policies[0]?.policy["policy-type"]).toBe("tlsa");
      expect(dane?.policies[0]?.summary["total-failure-session-count"]).toBeGreaterThan(0);
      expect(dane?.policies[0]?.["failure-details"]?.[0]).toMatchObject({ "result-type": "certificate-not-trusted", "receiving-mx-hostname": "mx.dane.test", "receiving-mx-helo": "mx.dane.test", "receiving-ip": "127.0.0.3" });
      expect(plain?.policies[0]).toMatchObject({ policy: { "policy-type": "no-policy-found" }, summary: { "total-successful-session-count": 1, "total-failure-session-count": 0 } });
      expect(dane?.["organization-name"]).toBe(loadStack("lab").hostname);
      const sts = reports.find((r) => r.policies[0]?.policy["policy-domain"] === "sts.test");
      expect(sts?.policies[0]?.policy).toMatchObject({ "policy-type": "sts", "mx-host": ["mx.sts.test"] });
      expect(sts?.policies[0]?.["failure-details"]?.[0]).toMatchObject({ "result-type": "certificate-host-mismatch", "receiving-mx-hostname": "mx.sts.test", "receiving-ip": "127.0.0.4" });
    } finally {
      rmSync(store, { recursive: true, force: true });
    }
  });

  it("systemd-analyze verify: the collector, the sender and its timer parse without a warning", () => {
    const v = root.run(["systemd-analyze", "verify", "--man=no", "/etc/systemd/system/mailfort-tlsrpt-collect.service", "/etc/systemd/system/mailfort-tlsrpt-send.service", "/etc/systemd/system/mailfort-tlsrpt-send.timer"]);
    expect(v.stderr + v.stdout).not.toMatch(/Unknown|Invalid|Failed|ignoring/i);
    expect(v.status, v.stderr).toBe(0);
  });
});
