// The DNSBL on port 25 when the list answers late, in the Debian 13 root with the real Postfix
// (postscreen, dnsblog, smtpd) and the lab stack's rendered main.cf and master.cf. postscreen
// decides on the answers that arrive within its greet wait (6 s) and then keeps the pass: in
// CI on 2026-12-03 a listed client got through that way under load (`reputation-dnsbl-listed-
// client`: "the listed client's recipient was accepted"). Here a DNS server in the same network
// namespace answers the DNSBL 7 s late, every time. With smtpd's second look (main.cf
// mailfort_mx_client_restrictions) the listed client is refused at RCPT, naming the list; with
// it removed (the control, which shows the test can fail) the same client's recipient is taken.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { labDnsblZone } from "../../lab/dns/zones";
import { type CheckerRoot, baseRoot, checkerUnavailable, prepareRoot } from "./checker-root";
import { loadStack } from "./stacks";

const unavailable = checkerUnavailable();
if (unavailable) console.warn(`SKIPPING the DNSBL second-look host test: ${unavailable}`);

const SERVER = "10.99.0.1";
const LISTED = "10.99.0.66";
/** Longer than postscreen's greet wait (6 s; 2 s under stress), shorter than the resolver's timeout here. */
const LATE_S = 7;

/** A DNS server that lists LISTED on the zone (127.0.0.2 and a TXT), LATE_S seconds late, and knows nothing else. */
const SLOW_DNSBL = `
import socket, sys, threading, time
import dns.message, dns.rcode, dns.rrset
zone, listed, late = sys.argv[1], sys.argv[2], float(sys.argv[3])
name = ".".join(reversed(listed.split("."))) + "." + zone + "."
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 53))
def answer(data, peer):
    q = dns.message.from_wire(data)
    r = dns.message.make_response(q)
    qn = q.question[0]
    if qn.name.to_text().lower() == name.lower():
        if qn.rdtype == 1:
            r.answer.append(dns.rrset.from_text(qn.name, 60, "IN", "A", "127.0.0.2"))
        elif qn.rdtype == 16:
            r.answer.append(dns.rrset.from_text(qn.name, 60, "IN", "TXT", '"listed by the late test DNSBL"'))
        time.sleep(late)
    else:
        r.set_rcode(dns.rcode.NXDOMAIN)
    s.sendto(r.to_wire(), peer)
while True:
    data, peer = s.recvfrom(4096)
    threading.Thread(target=answer, args=(data, peer), daemon=True).start()
`;

/** One SMTP session from the listed address: the greeting, EHLO, a null sender, one recipient; prints RCPT's reply. */
const CLIENT = `
import smtplib, sys
c = smtplib.SMTP(timeout=60, source_address=(sys.argv[1], 0))
c.connect(sys.argv[2], 25)
c.ehlo("client.remote.test")
c.mail("")
code, text = c.rcpt(sys.argv[3])
print(code, text.decode())
c.quit()
`;

describe.skipIf(Boolean(unavailable))("the DNSBL's second look on port 25, with a list that answers late (lab stack)", () => {
  const cfg = loadStack("lab");
  const zone = labDnsblZone(cfg);
  let root: CheckerRoot;

  /** One network namespace for the DNS server, Postfix and the client: one shot each. */
  const session = (): { code: number; text: string; log: string } => {
    const r = root.run(["sh", "-c", [
      "set -e",
      "ip link set lo up",
      `ip addr add ${SERVER}/32 dev lo`,
      `ip addr add ${LISTED}/32 dev lo`,
      `python3 /tmp/slow-dnsbl.py ${zone} ${LISTED} ${LATE_S} & dns=$!`,
      "postfix start >/dev/null 2>&1",
      `python3 /tmp/smtp-client.py ${LISTED} ${SERVER} alice@mailfort.test || true`,
      "postfix stop >/dev/null 2>&1 || true",
      "kill $dns",
    ].join("\n")], { netns: true });
    const m = /^(\d{3}) (.*)$/m.exec(r.stdout);
    return { code: m ? Number(m[1]) : 0, text: m?.[2] ?? `(no reply: ${r.stderr.trim()})`, log: root.run(["sh", "-c", "tail -n 20 /var/log/mail.log 2>/dev/null; true"]).stdout };
  };

  beforeAll(() => {
    root = prepareRoot(baseRoot(), cfg);
    writeFileSync(join(root.dir, "tmp/slow-dnsbl.py"), SLOW_DNSBL);
    writeFileSync(join(root.dir, "tmp/smtp-client.py"), CLIENT);
    // The resolver (in and outside Postfix's chroot) is the slow server, waited for long enough.
    const resolv = "nameserver 127.0.0.1\noptions timeout:20 attempts:1\n";
    mkdirSync(join(root.dir, "var/spool/postfix/etc"), { recursive: true });
    for (const f of ["etc/resolv.conf", "var/spool/postfix/etc/resolv.conf"]) writeFileSync(join(root.dir, f), resolv);
    // No Rspamd in the root: mail skips the milter here (and only here). Postfix logs to a file.
    for (const setting of ["non_smtpd_milters =", "smtpd_milters =", "maillog_file = /var/log/mail.log"]) expect(root.run(["postconf", "-e", setting]).status).toBe(0);
  }, 30 * 60_000);
  afterAll(() => root?.dispose());

  it("control: without smtpd's second look, postscreen lets the listed client through when the list answers late", () => {
    const mx = root.run(["postconf", "-h", "mailfort_mx_client_restrictions"]).stdout.trim();
    expect(mx).toContain(`reject_rbl_client ${zone}`);
    const without = mx.split(/,\s*/).filter((r) => !r.startsWith("reject_rbl_client")).join(", ");
    expect(root.run(["postconf", "-e", `mailfort_mx_client_restrictions = ${without}`]).status).toBe(0);
    try {
      const r = session();
      expect(r.code, `${r.text}\n${r.log}`).toBe(250);
    } finally {
      expect(root.run(["postconf", "-e", `mailfort_mx_client_restrictions = ${mx}`]).status).toBe(0);
    }
  }, 120_000);

  it("with it, the same late-listed client is refused at RCPT, naming the list", () => {
    const r = session();
    expect(r.code, `${r.text}\n${r.log}`).toBe(554);
    expect(r.text).toContain(`blocked using ${zone}`);
  }, 120_000);
});
