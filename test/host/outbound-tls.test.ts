// Outbound TLS, DANE first, in the Debian 13 root with the real pieces: Debian's
// postfix-mta-sts-resolver (mta-sts-daemon with the rendered /etc/mta-sts-daemon.yml, fetching
// policies over HTTPS from a local server whose certificate a test CA signs, the CA put in the
// root's trust store as an admin would), the rendered mailfort-tls-policy, Postfix's postmap asking
// the map main.cf names, and Postfix itself. DNS comes from a small server of the test's (dnspython)
// that sets the AD bit for the "signed" names, as the host's validating unbound does for a
// DNSSEC-signed zone; real DNSSEC signing and validation is the lab's later work (docs/known-limits.md).
//
// Receivers: dane.test (validated MX and TLSA, and an enforce MTA-STS policy too: DANE must win),
// sts.test (enforce policy, no DNSSEC), signed.test (validated MX, no TLSA, enforce policy),
// testing.test (testing policy), plain.test (neither), null.test (null MX), bogus.test (SERVFAIL,
// as unbound answers a bogus signature).
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CheckerRoot, baseRoot, checkerUnavailable, prepareRoot } from "./checker-root";
import { fakeDnsScript } from "./fake-dns";
import { loadStack } from "./stacks";

const unavailable = checkerUnavailable();
if (unavailable) console.warn(`SKIPPING outbound TLS host tests: ${unavailable}`);

const TLSA = "3 1 1 0c72ac70b745ac19998811b131d662c9ac69dbdbe7cb23e5b514b56664c5d3d6";

const FAKE_DNS = fakeDnsScript({
  "dane.test. MX": ["10 mx.dane.test."], "mx.dane.test. A": ["127.0.0.1"],
  "_25._tcp.mx.dane.test. TLSA": [TLSA],
  "_mta-sts.dane.test. TXT": ['"v=STSv1; id=20260101"'], "mta-sts.dane.test. A": ["127.0.0.1"],
  "sts.test. MX": ["10 mx.sts.test."], "mx.sts.test. A": ["127.0.0.1"],
  "_mta-sts.sts.test. TXT": ['"v=STSv1; id=20260101"'], "mta-sts.sts.test. A": ["127.0.0.1"],
  "testing.test. MX": ["10 mx.testing.test."], "mx.testing.test. A": ["127.0.0.1"],
  "_mta-sts.testing.test. TXT": ['"v=STSv1; id=1"'], "mta-sts.testing.test. A": ["127.0.0.1"],
  "plain.test. MX": ["10 mx.plain.test."], "mx.plain.test. A": ["192.0.2.25"],
  "signed.test. MX": ["10 mx.signed.test."], "mx.signed.test. A": ["127.0.0.1"],
  "_mta-sts.signed.test. TXT": ['"v=STSv1; id=7"'], "mta-sts.signed.test. A": ["127.0.0.1"],
  "null.test. MX": ["0 ."],
}, ["dane.test.", "signed.test.", "null.test."], ["bogus.test."]);

const POLICY_SERVER = `
import ssl
from http.server import BaseHTTPRequestHandler, HTTPServer
POLICIES = {
    "mta-sts.dane.test": "version: STSv1\\r\\nmode: enforce\\r\\nmx: mx.dane.test\\r\\nmax_age: 86400\\r\\n",
    "mta-sts.sts.test": "version: STSv1\\r\\nmode: enforce\\r\\nmx: mx.sts.test\\r\\nmax_age: 86400\\r\\n",
    "mta-sts.signed.test": "version: STSv1\\r\\nmode: enforce\\r\\nmx: mx.signed.test\\r\\nmax_age: 86400\\r\\n",
    "mta-sts.testing.test": "version: STSv1\\r\\nmode: testing\\r\\nmx: mx.testing.test\\r\\nmax_age: 86400\\r\\n",
}
class Policy(BaseHTTPRequestHandler):
    def log_message(self, *a): pass
    def do_GET(self):
        body = POLICIES.get(self.headers.get("Host", "").split(":")[0])
        if self.path != "/.well-known/mta-sts.txt" or body is None:
            self.send_response(404); self.end_headers(); return
        self.send_response(200); self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body))); self.end_headers(); self.wfile.write(body.encode())
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain("/tmp/policy-cert.pem", "/tmp/policy-key.pem")
srv = HTTPServer(("127.0.0.1", 443), Policy)
srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
open("/tmp/https.ready", "w").close()
srv.serve_forever()
`;

/** Each query's answer as "domain<TAB>exit<TAB>output", through the map main.cf names. */
const QUERIES = `
q() { for d in dane.test sts.test signed.test testing.test plain.test null.test bogus.test; do
  out=$(postmap -q "$d" "$MAP" 2>&1); printf '%s\\t%s\\t%s\\n' "$d" "$?" "$(echo "$out" | tr '\\n' ' ')"
done; }
`;

const SCENARIO = `
set -u
ip link set lo up
rm -f /etc/resolv.conf; printf 'nameserver 127.0.0.1\\noptions edns0 trust-ad\\n' >/etc/resolv.conf
wait_for() { for i in $(seq 150); do [ -e "$1" ] && return 0; sleep 0.1; done; echo "timed out waiting for $1" >&2; return 1; }
wait_port() { for i in $(seq 150); do ss -Hltn "sport = :$1" | grep -q . && return 0; sleep 0.1; done; echo "nothing on port $1" >&2; return 1; }
python3 /tmp/fake_dns.py >/tmp/dns.err 2>&1 & wait_for /tmp/dns.ready
python3 /tmp/policy_server.py >/tmp/https.err 2>&1 & wait_for /tmp/https.ready
MAP=$(postconf -h smtp_tls_policy_maps)
echo "$MAP" >/tmp/map.txt
mta-sts-query sts.test >/tmp/query-sts.txt 2>&1
setpriv --reuid=_mta-sts --regid=_mta-sts --clear-groups mta-sts-daemon -c /etc/mta-sts-daemon.yml >/tmp/resolver.log 2>&1 & RESOLVER=$!
/usr/local/sbin/mailfort-tls-policy >/tmp/front.log 2>&1 & FRONT=$!
wait_port 8461 && wait_port 8462 || exit 1
${QUERIES}
q >/tmp/up.tsv
# The resolver straight (what Postfix would get without the DANE-first front).
postmap -q dane.test socketmap:inet:127.0.0.1:8461:postfix >/tmp/resolver-dane.txt 2>&1
# The resolver down: mail to MTA-STS domains waits; mail elsewhere still flows.
kill $RESOLVER; wait $RESOLVER 2>/dev/null
q >/tmp/resolver-down.tsv
# The front down too: Postfix's own behaviour on a failed policy lookup, with a real delivery.
kill $FRONT; wait $FRONT 2>/dev/null
mkdir -p /var/spool/postfix/etc && cp /etc/resolv.conf /etc/hosts /etc/services /var/spool/postfix/etc/
postconf -e 'non_smtpd_milters =' 'smtpd_milters =' && postfix start >/tmp/postfix.log 2>&1 || exit 1
printf 'Subject: t\\n\\nbody\\n' | sendmail -f postmaster@mailfort.test someone@plain.test
for i in $(seq 100); do postqueue -j | grep -q '"queue_name": *"deferred"' && break; sleep 0.2; done
postqueue -j >/tmp/queue.json
postfix stop >/dev/null 2>&1
exit 0
`;

interface Answer { readonly status: number; readonly output: string }

function answers(tsv: string): Map<string, Answer> {
  return new Map(tsv.trim().split("\n").map((l) => {
    const [domain, status, output] = l.split("\t");
    return [domain ?? "", { status: Number(status), output: (output ?? "").trim() }];
  }));
}

/** A test CA and a policy server certificate for both mta-sts names, as a public CA would issue. */
function makeCertificates(dir: string): { ca: string; cert: string; key: string } {
  const f = (n: string) => join(dir, n);
  const ssl = (...args: string[]) => execFileSync("openssl", args, { stdio: ["ignore", "ignore", "pipe"] });
  ssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", f("ca-key.pem"), "-out", f("ca.pem"),
    "-days", "2", "-subj", "/CN=mailfort test CA", "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign");
  ssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", f("key.pem"), "-out", f("req.pem"), "-subj", "/CN=mta-sts.sts.test");
  writeFileSync(f("ext.cnf"), "subjectAltName=DNS:mta-sts.sts.test,DNS:mta-sts.dane.test,DNS:mta-sts.signed.test,DNS:mta-sts.testing.test\nbasicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\nauthorityKeyIdentifier=keyid\nsubjectKeyIdentifier=hash\n");
  ssl("x509", "-req", "-in", f("req.pem"), "-CA", f("ca.pem"), "-CAkey", f("ca-key.pem"), "-CAcreateserial", "-days", "2", "-extfile", f("ext.cnf"), "-out", f("cert.pem"));
  return { ca: readFileSync(f("ca.pem"), "utf8"), cert: readFileSync(f("cert.pem"), "utf8"), key: readFileSync(f("key.pem"), "utf8") };
}

describe.skipIf(Boolean(unavailable))("outbound TLS in the Debian 13 root: DANE first, then MTA-STS, then opportunistic (dev stack)", () => {
  let root: CheckerRoot;
  let scenario: { status: number; stdout: string; stderr: string };
  const read = (p: string) => { try { return readFileSync(join(root.dir, p), "utf8"); } catch { return ""; } };
  beforeAll(() => {
    root = prepareRoot(baseRoot(), loadStack("dev"));
    const dir = mkdtempSync(join(tmpdir(), "mailfort-sts-ca-"));
    try {
      const { ca, cert, key } = makeCertificates(dir);
      writeFileSync(join(root.dir, "usr/local/share/ca-certificates/mailfort-test-ca.crt"), ca);
      writeFileSync(join(root.dir, "tmp/policy-cert.pem"), cert);
      writeFileSync(join(root.dir, "tmp/policy-key.pem"), key);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const trusted = root.run(["update-ca-certificates"]);
    if (trusted.status !== 0) throw new Error(`update-ca-certificates: ${trusted.stderr}`);
    writeFileSync(join(root.dir, "tmp/fake_dns.py"), FAKE_DNS);
    writeFileSync(join(root.dir, "tmp/policy_server.py"), POLICY_SERVER);
    writeFileSync(join(root.dir, "tmp/scenario.sh"), SCENARIO);
    // A PID namespace of its own: the servers and Postfix end with the scenario.
    scenario = root.run(["unshare", "-m", "-p", "-f", "--mount-proc", "sh", "/tmp/scenario.sh"], { netns: true });
  }, 30 * 60_000);
  afterAll(() => root?.dispose());

  const logs = () => `${scenario.stderr}${scenario.stdout}\nresolver: ${read("tmp/resolver.log")}\nfront: ${read("tmp/front.log")}\ndns: ${read("tmp/dns.err")}\nhttps: ${read("tmp/https.err")}`;

  it("runs the scenario (DNS, policy server, resolver, mailfort-tls-policy, Postfix)", () => {
    expect(scenario.status, logs()).toBe(0);
  });

  it("Postfix asks the DANE-first map, and DANE with DNSSEC lookups stays the default level", () => {
    expect(read("tmp/map.txt").trim()).toBe("socketmap:inet:127.0.0.1:8462:postfix");
    const levels = root.run(["postconf", "-h", "smtp_tls_security_level", "smtp_dns_support_level"]);
    expect(levels.stdout).toBe("dane\ndnssec\n");
  });

  it("systemd-analyze verify: both units (mailfort's and Debian's with mailfort's drop-in) parse without a warning", () => {
    const v = root.run(["systemd-analyze", "verify", "--man=no", "/etc/systemd/system/mailfort-tls-policy.service", "postfix-mta-sts-resolver.service"]);
    expect(v.stderr + v.stdout).not.toMatch(/Unknown|Invalid|Failed|ignoring/i);
    expect(v.status, v.stderr).toBe(0);
    // The check reads drop-ins and can fail: a misspelt key in one is reported.
    const dropIn = join(root.dir, "etc/systemd/system/postfix-mta-sts-resolver.service.d/zz-test.conf");
    writeFileSync(dropIn, "[Service]\nProtectKernelLog=yes\n");
    try {
      const broken = root.run(["systemd-analyze", "verify", "--man=no", "postfix-mta-sts-resolver.service"]);
      expect(broken.stderr).toMatch(/zz-test\.conf:2: Unknown key 'ProtectKernelLog' in section \[Service\], ignoring/);
    } finally {
      rmSync(dropIn);
    }
  });

  it("mta-sts-query fetches the enforce policy over HTTPS with the system trust store", () => {
    expect(read("tmp/query-sts.txt"), logs()).toMatch(/'mode': 'enforce'/);
    expect(read("tmp/query-sts.txt")).toMatch(/'mx': \['mx\.sts\.test'\]/);
  });

  it("an enforce policy without DANE maps to secure match=<the policy's MX>, with SNI", () => {
    const a = answers(read("tmp/up.tsv")).get("sts.test");
    expect(a?.status, logs()).toBe(0);
    expect(a?.output).toMatch(/^secure match=mx\.sts\.test servername=hostname policy_type=sts policy_domain=sts\.test /);
  });

  it("a domain with validated TLSA records is left to DANE, although it has an enforce policy too (the resolver alone would override it)", () => {
    expect(answers(read("tmp/up.tsv")).get("dane.test")).toEqual({ status: 0, output: "dane" });
    expect(read("tmp/resolver-dane.txt")).toMatch(/^secure match=mx\.dane\.test/);
  });

  it("a DNSSEC-signed domain without TLSA records still gets its MTA-STS policy (DNSSEC alone is not DANE)", () => {
    expect(answers(read("tmp/up.tsv")).get("signed.test")?.output).toMatch(/^secure match=mx\.signed\.test servername=hostname /);
  });

  it("a domain with neither, one whose policy only tests, and a null MX get no entry: opportunistic TLS", () => {
    const up = answers(read("tmp/up.tsv"));
    expect(up.get("plain.test")).toEqual({ status: 1, output: "" });
    expect(up.get("null.test")).toEqual({ status: 1, output: "" });
    expect(up.get("testing.test")).toEqual({ status: 1, output: "" });
  });

  it("a DNS failure (a bogus signature is SERVFAIL) is a temporary error, never a downgrade", () => {
    // postmap exits 1 for "not found" and for a failed query alike; the output tells them apart.
    const a = answers(read("tmp/up.tsv")).get("bogus.test");
    expect(a?.output).toMatch(/socketmap server temporary error: DNS lookup failed \(bogus\.test MX: NoNameservers\); not sending without knowing the DANE policy .*query error/);
  });

  it("the resolver down: an MTA-STS domain waits (temporary error), DANE and plain domains go on", () => {
    const down = answers(read("tmp/resolver-down.tsv"));
    expect(down.get("dane.test")).toEqual({ status: 0, output: "dane" });
    expect(down.get("plain.test")).toEqual({ status: 1, output: "" });
    for (const d of ["sts.test", "testing.test"]) {
      expect(down.get(d)?.output, d).toMatch(/socketmap server temporary error: MTA-STS resolver unavailable and the domain publishes an MTA-STS policy .*query error/);
    }
  });

  it("the policy map down: Postfix defers the mail (kept in the queue), it never sends without a policy", () => {
    const queue = read("tmp/queue.json").trim().split("\n").filter((l) => l !== "").map((l) => JSON.parse(l) as { queue_name: string; recipients: Array<{ address: string; delay_reason?: string }> });
    const held = queue.find((e) => e.recipients.some((r) => r.address === "someone@plain.test"));
    expect(held?.queue_name, `${read("tmp/queue.json")}\n${logs()}`).toBe("deferred");
    // Postfix's word for a failed TLS policy lookup (the reason it gives the mail in the queue).
    expect(held?.recipients[0]?.delay_reason).toBe("client TLS configuration problem");
  });
});
