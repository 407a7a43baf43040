// Outbound TLS reports (RFC 8460): Postfix's TLSRPT events (libtlsrpt datagrams, written here as
// libtlsrpt writes them, spacing and all) -> one report per recipient domain -> the report mail,
// which this host's own report reader must read back as the same report; the daily run sends each
// destination once, retries what failed, and prunes old day files. The events as real Postfix
// sends them are the host test's (test/host/tlsrpt-events.test.ts).
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import PostalMime from "postal-mime";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DEFAULT_LIMITS, ingest, loadStore } from "../../reports";
import { parseEventLines, reportDestinations } from "../../reports/tlsrpt-events";
import { reportMail } from "../../reports/tlsrpt-mail";
import { outboundReports, reportFileName } from "../../reports/tlsrpt-outbound";
import { daysToSend, eventFile, pruneDays, sendDay } from "../../reports/tlsrpt-send";

const RECORD = "v=TLSRPTv1; rua=mailto:tls-reports@sts-wrong.example";
const REPORTER = { organization: "mail.mailfort.example", contact: "tls-reports@mailfort.example", submitter: "mail.mailfort.example" };
const DAY = "2026-12-02";

/**
 * Datagrams as Debian 13's Postfix sends them through its libtlsrpt 0.5.0 (captured in the host
 * test: no "dpv", `"name": "value"` for strings, `"name":n` for numbers, "h" the whole EHLO
 * response, for DANE the MX host as the policy domain); later libtlsrpt adds "dpv":1.
 */
const stsFailure = `{"d": "sts-wrong.example","pr": "${RECORD}","policies":[{"policy-type":2,"policy-domain": "sts-wrong.example","policy-string":["version: STSv1","mode: enforce","mx: mx.sts-wrong.example","max_age: 86400"],"mx-host":["mx.sts-wrong.example"],"failure-details":[{"c":202,"s": "192.0.2.10","n": "mx.sts-wrong.example","h": "250-mx.sts-wrong.example\\r\\n250-STARTTLS\\r\\n250 8BITMIME","r": "198.51.100.25","a": "subject_CN=not-the-mx.sts-wrong.example"}],"t":1,"f":1}]}`;
const stsSuccess = `{"dpv":1,"d": "sts-wrong.example","pr": "${RECORD}","policies":[{"policy-type":2,"policy-domain": "sts-wrong.example","policy-string":["version: STSv1","mode: enforce","mx: mx.sts-wrong.example","max_age: 86400"],"mx-host":["mx.sts-wrong.example"],"t":0,"f":0}]}`;
const daneSuccess = `{"dpv":1,"d": "dane.example","pr": "v=TLSRPTv1;rua=mailto:tlsrpt@dane.example,https://reports.dane.example/tlsrpt","policies":[{"policy-type":1,"policy-domain": "mx.dane.example","policy-string":["3 1 1 0c72ac70b745ac19998811b131d662c9ac69dbdbe7cb23e5b514b56664c5d3d6"],"t":0,"f":0}]}`;
const noPolicy = `{"dpv":1,"d": "plain.example","pr": "v=TLSRPTv1; rua=mailto:r@plain.example","policies":[{"policy-type":9,"policy-domain": "plain.example","t":0,"f":0}]}`;
const noRecord = `{"dpv":1,"d": "norua.example","pr": "v=TLSRPTv1","policies":[{"policy-type":9,"t":0,"f":0}]}`;

const line = (datagram: string, at = `${DAY}T10:00:00Z`) => `{"at":"${at}","e":${datagram}}`;

describe("Postfix's TLSRPT events -> RFC 8460 reports", () => {
  const events = parseEventLines([stsFailure, stsFailure, stsSuccess, daneSuccess, noPolicy, noRecord].map((d) => line(d)).join("\n")).events;

  it("reads libtlsrpt's datagrams and skips what is not one (garbage, another protocol version, an unknown result code, a hostile domain)", () => {
    const bad = [
      "not json", "{}", line(stsFailure.replace('{"d":', '{"dpv":2,"d":')), line(stsFailure.replace('"c":202', '"c":999')),
      line(stsFailure.replace('"d": "sts-wrong.example"', '"d": "../../etc"')), line(stsFailure.replace('"s": "192.0.2.10"', '"s": "not-an-ip"')),
    ];
    const parsed = parseEventLines([line(stsFailure), ...bad, ""].join("\n"));
    expect(parsed.events).toHaveLength(1);
    expect(parsed.skipped).toBe(bad.length);
  });

  it("one report per domain that asks for reports, counting sessions per policy and grouping failures by result type", () => {
    const reports = outboundReports(events, DAY, REPORTER, DEFAULT_LIMITS);
    expect(reports.map((r) => r.domain)).toEqual(["dane.example", "plain.example", "sts-wrong.example"]);
    const sts = reports.find((r) => r.domain === "sts-wrong.example")!;
    expect(sts.destinations).toEqual([{ kind: "mailto", address: "tls-reports@sts-wrong.example" }]);
    expect(sts.report["date-range"]).toEqual({ "start-datetime": `${DAY}T00:00:00Z`, "end-datetime": `${DAY}T23:59:59Z` });
    expect(sts.report["organization-name"]).toBe("mail.mailfort.example");
    expect(sts.report.policies).toHaveLength(1);
    const [p] = sts.report.policies;
    expect(p!.policy).toEqual({ "policy-type": "sts", "policy-domain": "sts-wrong.example", "policy-string": ["version: STSv1", "mode: enforce", "mx: mx.sts-wrong.example", "max_age: 86400"], "mx-host": ["mx.sts-wrong.example"] });
    expect(p!.summary).toEqual({ "total-successful-session-count": 1, "total-failure-session-count": 2 });
    // The EHLO name, not Postfix's whole EHLO response.
    expect(p!["failure-details"]).toEqual([{ "result-type": "certificate-host-mismatch", "sending-mta-ip": "192.0.2.10", "receiving-mx-hostname": "mx.sts-wrong.example", "receiving-mx-helo": "mx.sts-wrong.example", "receiving-ip": "198.51.100.25", "additional-information": "subject_CN=not-the-mx.sts-wrong.example", "failed-session-count": 2 }]);
    const dane = reports.find((r) => r.domain === "dane.example")!;
    expect(dane.report.policies[0]!.policy).toMatchObject({ "policy-type": "tlsa", "policy-domain": "mx.dane.example" });
    expect(dane.destinations).toEqual([{ kind: "mailto", address: "tlsrpt@dane.example" }, { kind: "https", url: "https://reports.dane.example/tlsrpt" }]);
    expect(reports.find((r) => r.domain === "plain.example")!.report.policies[0]!.policy["policy-type"]).toBe("no-policy-found");
  });

  it("a domain whose events would make an oversized report is left out and named, the others still get theirs", () => {
    // A receiver answering with a new MX name on every attempt: each event a policy of its own, 120 failure groups each.
    const flood = Array.from({ length: 200 }, (_, i) => line(stsFailure.replace(/"mx-host":\["mx\.sts-wrong\.example"\]/, `"mx-host":["mx${i}.sts-wrong.example"]`)
      .replace(/"failure-details":\[[^\]]*\]/, `"failure-details":[${Array.from({ length: 60 }, (_, j) => `{"c":202,"n": "mx${i}-${j}.sts-wrong.example"}`).join(",")}]`)));
    const skipped: string[] = [];
    const reports = outboundReports(parseEventLines([...flood, line(daneSuccess)].join("\n")).events, DAY, REPORTER, { ...DEFAULT_LIMITS, maxRecords: 2000 }, (d, why) => skipped.push(`${d}: ${why}`));
    expect(reports.map((r) => r.domain)).toEqual(["dane.example"]);
    expect(skipped).toHaveLength(1);
    expect(skipped[0]).toMatch(/^sts-wrong\.example: .*more than 2000/);
  });

  it("every libtlsrpt failure code becomes its RFC 8460 result type", () => {
    const codes: Record<number, string> = { 201: "starttls-not-supported", 203: "certificate-not-trusted", 204: "certificate-expired", 205: "validation-failure", 301: "sts-policy-fetch-error", 302: "sts-policy-invalid", 303: "sts-webpki-invalid", 304: "tlsa-invalid", 305: "dnssec-invalid", 306: "dane-required" };
    for (const [code, type] of Object.entries(codes)) {
      const [r] = outboundReports(parseEventLines(line(stsFailure.replace('"c":202', `"c":${code}`))).events, DAY, REPORTER, DEFAULT_LIMITS);
      expect(r!.report.policies[0]!["failure-details"]![0]!["result-type"], code).toBe(type);
    }
  });

  it("the TLS-RPT record's destinations: mailto (percent-decoded) and https only, version 1 only", () => {
    expect(reportDestinations("v=TLSRPTv1; rua=mailto:a%2Bb@example.com")).toEqual([{ kind: "mailto", address: "a+b@example.com" }]);
    expect(reportDestinations("v=TLSRPTv1;rua=mailto:x@example.com,mailto:y@example.net")).toHaveLength(2);
    expect(reportDestinations("v=TLSRPTv2; rua=mailto:x@example.com")).toEqual([]);
    expect(reportDestinations("rua=mailto:x@example.com")).toEqual([]);
    expect(reportDestinations("v=TLSRPTv1")).toEqual([]);
    // Neither a header injection, nor a second address, nor another scheme gets through.
    for (const hostile of ["mailto:x@example.com%0d%0aBcc:%20y@evil.test", "mailto:a@b@evil.test", "mailto:%E0%A4%A", "http://example.com/r", "javascript:alert(1)", "mailto:x@../etc"]) {
      expect(reportDestinations(`v=TLSRPTv1; rua=${hostile}`), hostile).toEqual([]);
    }
  });

  it("names the attachment as RFC 8460 section 5.1 does; the daily run reports yesterday (UTC) and retries the two days before", () => {
    expect(reportFileName("mail.mailfort.example", "sts-wrong.example", DAY)).toBe("mail.mailfort.example!sts-wrong.example!1796169600!1796255999.json.gz");
    expect(daysToSend(new Date("2026-12-03T00:30:00Z"))).toEqual(["2026-11-30", "2026-12-01", "2026-12-02"]);
    expect(daysToSend(new Date("2027-01-01T23:59:00Z"))).toEqual(["2026-12-29", "2026-12-30", "2026-12-31"]);
  });
});

describe("the report mail (RFC 8460 section 5.3)", () => {
  let store: string;
  beforeEach(() => { store = mkdtempSync(join(tmpdir(), "mailfort-tlsrpt-out-")); });
  afterEach(() => rmSync(store, { recursive: true, force: true }));

  it("is multipart/report; report-type=tlsrpt with the gzip report, and this host's own reader reads the same report back", async () => {
    const [r] = outboundReports(parseEventLines([stsFailure, stsSuccess].map((d) => line(d)).join("\n")).events, DAY, REPORTER, DEFAULT_LIMITS);
    const mail = await reportMail(r!, "tls-reports@sts-wrong.example", DAY, REPORTER, "tls-reports@mailfort.example");
    const parsed = await PostalMime.parse(mail.message);
    const header = (name: string) => parsed.headers.find((h) => h.key === name)?.value ?? "";
    expect(header("content-type")).toMatch(/^multipart\/report;.*report-type="?tlsrpt"?/);
    expect(header("tls-report-domain")).toBe("sts-wrong.example");
    expect(header("tls-report-submitter")).toBe("mail.mailfort.example");
    expect(parsed.subject).toBe(`Report Domain: sts-wrong.example Submitter: mail.mailfort.example Report-ID: <${DAY}_sts-wrong.example@mail.mailfort.example>`);
    const attachment = parsed.attachments.find((a) => a.mimeType === "application/tlsrpt+gzip");
    expect(attachment?.filename).toBe(mail.fileName);
    expect(JSON.parse(gunzipSync(Buffer.from(attachment!.content as ArrayBuffer)).toString("utf8"))).toEqual(JSON.parse(r!.json));
    const outcomes = await ingest(store, "outbound", mail.message, DEFAULT_LIMITS);
    expect(outcomes.map((o) => o.outcome)).toEqual(["stored"]);
    const loaded = loadStore(store, DEFAULT_LIMITS);
    expect(loaded.tls).toHaveLength(1);
    expect(loaded.tls[0]).toEqual(r!.report);
  });
});

describe("the daily run (mailfort-reports send-tls)", () => {
  let dir: string;
  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), "mailfort-tlsrpt-send-")); });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const options = (sent: string[], failing: Set<string> = new Set()) => ({
    dir, day: DAY, today: "2026-12-03", reporter: REPORTER, from: "tls-reports@mailfort.example", limits: DEFAULT_LIMITS, log: () => undefined,
    transports: {
      sendmail: async (_from: string, to: string) => { if (failing.has(to)) throw new Error("refused"); sent.push(`mailto:${to}`); },
      post: async (url: string, body: Buffer) => { if (failing.has(url)) throw new Error("503"); expect(gunzipSync(body).toString()).toMatch(/"policies"/); sent.push(url); },
    },
  });

  it("sends each destination once; what failed is tried again by the next run, what was sent is not", async () => {
    writeFileSync(eventFile(dir, DAY), [stsFailure, daneSuccess, noRecord].map((d) => line(d)).join("\n") + "\n");
    const first: string[] = [];
    const r1 = await sendDay(options(first, new Set(["https://reports.dane.example/tlsrpt"])));
    expect(first.sort()).toEqual(["mailto:tls-reports@sts-wrong.example", "mailto:tlsrpt@dane.example"]);
    expect(r1.failed).toEqual(["dane.example https://reports.dane.example/tlsrpt"]);
    const second: string[] = [];
    const r2 = await sendDay(options(second));
    expect(second).toEqual(["https://reports.dane.example/tlsrpt"]);
    expect(r2.alreadySent).toHaveLength(2);
    const third: string[] = [];
    await sendDay(options(third));
    expect(third).toEqual([]);
  });

  it("a day without events sends nothing; day files past the retention are removed, newer ones kept", async () => {
    writeFileSync(eventFile(dir, "2026-11-01"), line(stsFailure) + "\n");
    writeFileSync(eventFile(dir, "2026-11-25"), line(stsFailure) + "\n");
    writeFileSync(join(dir, "notes.txt"), "an operator's file\n");
    const sent: string[] = [];
    const r = await sendDay(options(sent));
    expect(sent).toEqual([]);
    expect(r.removedDays).toEqual(["2026-11-01"]);
    expect(readdirSync(dir).sort()).toEqual(["2026-11-25.jsonl", "notes.txt"]);
    expect(pruneDays(dir, "2026-12-03")).toEqual([]);
  });
});

describe("the CLI: npm run reports -- send-tls", () => {
  let dir: string;
  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), "mailfort-tlsrpt-cli-")); });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("hands each report to sendmail with -i -f <from> -- <rcpt>, prints what it did, exits 0", () => {
    writeFileSync(eventFile(dir, DAY), line(stsFailure) + "\n");
    const fake = join(dir, "sendmail");
    writeFileSync(fake, `#!/bin/sh\necho "$@" >>"${dir}/argv"\ncat >"${dir}/message"\n`, { mode: 0o755 });
    const out = execFileSync("npx", ["tsx", "tools/reports.ts", "send-tls", "--events", dir, "--submitter", "mail.mailfort.example", "--from", "tls-reports@mailfort.example", "--day", DAY, "--sendmail", fake], { encoding: "utf8" });
    expect(JSON.parse(out)).toMatchObject({ day: DAY, events: 1, delivered: ["sts-wrong.example mailto:tls-reports@sts-wrong.example"], failed: [] });
    expect(readFileSync(join(dir, "argv"), "utf8")).toBe("-i -f tls-reports@mailfort.example -- tls-reports@sts-wrong.example\n");
    expect(readFileSync(join(dir, "message"), "utf8")).toMatch(/TLS-Report-Domain: sts-wrong\.example/);
    expect(existsSync(join(dir, "sent", `${DAY}.json`))).toBe(true);
  });

  it("refuses a malformed --day, naming the option and the format", () => {
    let err = "";
    try {
      execFileSync("npx", ["tsx", "tools/reports.ts", "send-tls", "--events", dir, "--submitter", "m", "--from", "a@b.example", "--day", "yesterday"], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    } catch (e) {
      err = String((e as { stderr?: string }).stderr);
    }
    expect(err).toMatch(/--day.*YYYY-MM-DD/);
  });
});
