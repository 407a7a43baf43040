// DMARC aggregate reports read on the mail host, in the Debian 13 root with the real Postfix,
// Debian's nodejs and the shipped reader bundle: Postfix accepts the report address and no other
// unknown one, delivers a real report mail through the pipe into the spool (as the reader's own
// user), the reader's run on the spool (what mailfort-reports-ingest.service runs; no systemd in
// the root, so the test starts it) stores it on the data volume, a hostile non-report is taken
// without a bounce, a failed run holds its mail back until the hourly publish, and
// `mailfort-reports summary --json` / `publish` show it, with the server's own address as own.
// The units themselves pass systemd-analyze verify; the lab proves the path unit starts the reader.
import { spawnSync } from "node:child_process";
import { appendFileSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dmarcXml } from "../../reports/dmarc-sample";
import { reportMail } from "../reports/samples";
import { type CheckerRoot, baseRoot, checkerUnavailable, prepareRoot } from "./checker-root";
import { loadStack } from "./stacks";

const unavailable = checkerUnavailable();
if (unavailable) console.warn(`SKIPPING report pipe host tests: ${unavailable}`);

const STORE = "/srv/mailfort/reports";
/** The server's public address as the root resolves its MX hostname (/etc/hosts): an own source. */
const SERVER_IP = "192.0.2.25";
const SPOOFER = "198.51.100.66";

describe.skipIf(Boolean(unavailable))("reports through the Postfix pipe in the Debian 13 root (lab stack)", () => {
  const cfg = loadStack("lab");
  let root: CheckerRoot;
  const run = (argv: string[]) => root.run(argv);
  const sh = (script: string) => root.run(["sh", "-c", script]);
  const queue = () => run(["postqueue", "-j"]).stdout.trim().split("\n").filter((l) => l !== "").map((l) => JSON.parse(l) as { queue_name: string; recipients: Array<{ address: string; delay_reason?: string }> });
  const waitFor = (what: string, done: () => boolean) => {
    for (let i = 0; i < 90 && !done(); i++) spawnSync("sleep", ["1"]);
    if (!done()) throw new Error(`timed out waiting for ${what}; queue: ${JSON.stringify(queue())}; log: ${sh("tail -n 30 /var/log/mail.log 2>/dev/null; true").stdout}`);
  };
  const stored = (kind: string) => sh(`find ${STORE}/${kind} -type f 2>/dev/null`).stdout.trim().split("\n").filter(Boolean);
  /** What mailfort-reports-ingest.service runs when its path unit sees the spool not empty. */
  const ingest = () => run(["/usr/local/sbin/mailfort-reports", "ingest-spool"]);

  beforeAll(() => {
    root = prepareRoot(baseRoot(), cfg);
    // What mailfort-boot's move_state does for the reader (the same commands, from the same settings).
    const boot = sh(`. /etc/mailfort/reports-settings && groupadd -g "$MAILFORT_REPORTS_ID" "$MAILFORT_REPORTS_USER" && useradd -r -u "$MAILFORT_REPORTS_ID" -g "$MAILFORT_REPORTS_USER" -d "$MAILFORT_REPORTS_STORE" -M -s /usr/sbin/nologin "$MAILFORT_REPORTS_USER" && install -d -o "$MAILFORT_REPORTS_USER" -g "$MAILFORT_REPORTS_USER" -m 0750 "$MAILFORT_REPORTS_STORE" "$MAILFORT_REPORTS_STORE/incoming" "$MAILFORT_REPORTS_STORE/held"`);
    if (boot.status !== 0) throw new Error(boot.stderr);
    appendFileSync(join(root.dir, "etc/hosts"), `${SERVER_IP} ${cfg.hostname}\n`);
    // No Rspamd runs in the root: mail skips the milter here (and only here). Postfix logs to a file.
    for (const setting of ["non_smtpd_milters =", "smtpd_milters =", "maillog_file = /var/log/mail.log"]) expect(run(["postconf", "-e", setting]).status).toBe(0);
    const started = root.run(["sh", "-c", "ip link set lo up && postfix start"], { netns: true });
    if (started.status !== 0) throw new Error(`postfix start: ${started.stderr}`);
  }, 30 * 60_000);
  afterAll(() => {
    if (root) run(["postfix", "stop"]);
    root?.dispose();
  });

  it("the reader's user has no login and owns only the store; nodejs runs the shipped bundle", () => {
    expect(run(["getent", "passwd", "mailfort-reports"]).stdout).toBe(`mailfort-reports:x:5001:5001::${STORE}:/usr/sbin/nologin\n`);
    expect(run(["stat", "-c", "%U %a", STORE]).stdout).toBe("mailfort-reports 750\n");
    expect(run(["postfix", "check"])).toMatchObject({ status: 0, stderr: "" });
    expect(run(["node", "--version"]).stdout).toMatch(/^v2\d\./);
  });

  it("the report addresses are valid recipients (virtual_mailbox_maps, as reject_unlisted_recipient reads it) routed to the pipe; no login owns them as a sender", () => {
    const maps = (name: string) => run(["postconf", "-h", "-x", name]).stdout.trim().split(/,\s*/);
    const lookup = (address: string, name: string) => maps(name).map((m) => run(["postmap", "-q", address, m]).stdout.trim()).filter(Boolean);
    for (const address of ["dmarc-reports@mailfort.test", "tls-reports@mailfort.test", "dmarc-reports@second.test", "tls-reports@second.test"]) {
      expect(lookup(address, "virtual_mailbox_maps"), address).toEqual(["mailfort-reports:"]);
      expect(lookup(address, "transport_maps"), address).toEqual(["mailfort-reports:"]);
    }
    expect(lookup("nosuch@mailfort.test", "virtual_mailbox_maps")).toEqual([]);
    expect(lookup("alice@mailfort.test", "transport_maps")).toEqual([]);
    // reject_sender_login_mismatch: an address no login owns in sender-login is refused as a sender.
    expect(run(["postmap", "-q", "dmarc-reports@mailfort.test", "texthash:/etc/postfix/maps/sender-login"]).status).toBe(1);
    expect(run(["postmap", "-q", "alice@mailfort.test", "texthash:/etc/postfix/maps/sender-login"]).stdout).toBe("alice@mailfort.test\n");
  });

  it("a real DMARC report mail goes through the pipe into the store; summary --json shows the domain, the own source and the spoofer", async () => {
    const now = Math.floor(Date.now() / 1000);
    const xml = dmarcXml({ domain: "mailfort.test", org: "remote.test", reportId: "host-test-1", begin: now - 86_400, end: now - 60, records: [
      { ip: SERVER_IP, count: 12, dkim: "pass", spf: "pass" },
      { ip: SPOOFER, count: 5, dkim: "fail", spf: "fail", disposition: "reject" },
    ] });
    const mail = await reportMail({ filename: "remote.test!mailfort.test!1!2.xml.gz", contentType: "application/gzip", content: gzipSync(xml) }, "Report Domain: mailfort.test Submitter: remote.test");
    writeFileSync(join(root.dir, "tmp/report.eml"), mail);
    expect(sh("sendmail -f noreply-dmarc@remote.test dmarc-reports@mailfort.test < /tmp/report.eml").status).toBe(0);
    waitFor("the report mail in the spool", () => stored("incoming").length === 1);
    waitFor("an empty queue", () => queue().length === 0);
    expect(readFileSync(join(root.dir, "var/log/mail.log"), "utf8")).toMatch(/to=<dmarc-reports@mailfort\.test>, relay=mailfort-reports, .*status=sent \(delivered via mailfort-reports service/);
    const spooled = stored("incoming")[0]!;
    expect(spooled).toMatch(/\/incoming\/\d+\.\w{8}\.eml$/);
    expect(run(["stat", "-c", "%U %a", spooled]).stdout).toBe("mailfort-reports 600\n");
    expect(ingest()).toMatchObject({ status: 0, stderr: "" });
    expect(stored("incoming")).toEqual([]);
    expect(stored("dmarc/mailfort.test")).toHaveLength(1);
    expect(run(["stat", "-c", "%U", stored("dmarc/mailfort.test")[0]!]).stdout).toBe("mailfort-reports\n");

    const summary = run(["/usr/local/sbin/mailfort-reports", "summary", "--json"]);
    expect(summary.stderr).toBe("");
    expect(summary.status).toBe(0);
    const json = JSON.parse(summary.stdout) as { own: string[]; alerts: unknown[]; spoofing: Array<{ domain: string; ip: string; verdict: string }>; domains: Array<{ domain: string; dmarc?: { sources: Array<{ ip: string; own: boolean }> } }> };
    expect(json.own).toEqual([SERVER_IP]);
    expect(json.alerts).toEqual([]);
    expect(json.spoofing.map((s) => [s.domain, s.ip, s.verdict])).toEqual([["mailfort.test", SPOOFER, "spoofing stopped by p=reject"]]);
    expect(json.domains.map((d) => d.domain)).toEqual(["mailfort.test"]);
    expect(json.domains[0]!.dmarc!.sources.map((s) => [s.ip, s.own])).toEqual(expect.arrayContaining([[SERVER_IP, true], [SPOOFER, false]]));
    // The human summary: the same, as text.
    expect(run(["/usr/local/sbin/mailfort-reports", "summary"]).stdout).toContain("mailfort.test");
  });

  it("hostile input by mail: a non-report is refused and noted, not bounced; the queue stays empty", () => {
    writeFileSync(join(root.dir, "tmp/not-a-report.eml"), "From: attacker@remote.test\nTo: dmarc-reports@mailfort.test\nSubject: hello\n\n<html>click here</html>\n");
    expect(sh("sendmail -f attacker@remote.test dmarc-reports@mailfort.test < /tmp/not-a-report.eml").status).toBe(0);
    waitFor("the mail in the spool", () => stored("incoming").length === 1);
    // The refusal goes to the unit's journal; the mail is done with (not held back for a retry).
    const r = ingest();
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/^refused \[not-a-report\] mail <[^>]+> from attacker@remote\.test has no attachment/);
    expect(stored("refused")).toHaveLength(1);
    expect(stored("incoming")).toEqual([]);
    expect(stored("held")).toEqual([]);
    waitFor("an empty queue (no bounce to the sender)", () => queue().length === 0);
    expect(readFileSync(join(root.dir, "var/log/mail.log"), "utf8")).not.toMatch(/status=bounced/);
  });

  it("a run that cannot write the store holds its mail back (no retry loop); the hourly publish spools it again and it is read", async () => {
    const now = Math.floor(Date.now() / 1000);
    const xml = dmarcXml({ domain: "second.test", org: "remote.test", reportId: "host-test-held", begin: now - 86_400, end: now - 60, records: [{ ip: SERVER_IP, count: 2, dkim: "pass", spf: "pass" }] });
    writeFileSync(join(root.dir, "tmp/held.eml"), await reportMail({ filename: "remote.test!second.test!1!2.xml.gz", contentType: "application/gzip", content: gzipSync(xml) }, "Report Domain: second.test Submitter: remote.test"));
    // The store's DMARC directory not writable by the reader: its run exits 75 (EX_TEMPFAIL).
    expect(sh(`install -d -o root -g root -m 0755 ${STORE}/dmarc/second.test`).status).toBe(0);
    expect(sh("sendmail -f noreply-dmarc@remote.test dmarc-reports@second.test < /tmp/held.eml").status).toBe(0);
    waitFor("the mail in the spool", () => stored("incoming").length === 1);
    const failed = ingest();
    expect(failed.status).toBe(0);
    expect(failed.stderr).toMatch(/mailfort-reports: \d+\.\w{8}\.eml: the reader exited 75; held back in \/srv\/mailfort\/reports\/held until the next hourly run/);
    expect(stored("incoming")).toEqual([]);
    expect(stored("held")).toHaveLength(1);
    // Writable again: publish puts it back in the spool, and the next run stores it.
    expect(sh(`chown mailfort-reports:mailfort-reports ${STORE}/dmarc/second.test`).status).toBe(0);
    expect(run(["/usr/local/sbin/mailfort-reports", "publish"]).status).toBe(0);
    expect(stored("held")).toEqual([]);
    expect(stored("incoming")).toHaveLength(1);
    expect(ingest()).toMatchObject({ status: 0, stderr: "" });
    expect(stored("dmarc/second.test")).toHaveLength(1);
  });

  it("the reader's units pass systemd-analyze verify: the path unit on the spool, the sandboxed service it starts", () => {
    const v = run(["systemd-analyze", "verify", "--man=no", "/etc/systemd/system/mailfort-reports-ingest.path", "/etc/systemd/system/mailfort-reports-ingest.service"]);
    expect({ status: v.status, stderr: v.stderr }).toEqual({ status: 0, stderr: "" });
    // A unit the verifier complains about is caught: the check can fail.
    writeFileSync(join(root.dir, "etc/systemd/system/mailfort-reports-ingest-broken.service"), "[Service]\nType=oneshot\nExecStart=/usr/local/sbin/mailfort-reports ingest-spool\nSystemCallFilter=@no-such-group\n");
    const broken = run(["systemd-analyze", "verify", "--man=no", "/etc/systemd/system/mailfort-reports-ingest-broken.service"]);
    expect(`${broken.status} ${broken.stderr}`).toMatch(/no-such-group|Failed|Invalid|Unknown/i);
  });

  it("publish (the timer) writes the monitoring's summary, which the metric collector reads as 0 alerts", () => {
    const r = run(["/usr/local/sbin/mailfort-reports", "publish"]);
    expect(r).toMatchObject({ status: 0, stderr: "" });
    expect(run(["stat", "-c", "%U", `${STORE}/summary.json`]).stdout).toBe("mailfort-reports\n");
    const alerts = run(["python3", "-c", `import sys; sys.path.insert(0, "/usr/local/lib/mailfort"); import mailfort_collectors as c; print(c.report_alerts("${STORE}/summary.json", 3 * 3600))`]);
    expect(alerts).toMatchObject({ status: 0, stdout: "0\n" });
  });
});
