// Real-format DMARC aggregate and TLS-RPT reports, in every container reporters use (zip,
// gzip, plain; as mail attachments and as bare files), are read, stored once, and read back.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { DEFAULT_LIMITS, ingest, loadStore, parseReportMail, readAttachment } from "../../reports";
import { dmarcXml, reportMail, tlsRptJson } from "./samples";
import { zipArchive } from "./zip-writer";

const store = (): string => mkdtempSync(join(tmpdir(), "mf-reports-"));
const XML = dmarcXml({ records: [
  { ip: "203.0.113.5", count: 120, dkim: "pass", spf: "pass" },
  { ip: "2001:db8::25", count: 3, dkim: "pass", spf: "fail" },
  { ip: "198.51.100.66", count: 40, dkim: "fail", spf: "fail", disposition: "reject" },
] });

describe("DMARC aggregate reports (RFC 7489)", () => {
  it("reads a zipped report from a mail, as Google sends it (application/zip)", async () => {
    const dir = store();
    const mail = await reportMail({ filename: "receiver.example!example.com!1796083200!1796169599.zip", contentType: "application/zip", content: zipArchive([{ name: "receiver.example!example.com!1796083200!1796169599.xml", data: Buffer.from(XML) }]) });
    const [out] = await ingest(dir, "mail-1", mail, DEFAULT_LIMITS);
    expect(out).toMatchObject({ outcome: "stored", kind: "dmarc", domain: "example.com" });
    const { dmarc } = loadStore(dir, DEFAULT_LIMITS);
    expect(dmarc).toHaveLength(1);
    const r = dmarc[0]!;
    expect(r.report_metadata).toMatchObject({ org_name: "receiver.example", report_id: "8181936573204651542", date_range: { begin: 1796083200, end: 1796169599 }, extra_contact_info: "https://receiver.example/dmarc & support" });
    expect(r.policy_published).toMatchObject({ domain: "example.com", p: "reject", pct: 100 });
    expect(r.record.map((x) => [x.row.source_ip, x.row.count, x.row.policy_evaluated.disposition])).toEqual([["203.0.113.5", 120, "none"], ["2001:db8::25", 3, "none"], ["198.51.100.66", 40, "reject"]]);
    expect(r.record[0]!.auth_results.dkim).toEqual([{ domain: "example.com", selector: "mf2026", result: "pass" }]);
  });

  it("reads a gzipped report (application/gzip, .xml.gz) and stores it once when it comes twice", async () => {
    const dir = store();
    const mail = await reportMail({ filename: "receiver.example!example.com!1796083200!1796169599.xml.gz", contentType: "application/gzip", content: gzipSync(XML) });
    expect((await ingest(dir, "a", mail, DEFAULT_LIMITS))[0]!.outcome).toBe("stored");
    expect((await ingest(dir, "b", mail, DEFAULT_LIMITS))[0]!.outcome).toBe("duplicate");
    expect(readdirSync(join(dir, "dmarc", "example.com"))).toHaveLength(1);
    expect(readFileSync(join(dir, "dmarc", "example.com", readdirSync(join(dir, "dmarc", "example.com"))[0]!), "utf8")).toBe(XML);
  });

  it("reads a zip made by Info-ZIP's zip, a real archiver (and Info-ZIP's unzip accepts the test writer's zips)", async () => {
    const work = store();
    writeFileSync(join(work, "report.xml"), XML);
    execFileSync("zip", ["-q", "-X", join(work, "report.zip"), "report.xml"], { cwd: work });
    const parsed = await readAttachment({ name: "report.zip", contentType: "application/zip", content: readFileSync(join(work, "report.zip")) }, DEFAULT_LIMITS);
    expect(parsed.kind).toBe("dmarc");
    writeFileSync(join(work, "ours.zip"), zipArchive([{ name: "report.xml", data: Buffer.from(XML) }]));
    expect(execFileSync("unzip", ["-p", join(work, "ours.zip"), "report.xml"]).toString()).toBe(XML);
  });

  it("reads plain XML, and a bare .xml.gz file without a mail around it", async () => {
    expect((await readAttachment({ name: "r.xml", contentType: "text/xml", content: Buffer.from(XML) }, DEFAULT_LIMITS)).domain).toBe("example.com");
    const [out] = await ingest(store(), "r.xml.gz", gzipSync(XML), DEFAULT_LIMITS);
    expect(out).toMatchObject({ outcome: "stored", kind: "dmarc" });
  });

  it("reads a namespaced report (DMARCbis's xmlns, prefixed elements, comments) from a mail with an mbox From line", async () => {
    const ns = XML.replace("<feedback>", '<!-- generated --><d:feedback xmlns:d="urn:ietf:params:xml:ns:dmarc-2.0">').replace("</feedback>", "</d:feedback>")
      .replace(/<(\/?)(report_metadata|policy_published|record)>/g, "<$1d:$2>").replace("<p>reject</p>", "<p>reject</p><np>reject</np><discovery_method>treewalk</discovery_method>");
    const mail = Buffer.concat([Buffer.from("From dmarc@receiver.example Tue Dec  1 21:00:00 2026\n"), await reportMail({ filename: "r.xml.gz", contentType: "application/gzip", content: gzipSync(ns) })]);
    const [out] = await ingest(store(), "ns", mail, DEFAULT_LIMITS);
    expect(out).toMatchObject({ outcome: "stored", kind: "dmarc", domain: "example.com" });
  });
});

describe("SMTP TLS reports (RFC 8460)", () => {
  const JSON_REPORT = tlsRptJson({ ok: 980, failures: [{ resultType: "certificate-expired", sendingMtaIp: "192.0.2.10", receivingMx: "mail.example.com", receivingIp: "203.0.113.5", sessions: 20, info: "https://sender.example/tls" }] });

  it("reads application/tlsrpt+gzip from a multipart/report mail", async () => {
    const dir = store();
    const mail = await reportMail({ filename: "sender.example!example.com!1796083200!1796169599.json.gz", contentType: "application/tlsrpt+gzip", content: gzipSync(JSON_REPORT) }, "Report Domain: example.com Submitter: sender.example Report-ID: <x@sender.example>");
    const parsedMail = await parseReportMail(mail, DEFAULT_LIMITS);
    expect(parsedMail.attachments.map((a) => a.contentType)).toEqual(["application/tlsrpt+gzip"]);
    const [out] = await ingest(dir, "tls", mail, DEFAULT_LIMITS);
    expect(out).toMatchObject({ outcome: "stored", kind: "tlsrpt", domain: "example.com" });
    const [r] = loadStore(dir, DEFAULT_LIMITS).tls;
    expect(r!.policies[0]!.summary).toEqual({ "total-successful-session-count": 980, "total-failure-session-count": 20 });
    expect(r!.policies[0]!["failure-details"]![0]).toMatchObject({ "result-type": "certificate-expired", "receiving-ip": "203.0.113.5", "failed-session-count": 20 });
  });

  it("reads application/tlsrpt+json, and mx-host as a single string as the RFC's own example has it", async () => {
    const doc = JSON.parse(JSON_REPORT) as { policies: Array<{ policy: Record<string, unknown> }> };
    doc.policies[0]!.policy["mx-host"] = "*.mail.example.com";
    const parsed = await readAttachment({ name: "r.json", contentType: "application/tlsrpt+json", content: Buffer.from(JSON.stringify(doc)) }, DEFAULT_LIMITS);
    expect(parsed.kind === "tlsrpt" && parsed.report.policies[0]!.policy["mx-host"]).toEqual(["*.mail.example.com"]);
  });
});
