// mailfort-metrics and its collectors as they land on the host (installed by the host's own
// installer from the bundle into the Debian 13 root), against a real systemd-journald, a real
// journalctl (systemd 257) and fail2ban, in private mount, pid and network namespaces: lines
// written to the journal the way Postfix and Dovecot write them are counted once, a minute with
// nothing new counts zeros (journalctl's exit status notwithstanding), `--print` leaves the
// publisher's cursor alone and prints every metric of the table. A resolver on the namespace's
// 127.0.0.1:53 answers for the stack's hostname and lists that address on the stack's DNSBL.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HOST_METRICS } from "../../infra/core/host-metrics";
import { type CheckerRoot, baseRoot, checkerUnavailable, prepareRoot } from "./checker-root";
import { loadStack } from "./stacks";

const unavailable = checkerUnavailable();
if (unavailable && process.env.CI === "true") throw new Error(`host metrics tests cannot run in CI: ${unavailable}`);
if (unavailable) console.warn(`SKIPPING the host metrics tests: ${unavailable}`);

const cfg = loadStack("lab");
const OWN_ADDRESS = "192.0.2.10";
const DNSBL = cfg.antispam.dnsbls[0]!.zone;

/** Answers A for the hostname (OWN_ADDRESS), 127.0.0.2 for OWN_ADDRESS on the DNSBL, NXDOMAIN otherwise. */
const RESOLVER = `
import socket, struct
answers = {${JSON.stringify(cfg.hostname)}: ${JSON.stringify(OWN_ADDRESS)}, ${JSON.stringify(`${OWN_ADDRESS.split(".").reverse().join(".")}.${DNSBL}`)}: "127.0.0.2"}
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 53))
open("/tmp/resolver.ready", "w").close()
while True:
    data, peer = s.recvfrom(512)
    pos, labels = 12, []
    while data[pos]:
        labels.append(data[pos + 1:pos + 1 + data[pos]].decode()); pos += 1 + data[pos]
    answer = answers.get(".".join(labels))
    an = b"" if answer is None else b"\\xc0\\x0c" + struct.pack(">HHIH", 1, 1, 60, 4) + socket.inet_aton(answer)
    s.sendto(data[:2] + struct.pack(">HHHHH", 0x8180 | (0 if answer else 3), 1, 0 if answer is None else 1, 0, 0) + data[12:pos + 5] + an, peer)
`;

/** IMDSv2 (a token, the instance id, no public-ipv4: as the lab's) and a CloudWatch endpoint that
 * records what PutMetricData sends (the query protocol botocore 1.37 speaks for CloudWatch). */
const FAKE_AWS = `
import gzip, json, threading, urllib.parse
from http.server import BaseHTTPRequestHandler, HTTPServer
class Imds(BaseHTTPRequestHandler):
    def log_message(self, *a): pass
    def reply(self, code, body):
        self.send_response(code); self.send_header("Content-Length", str(len(body))); self.end_headers(); self.wfile.write(body)
    def do_PUT(self):
        self.reply(200, b"token") if self.path == "/latest/api/token" else self.reply(404, b"")
    def do_GET(self):
        ok = self.headers.get("X-aws-ec2-metadata-token") == "token" and self.path == "/latest/meta-data/instance-id"
        self.reply(200, b"i-0metrics") if ok else self.reply(404, b"")
class CloudWatch(Imds):
    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        if self.headers.get("Content-Encoding") == "gzip": body = gzip.decompress(body)
        form = urllib.parse.parse_qs(body.decode())
        with open("/tmp/published.json", "a") as f:
            f.write(json.dumps({k: v[0] for k, v in form.items()}) + "\\n")
        self.reply(200, b'<PutMetricDataResponse xmlns="http://monitoring.amazonaws.com/doc/2010-08-01/"><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></PutMetricDataResponse>')
servers = [HTTPServer(("169.254.169.254", 80), Imds), HTTPServer(("127.0.0.1", 8080), CloudWatch)]
for srv in servers: threading.Thread(target=srv.serve_forever, daemon=True).start()
open("/tmp/aws.ready", "w").close()
threading.Event().wait()
`;

/** Journal entries as Postfix 3.10 and Dovecot 2.4 write them (identifier, message). */
const FIRST = [
  ["postfix/submission/smtpd", "warning: unknown[10.77.0.66]: SASL PLAIN authentication failed: (reason unavailable), sasl_username=alice@mailfort.test"],
  ["postfix/submission/smtpd", "4Bc1x2y3z4: client=sender.remote.test[10.77.0.20], sasl_method=PLAIN, sasl_username=alice@mailfort.test"],
  ["postfix/smtp", "4Bc1x2y3z4: to=<x@remote.test>, relay=mx.remote.test[10.77.0.20]:25, delay=0.3, delays=0.1/0/0.1/0.1, dsn=4.7.1, status=deferred (host mx.remote.test[10.77.0.20] said: 450 4.7.1 Try again later (in reply to RCPT TO command))"],
  ["postfix/smtpd", "4Bc1x2y3z7: milter-reject: END-OF-MESSAGE from attacker.spam.test[10.77.0.67]: 5.7.1 Spam message rejected; from=<a@spam.test> to=<alice@mailfort.test> proto=ESMTP helo=<attacker.spam.test>"],
  ["dovecot", "imap-login: Login aborted: Connection closed (auth failed, 1 attempts in 2 secs) (auth_failed): user=<alice@mailfort.test>, method=PLAIN, rip=10.77.0.30, lip=10.77.0.10, TLS: Connection closed, session=<aFhy5kphrqkKTQAe>"],
];
const SECOND = [
  ["postfix/submissions/smtpd", "warning: attacker.spam.test[10.77.0.67]: SASL LOGIN authentication failed: UGFzc3dvcmQ6, sasl_username=bob@mailfort.test"],
  ["postfix/smtp", "4Bc1x2y3z5: to=<nobody@remote.test>, relay=mx.remote.test[10.77.0.20]:25, delay=0.2, delays=0.1/0/0/0.1, dsn=5.1.1, status=bounced (host mx.remote.test[10.77.0.20] said: 550 5.1.1 No such user (in reply to RCPT TO command))"],
];
const logLines = (entries: string[][]) => entries.map(([ident, msg]) => `logger --journald <<'EOF'\nSYSLOG_IDENTIFIER=${ident}\nMESSAGE=${msg}\nEOF`).join("\n");

const STEP = `python3 -c "import sys, json; sys.path.insert(0, '/usr/local/lib/mailfort'); import mailfort_collectors as c; l = []; print(json.dumps({'counts': c.count_journal(c.Journal('/var/lib/mailfort/metrics/journal.cursor').entries(l.append)), 'logs': l}))"`;

const SCENARIO = `
set -u
mount -t tmpfs tmpfs /run
mount -t sysfs sysfs /sys
mount -t cgroup2 none /sys/fs/cgroup
ip link set lo up
mkdir -p /run/systemd/journal /run/fail2ban /var/lib/mailfort
/usr/lib/systemd/systemd-journald >/tmp/journald.log 2>&1 &
for i in $(seq 100); do [ -S /run/systemd/journal/socket ] && break; sleep 0.1; done
python3 /tmp/resolver.py >/tmp/resolver.log 2>&1 &
for i in $(seq 100); do [ -e /tmp/resolver.ready ] && break; sleep 0.1; done
fail2ban-client -x start >/tmp/fail2ban.log 2>&1
for i in $(seq 100); do fail2ban-client ping >/dev/null 2>&1 && break; sleep 0.2; done
# The queue's directories as Postfix makes them at its first start (hashed deferred), one message deferred.
mkdir -p /var/spool/postfix/active /var/spool/postfix/deferred/4
touch /var/spool/postfix/deferred/4/4Bc1x2y3z4
settle() { sleep 1; }
${STEP} >/tmp/step1.json
${logLines(FIRST)}
settle
${STEP} >/tmp/step2.json
${STEP} >/tmp/step3.json
${logLines(SECOND)}
settle
printf '# suspended by the containment\\nalice@mailfort.test\\n' >/var/lib/mailfort/suspended-senders
# The report reader's hourly summary (mailfort-reports publish) with one alert: report_alerts reads it.
. /etc/mailfort/mailfort.env
mkdir -p "$MAILFORT_DATA_DIR/reports"
printf '{"alerts":[{"domain":"mailfort.test"}]}' >"$MAILFORT_DATA_DIR/reports/summary.json"
/usr/local/sbin/mailfort-metrics --print >/tmp/print1.json 2>/tmp/print1.err; echo $? >/tmp/print1.rc
/usr/local/sbin/mailfort-metrics --print >/tmp/print2.json 2>/tmp/print2.err
${STEP} >/tmp/step4.json
# The publisher itself, against the fake IMDS and CloudWatch, with fail2ban stopped: the one
# metric that cannot be measured is logged and left out, every other one is still published.
fail2ban-client stop >/dev/null 2>&1 || true
ip addr add 169.254.169.254/32 dev lo
python3 /tmp/fake_aws.py >/tmp/fake_aws.log 2>&1 &
for i in $(seq 100); do [ -e /tmp/aws.ready ] && break; sleep 0.1; done
AWS_ACCESS_KEY_ID=AKIAEXAMPLE AWS_SECRET_ACCESS_KEY=secret AWS_EC2_METADATA_DISABLED=true AWS_ENDPOINT_URL_CLOUDWATCH=http://127.0.0.1:8080 \
  /usr/local/sbin/mailfort-metrics >/tmp/publish.out 2>/tmp/publish.err; echo $? >/tmp/publish.rc
`;

interface Step { counts: Record<string, number>; logs: string[] }
interface Point { MetricName: string; Value: number; Unit: string; Dimensions: Array<{ Name: string; Value: string }> }

describe.skipIf(Boolean(unavailable))("mailfort-metrics on the Debian 13 root, with a real journal", () => {
  let root: CheckerRoot;
  let scenario: { status: number; stdout: string; stderr: string };
  const read = (f: string) => readFileSync(join(root.dir, "tmp", f), "utf8");
  const step = (n: number) => JSON.parse(read(`step${n}.json`)) as Step;

  beforeAll(() => {
    root = prepareRoot(baseRoot(), cfg);
    writeFileSync(join(root.dir, "tmp/resolver.py"), RESOLVER);
    writeFileSync(join(root.dir, "tmp/scenario.sh"), SCENARIO);
    writeFileSync(join(root.dir, "tmp/fake_aws.py"), FAKE_AWS);
    scenario = root.run(["unshare", "-m", "-p", "-f", "--mount-proc", "sh", "/tmp/scenario.sh"], { netns: true });
  }, 30 * 60_000);

  afterAll(() => root?.dispose());

  it("runs the scenario (journald, resolver, fail2ban up)", () => {
    expect(scenario.status, `${scenario.stderr}${scenario.stdout}\n${read("journald.log")}\n${read("fail2ban.log")}`).toBe(0);
  });

  it("a first run only places the cursor at the end of the journal (the journal since boot is not this minute's)", () => {
    expect(step(1)).toEqual({ counts: { top_sender: 0 }, logs: [] });
    expect(readFileSync(join(root.dir, "var/lib/mailfort/metrics/journal.cursor"), "utf8")).toMatch(/^s=[0-9a-f]+;i=/);
  });

  it("counts the new lines once, then zeros for a minute with nothing new", () => {
    expect(step(2)).toEqual({ counts: { smtp_auth_failures: 1, deferred: 1, rspamd_rejects: 1, imap_login_failures: 1, top_sender: 1 }, logs: [] });
    expect(step(3)).toEqual({ counts: { top_sender: 0 }, logs: [] });
  });

  it("--print measures every metric of the table, each with one datapoint (per mount for disk usage)", () => {
    const points = JSON.parse(read("print1.json")) as Point[];
    expect(read("print1.err")).not.toMatch(/not measured/);
    expect(read("print1.rc").trim()).toBe("0");
    expect([...new Set(points.map((p) => p.MetricName))].sort()).toEqual(HOST_METRICS.map((m) => m.name).sort());
    const value = (name: string) => points.find((p) => p.MetricName === name)?.Value;
    expect(value("smtp_auth_failures")).toBe(1);
    expect(value("deliveries_bounced")).toBe(1);
    expect(value("deliveries_deferred")).toBe(0);
    expect(value("queue_active")).toBe(0);
    expect(value("queue_deferred")).toBe(1);
    expect(value("fail2ban_banned")).toBe(0);
    expect(value("suspended_senders")).toBe(1);
    expect(value("report_alerts")).toBe(1);
    expect(value("reboot_required_hours")).toBe(0);
    // The root's bootstrap certificate: 30 days (checker-root.ts).
    expect(value("cert_days_left")).toBeGreaterThan(29);
    expect(value("dnsbl_listed")).toBe(1);
    expect(read("print1.err")).toContain(`dnsbl ${DNSBL}: ${OWN_ADDRESS} is listed (127.0.0.2)`);
    for (const p of points) expect(p.Dimensions[0]?.Name).toBe("InstanceId");
    expect(points.find((p) => p.MetricName === "disk_used_percent")?.Dimensions.map((d) => d.Name)).toEqual(["InstanceId", "path"]);
  });

  it("--print leaves the publisher's cursor where it was: printing twice shows the same counts, and the publisher still counts them", () => {
    const counts = (f: string) => Object.fromEntries((JSON.parse(read(f)) as Point[]).filter((p) => /failures|deliveries|rejects|sender/.test(p.MetricName)).map((p) => [p.MetricName, p.Value]));
    expect(counts("print2.json")).toEqual(counts("print1.json"));
    expect(step(4).counts).toEqual({ smtp_auth_failures: 1, bounced: 1, top_sender: 0 });
  });

  it("publishes every other metric when one collector fails (fail2ban stopped), says which failed, and exits 1", () => {
    const requests = read("published.json").trim().split("\n").map((l) => JSON.parse(l) as Record<string, string>);
    expect(requests, read("publish.err")).toHaveLength(1);
    const form = requests[0]!;
    expect(form.Action).toBe("PutMetricData");
    expect(form.Namespace).toBe("mailfort");
    const names = Object.entries(form).filter(([k]) => /^MetricData\.member\.\d+\.MetricName$/.test(k)).map(([, v]) => v);
    expect([...new Set(names)].sort()).toEqual(HOST_METRICS.map((m) => m.name).filter((n) => n !== "fail2ban_banned").sort());
    expect(Object.entries(form).filter(([k, v]) => /Dimensions\.member\.1\.Value$/.test(k) && v === "i-0metrics")).toHaveLength(names.length);
    expect(read("publish.err")).toMatch(/^mailfort-metrics: fail2ban_banned: not measured this minute: fail2ban-client banned exited/m);
    expect(read("publish.rc").trim()).toBe("1");
  });
});
