// The summary, as a specification: reports in -> per-domain sources, pass/fail, TLS failures,
// alerts for your own sources above the threshold, spoofing stopped by p=reject; and the
// `npm run reports` command line that an operator (or a timer on the host) runs.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { DEFAULT_LIMITS, ingest, loadStore, ownSources, summarise, summaryText, type ReportSummary } from "../../reports";
import { dmarcXml, reportMail, tlsRptJson } from "./samples";
import { zipArchive } from "./zip-writer";

const SERVER = "203.0.113.5";
const SES = "54.240.0.0/18";

async function sampleStore(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), "mf-reports-"));
  const google = dmarcXml({ org: "google.com", reportId: "g-1", records: [
    { ip: SERVER, count: 900, dkim: "pass", spf: "pass" },
    { ip: SERVER, count: 100, dkim: "fail", spf: "fail", disposition: "reject" }, // 10% of our own mail fails: an alert
    { ip: "54.240.8.20", count: 50, dkim: "pass", spf: "pass" },                  // SES, clean
    { ip: "198.51.100.66", count: 400, dkim: "fail", spf: "fail", disposition: "reject" }, // spoofing, stopped
  ] });
  const microsoft = dmarcXml({ org: "Enterprise Outlook", reportId: "m-1", begin: 1796169600, end: 1796255999, records: [
    { ip: "54.240.8.20", count: 1000, dkim: "pass", spf: "pass" },
    { ip: "54.240.8.21", count: 5, dkim: "fail", spf: "pass" },  // SPF-aligned pass: still a DMARC pass
    { ip: "192.0.2.77", count: 7, dkim: "fail", spf: "fail", disposition: "none" }, // delivered anyway (local override)
  ] });
  const other = dmarcXml({ org: "google.com", reportId: "g-2", domain: "example.org", records: [{ ip: SERVER, count: 10, dkim: "pass", spf: "fail" }] });
  const tls = tlsRptJson({ org: "Sender Org", ok: 900, failures: [
    { resultType: "certificate-expired", sendingMtaIp: "192.0.2.10", receivingMx: "mail.example.com", receivingIp: SERVER, sessions: 60, info: "https://sender.example/tls-help" },
    { resultType: "starttls-not-supported", sendingMtaIp: "192.0.2.11", receivingMx: "mail.example.com", receivingIp: SERVER, sessions: 40 },
  ] });
  const mails = [
    await reportMail({ filename: "google.com!example.com!1796083200!1796169599.zip", contentType: "application/zip", content: zipArchive([{ name: "google.com!example.com!1796083200!1796169599.xml", data: Buffer.from(google) }]) }),
    await reportMail({ filename: "outlook.com!example.com!1796169600!1796255999.xml.gz", contentType: "application/gzip", content: gzipSync(microsoft) }),
    await reportMail({ filename: "google.com!example.org!1796083200!1796169599.xml.gz", contentType: "application/x-gzip", content: gzipSync(other) }),
    await reportMail({ filename: "sender.example!example.com!1796083200!1796169599.json.gz", contentType: "application/tlsrpt+gzip", content: gzipSync(tls) }),
    await reportMail({ filename: "x.html", contentType: "text/html", content: Buffer.from("<html></html>") }),
  ];
  for (const [i, m] of mails.entries()) await ingest(dir, `mail-${i}`, m, DEFAULT_LIMITS);
  return dir;
}

describe("the summary", () => {
  it("counts per domain and source, flags your failing source, and names spoofing stopped by p=reject", async () => {
    const dir = await sampleStore();
    const s = summarise(loadStore(dir, DEFAULT_LIMITS), ownSources([SERVER, SES]), 0.02);
    expect(s.reports).toEqual({ dmarc: 3, tls: 1, refused: 1, unreadable: 0 });
    expect(s.domains.map((d) => d.domain)).toEqual(["example.com", "example.org"]);
    const com = s.domains[0]!.dmarc!;
    expect(com).toMatchObject({ reports: 2, reporters: ["google.com", "Enterprise Outlook"], from: "2026-12-01", to: "2026-12-02", messages: 2462, pass: 1955, fail: 507, policy: ["p=reject"] });
    expect(com.sources.map((x) => [x.ip, x.own, x.messages, x.pass, x.fail, x.dkimAligned, x.spfAligned, x.disposition.reject])).toEqual([
      ["54.240.8.20", true, 1050, 1050, 0, 1050, 1050, 0],
      [SERVER, true, 1000, 900, 100, 900, 900, 100],
      ["198.51.100.66", false, 400, 0, 400, 0, 0, 400],
      ["192.0.2.77", false, 7, 0, 7, 0, 0, 0],
      ["54.240.8.21", true, 5, 5, 0, 0, 5, 0],
    ]);
    expect(s.alerts.map((a) => [a.kind, a.domain, a.subject, a.failed, a.total])).toEqual([
      ["own-source-failing", "example.com", SERVER, 100, 1000],
      ["own-source-dkim-unaligned", "example.com", "54.240.8.21", 5, 5],
      ["tls-failing", "example.com", "mail.example.com", 100, 1000],
    ]);
    expect(s.alerts[0]!.message).toMatch(/your source 203\.0\.113\.5 fails DMARC for 100 of 1000 messages \(10\.0%, threshold 2\.0%\)/);
    expect(s.spoofing).toEqual([
      { domain: "example.com", ip: "198.51.100.66", failed: 400, rejected: 400, quarantined: 0, delivered: 0, verdict: "spoofing stopped by p=reject" },
      { domain: "example.com", ip: "192.0.2.77", failed: 7, rejected: 0, quarantined: 0, delivered: 7, verdict: expect.stringMatching(/^spoofing DELIVERED/) },
    ]);
    const tls = s.domains[0]!.tls!;
    expect(tls).toMatchObject({ reports: 1, successful: 900, failed: 100, policyTypes: ["sts"] });
    expect(tls.failures.map((f) => [f.resultType, f.sessions, f.sendingMtaIp, f.details])).toEqual([
      ["certificate-expired", 60, "192.0.2.10", ["https://sender.example/tls-help"]],
      ["starttls-not-supported", 40, "192.0.2.11", []],
    ]);
    expect(s.refused[0]).toMatchObject({ code: "content-type" });
  });

  it("raises no alert for your source under the threshold, and none for a source that is not yours", async () => {
    const dir = await sampleStore();
    const loaded = loadStore(dir, DEFAULT_LIMITS);
    expect(summarise(loaded, ownSources([SERVER]), 0.2).alerts).toEqual([]);
    // 54.240.8.21 passes on SPF alone: DKIM is broken there, although DMARC passes.
    const ses = summarise(loaded, ownSources([SES]), 0.02).alerts;
    expect(ses.map((a) => [a.kind, a.subject, a.failed, a.total])).toEqual([["own-source-dkim-unaligned", "54.240.8.21", 5, 5], ["tls-failing", "mail.example.com", 100, 1000]]);
    expect(ses[0]!.message).toMatch(/passes DMARC but without an aligned DKIM signature for 5 of 5 messages/);
    const noneOwn = summarise(loaded, ownSources([]), 0.02);
    expect(noneOwn.alerts.map((a) => a.kind)).toEqual(["tls-failing"]);
    expect(noneOwn.spoofing.map((x) => x.ip)).toContain(SERVER);
  });

  it("reads as text: alerts first, then spoofing, then each domain", async () => {
    const text = summaryText(summarise(loadStore(await sampleStore(), DEFAULT_LIMITS), ownSources([SERVER, SES]), 0.02), "/srv/reports");
    expect(text).toMatch(/^Reports in \/srv\/reports: 3 DMARC aggregate, 1 TLS-RPT, 1 refused\n/);
    expect(text.indexOf("ALERTS (3)")).toBeLessThan(text.indexOf("Unknown sources failing DMARC"));
    expect(text).toMatch(/example\.com +198\.51\.100\.66 +400 failed: 400 rejected, 0 quarantined, 0 delivered -> spoofing stopped by p=reject/);
    expect(text).toMatch(/certificate-expired: 60 sessions to mail\.example\.com \(203\.0\.113\.5\) from 192\.0\.2\.10, reported by Sender Org/);
  });

  it("names every bad --own entry at once", () => {
    expect(() => ownSources(["203.0.113.5", "300.1.1.1", "10.0.0.0/33", "2001:db8::/129", "host.example"])).toThrow(/"300\.1\.1\.1"[\s\S]*"10\.0\.0\.0\/33"[\s\S]*"2001:db8::\/129"[\s\S]*"host\.example"/);
  });
});

describe("npm run reports", () => {
  const ROOT = join(__dirname, "..", "..");
  const run = (args: string[], input?: Buffer) => spawnSync(process.execPath, ["--import", "tsx", join(ROOT, "tools", "reports.ts"), ...args], { cwd: ROOT, input, encoding: "utf8" });

  it("ingests a mail from stdin and files, refuses with exit 2, and prints the summary as JSON", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mf-reports-"));
    const good = await reportMail({ filename: "r.xml.gz", contentType: "application/gzip", content: gzipSync(dmarcXml({ records: [{ ip: SERVER, count: 3, dkim: "pass", spf: "pass" }] })) });
    const stdin = run(["ingest", "--dir", dir], good);
    expect(stdin.stdout).toMatch(/^stored dmarc report for example\.com: /);
    expect(stdin.status).toBe(0);
    const bomb = join(dir, "..", `bomb-${process.pid}.eml`);
    writeFileSync(bomb, await reportMail({ filename: "b.xml.gz", contentType: "application/gzip", content: gzipSync(Buffer.alloc(4 * 1024 * 1024)) }));
    const refused = run(["ingest", "--dir", dir, bomb]);
    expect(refused.status).toBe(2);
    expect(refused.stderr).toMatch(/refused \[zip-bomb\] .*ratio above 200:1/);
    // As Postfix's pipe(8) runs it: a refusal is taken (exit 0, noted), an unwritable store is retried (75).
    const piped = run(["ingest", "--pipe", "--dir", dir], readFileSync(bomb));
    expect(piped.status).toBe(0);
    expect(piped.stderr).toMatch(/refused \[zip-bomb\]/);
    const blocked = join(dir, "not-a-dir");
    writeFileSync(blocked, "a file where the store should be");
    const retry = run(["ingest", "--pipe", "--dir", blocked], good);
    expect(retry.status).toBe(75);
    expect(retry.stderr).toMatch(/the mail stays queued/);
    const json = run(["summary", "--dir", dir, "--own", SERVER, "--json"]);
    expect(json.status).toBe(0);
    const s = JSON.parse(json.stdout) as ReportSummary;
    expect(s).toMatchObject({ threshold: 0.02, own: [SERVER], reports: { dmarc: 1, tls: 0, refused: 2 }, alerts: [] });
    expect(s.domains[0]!.dmarc!.sources[0]).toMatchObject({ ip: SERVER, own: true, messages: 3, pass: 3 });
  });

  it("refuses a bad option with a clear message, and --fail-on-alert exits 3 on an alert", async () => {
    const dir = await sampleStore();
    const bad = run(["summary", "--dir", dir, "--threshold", "150"]);
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toMatch(/expected a percentage from 0 to 100, got "150"/);
    expect(run(["summary", "--dir", dir, "--own", "203.0.113.5", "--fail-on-alert"]).status).toBe(3);
    expect(execFileSync(process.execPath, ["--import", "tsx", join(ROOT, "tools", "reports.ts"), "summary", "--dir", dir, "--own", SERVER, "--threshold", "50"], { cwd: ROOT, encoding: "utf8" })).toMatch(/ALERTS: none/);
  });
});
