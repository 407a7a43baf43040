// The report reader the host runs is ONE committed file (configs/lib/mailfort-reports.cjs, built
// by tools/reports-host-bundle.ts): it must be exactly what the sources build to, and it must work
// on its own, with no node_modules, the way the Postfix pipe and the summary timer run it.
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { REPORTS_HOST_BUNDLE, buildReportsHostBundle } from "../../tools/reports-host-bundle";
import { dmarcXml, reportMail } from "./samples";

const REPO = join(__dirname, "../..");

describe("the host's report reader bundle", () => {
  it("is what the sources build to, byte for byte, and the same on every build", async () => {
    const first = await buildReportsHostBundle();
    const second = await buildReportsHostBundle();
    expect(second).toBe(first);
    const committed = readFileSync(join(REPO, REPORTS_HOST_BUNDLE), "utf8");
    // On failure: run `npm run build:reports-host` and commit the file.
    expect(committed === first, `${REPORTS_HOST_BUNDLE} is stale: run npm run build:reports-host and commit it`).toBe(true);
  }, 60_000);

  it("runs alone (no node_modules next to it): takes a report mail as a pipe and summarises it", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mf-host-bundle-"));
    const bundle = join(dir, "mailfort-reports.cjs");
    copyFileSync(join(REPO, REPORTS_HOST_BUNDLE), bundle);
    const now = Math.floor(Date.now() / 1000);
    const xml = dmarcXml({ begin: now - 86_400, end: now - 3600, records: [{ ip: "203.0.113.5", count: 10, dkim: "fail", spf: "fail" }, { ip: "198.51.100.66", count: 4, dkim: "fail", spf: "fail", disposition: "reject" }] });
    const mail = await reportMail({ filename: "receiver.example!example.com!1796083200!1796169599.xml.gz", contentType: "application/gzip", content: gzipSync(xml) });
    const store = join(dir, "store");
    const ingest = spawnSync(process.execPath, [bundle, "ingest", "--pipe", "--dir", store], { input: mail, encoding: "utf8", cwd: dir });
    expect(ingest.stderr).toBe("");
    expect(ingest.status).toBe(0);
    expect(ingest.stdout).toMatch(/^stored dmarc report for example\.com/);
    // Not a report: refused and noted, and still exit 0 (pipe(8) would bounce anything else to the sender).
    const refused = spawnSync(process.execPath, [bundle, "ingest", "--pipe", "--dir", store], { input: "Subject: hi\n\nhello\n", encoding: "utf8", cwd: dir });
    expect([refused.status, refused.stderr]).toEqual([0, expect.stringMatching(/^refused \[/)]);
    const summary = spawnSync(process.execPath, [bundle, "summary", "--dir", store, "--own", "203.0.113.5", "--json"], { encoding: "utf8", cwd: dir });
    expect(summary.status).toBe(0);
    const json = JSON.parse(summary.stdout) as { alerts: Array<{ domain: string }>; spoofing: Array<{ ip: string; verdict: string }>; refused: unknown[] };
    expect(json.alerts.map((a) => a.domain)).toEqual(["example.com"]);
    expect(json.spoofing.map((s) => [s.ip, s.verdict])).toEqual([["198.51.100.66", "spoofing stopped by p=reject"]]);
    expect(json.refused).toHaveLength(1);

    // --days (the monitoring's window): a report whose period ended ten days ago is left out.
    const old = dmarcXml({ reportId: "old-1", begin: now - 11 * 86_400, end: now - 10 * 86_400, records: [{ ip: "192.0.2.9", count: 2, dkim: "fail", spf: "fail", disposition: "reject" }] });
    const oldMail = await reportMail({ filename: "receiver.example!example.com!old.xml.gz", contentType: "application/gzip", content: gzipSync(old) });
    expect(spawnSync(process.execPath, [bundle, "ingest", "--pipe", "--dir", store], { input: oldMail, encoding: "utf8", cwd: dir }).status).toBe(0);
    const spoofers = (args: string[]) => (JSON.parse(spawnSync(process.execPath, [bundle, "summary", "--dir", store, "--own", "203.0.113.5", "--json", ...args], { encoding: "utf8", cwd: dir }).stdout) as typeof json).spoofing.map((s) => s.ip).sort();
    expect(spoofers([])).toEqual(["192.0.2.9", "198.51.100.66"]);
    expect(spoofers(["--days", "3"])).toEqual(["198.51.100.66"]);
  }, 60_000);
});
