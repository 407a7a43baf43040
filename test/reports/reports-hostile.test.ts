// Hostile and broken reports are refused, each with its own code and a message that says what
// was wrong; none crashes the reader, and none costs more memory than the caps allow.
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { DEFAULT_LIMITS, ingest, ingestInputs, isRefusal, loadStore, readAttachment, type RefusalCode, type ReportLimits } from "../../reports";
import { deflatedZeros, gzipBomb } from "./bombs";
import { dmarcXml, reportMail, tlsRptJson } from "./samples";
import { zipArchive } from "./zip-writer";

const XML = dmarcXml({ records: [{ ip: "203.0.113.5", count: 1, dkim: "pass", spf: "pass" }] });
const TLS = tlsRptJson({ ok: 1, failures: [] });
const zipOf = (name: string, data: string | Buffer): Buffer => zipArchive([{ name, data: Buffer.from(data) }]);

async function refusal(contentType: string, content: Buffer, limits: ReportLimits = DEFAULT_LIMITS): Promise<{ code: RefusalCode; message: string }> {
  try {
    await readAttachment({ name: "report", contentType, content }, limits);
  } catch (e) {
    if (isRefusal(e)) return { code: e.code, message: e.message };
    throw e;
  }
  throw new Error("the report was read, not refused");
}

const withXml = (inner: string): string => XML.replace("<feedback>", `<feedback>${inner}`);
const billionLaughs = `<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<feedback><report_metadata><org_name>&lol9;</org_name></report_metadata></feedback>`;
const xxe = `<?xml version="1.0"?>\n<!DOCTYPE feedback [ <!ENTITY xxe SYSTEM "file:///etc/passwd"> ]>\n${XML.replace("receiver.example</org_name>", "&xxe;</org_name>").replace(/^<\?xml[^>]*>\n/, "")}`;

type Case = readonly [what: string, type: string, content: () => Buffer | Promise<Buffer>, code: RefusalCode, says: RegExp, limits?: Partial<ReportLimits>];
const CASES: ReadonlyArray<Case> = [
  ["malformed XML (unclosed element)", "text/xml", () => Buffer.from(XML.replace("</policy_published>", "")), "xml-malformed", /not well-formed XML at line \d+, column \d+/],
  ["XML with text after the root", "application/xml", () => Buffer.from(XML + "<feedback/>"), "xml-malformed", /more than one root element/],
  ["XML with two roots", "application/xml", () => Buffer.from(XML + "<other>x</other>"), "xml-malformed", /Multiple possible root nodes/],
  ["billion laughs (nested entities)", "text/xml", () => Buffer.from(billionLaughs), "xml-dtd", /declares <!DOCTYPE .*billion laughs/],
  ["XML external entity (file:///etc/passwd)", "application/gzip", () => gzipSync(xxe), "xml-dtd", /no DTD.*XXE/],
  ["an ENTITY declaration without a DOCTYPE", "text/xml", () => Buffer.from(withXml('<!ENTITY x SYSTEM "http://attacker.example/">')), "xml-dtd", /<!ENTITY/],
  ["XML nested past the cap", "text/xml", () => Buffer.from(withXml(`${"<a>".repeat(5000)}x${"</a>".repeat(5000)}`)), "too-deep", /nests deeper than 32/],
  ["an element named __proto__", "text/xml", () => Buffer.from(withXml("<__proto__><polluted>yes</polluted></__proto__>")), "forbidden-key", /<__proto__>.*prototype pollution/],
  ["XML whose root is not <feedback>", "text/xml", () => Buffer.from("<html><body>hello</body></html>"), "not-a-report", /root is <html>, not <feedback>/],
  ["a record with a bad IP and disposition (every field path named)", "text/xml", () => Buffer.from(XML.replace("<source_ip>203.0.113.5", "<source_ip>203.0.113.999").replace("<disposition>none", "<disposition>drop")), "schema", /feedback\.record\[0\]\.row\.source_ip: expected an IP address[\s\S]*feedback\.record\[0\]\.row\.policy_evaluated\.disposition/],
  ["a policy domain that climbs out of the store (../)", "text/xml", () => Buffer.from(XML.replace("<domain>example.com</domain>\n    <adkim>", "<domain>../../etc</domain>\n    <adkim>")), "schema", /policy_published\.domain: expected a domain name/],
  ["more records than the cap", "text/xml", () => Buffer.from(dmarcXml({ records: Array.from({ length: 11 }, () => ({ ip: "192.0.2.1", count: 1, dkim: "pass" as const, spf: "pass" as const })) })), "too-many-records", /11 <record> elements, more than 10/, { maxRecords: 10 }],
  ["an attachment above the size cap", "application/gzip", () => gzipSync(XML), "too-large", /above the cap of 100 B on one attachment/, { maxCompressedBytes: 100 }],
  ["a report that expands past the size cap (an honest ratio)", "application/gzip", () => gzipSync(dmarcXml({ records: Array.from({ length: 400 }, (_, i) => ({ ip: `10.${i >> 8}.${i & 255}.${(i * 7) & 255}`, count: i + 1, dkim: "pass" as const, spf: "fail" as const })) })), "too-large", /expands past 64\.0 KiB \(the cap on one report\)/, { maxUncompressedBytes: 64 * 1024 }],
  ["a truncated gzip", "application/gzip", () => gzipSync(XML).subarray(0, 60), "gzip-invalid", /not a readable gzip stream/],
  ["a text/html attachment", "text/html", () => Buffer.from("<html><script>alert(1)</script></html>"), "content-type", /text\/html is not a report media type/],
  ["an executable called a report", "application/x-msdownload", () => Buffer.from("MZ\x90\x00\x03"), "content-type", /application\/x-msdownload is not a report media type/],
  ["declared application/zip, but the bytes are gzip", "application/zip", () => gzipSync(XML), "content-type", /declared application\/zip, but the bytes are gzip/],
  ["declared gzip, but the bytes are a PE executable", "application/gzip", () => Buffer.from("MZ\x90\x00\x03\x00\x00\x00"), "content-type", /neither zip, gzip, XML nor JSON/],
  ["TLS-RPT media type holding DMARC XML", "application/tlsrpt+gzip", () => gzipSync(XML), "content-type", /declared application\/tlsrpt\+gzip but holds no JSON/],
  ["a zip holding JSON", "application/zip", () => zipOf("r.json", TLS), "content-type", /a zip holds a DMARC XML report/],
  ["zip entry climbing out (../../etc/cron.d/x.xml)", "application/zip", () => zipOf("../../etc/cron.d/x.xml", XML), "zip-path", /invalid relative path: \.\.\/\.\.\/etc\/cron\.d\/x\.xml/],
  ["zip entry with an absolute path", "application/zip", () => zipOf("/etc/passwd.xml", XML), "zip-path", /absolute path: \/etc\/passwd\.xml/],
  ["zip entry with a Windows path (..\\..\\x.xml)", "application/zip", () => zipOf("..\\..\\x.xml", XML), "zip-path", /invalid characters in fileName/],
  ["zip entry name with a control character", "application/zip", () => zipOf("report\u0007.xml", XML), "zip-path", /control characters/],
  ["a zip with many entries", "application/zip", () => zipArchive(Array.from({ length: 5000 }, (_, i) => ({ name: `r${i}.xml`, data: Buffer.from("<a/>") }))), "zip-entries", /holds 5000 entries, more than 4/],
  ["a zip with two reports", "application/zip", () => zipArchive([{ name: "a.xml", data: Buffer.from(XML) }, { name: "b.xml", data: Buffer.from(XML) }]), "zip-entries", /holds 2 files; a DMARC report zip holds exactly one/],
  ["an encrypted zip entry", "application/zip", () => zipArchive([{ name: "a.xml", data: Buffer.from(XML), encrypted: true }]), "zip-invalid", /encrypted/],
  ["a zip that declares less than it holds", "application/zip", () => zipArchive([{ name: "a.xml", data: Buffer.from(XML), declaredSize: 10 }]), "zip-invalid", /inflates to more than it declares/],
  ["a truncated zip", "application/zip", () => zipOf("a.xml", XML).subarray(0, 80), "zip-invalid", /not a readable zip archive/],
  ["JSON with a __proto__ key", "application/tlsrpt+json", () => Buffer.from(TLS.replace('"contact-info"', '"__proto__": {"isAdmin": true}, "contact-info"')), "forbidden-key", /the key "__proto__", refused \(prototype pollution\)/],
  ["JSON with a constructor.prototype path", "application/tlsrpt+gzip", () => gzipSync(TLS.replace('"summary"', '"constructor": {"prototype": {"polluted": 1}}, "summary"')), "forbidden-key", /"(prototype|constructor)"/],
  ["JSON nested past the cap", "application/tlsrpt+json", () => Buffer.from(`{"policies": ${"[".repeat(100_000)}${"]".repeat(100_000)}}`), "too-deep", /nests 100001 levels deep, more than 32/],
  ["malformed JSON", "application/tlsrpt+json", () => Buffer.from(TLS.slice(0, -5)), "json-malformed", /not valid JSON/],
  ["JSON that is not a TLS report", "application/json", () => Buffer.from('{"hello": "world"}'), "not-a-report", /not an SMTP TLS report/],
  ["a TLS report with a negative count and a bad policy type", "application/tlsrpt+json", () => Buffer.from(TLS.replace('"total-successful-session-count": 1', '"total-successful-session-count": -1').replace('"policy-type": "sts"', '"policy-type": "bogus"')), "schema", /report\.policies\[0\]\.policy\.policy-type[\s\S]*report\.policies\[0\]\.summary\.total-successful-session-count/],
  ["not UTF-8", "text/xml", () => Buffer.concat([Buffer.from("<feedback>"), Buffer.from([0xff, 0xfe, 0xfd]), Buffer.from("</feedback>")]), "not-a-report", /not UTF-8/],
];

describe("hostile and broken reports are refused with a clear message", () => {
  it.each(CASES.map((c) => ({ what: c[0], c })))("$what", async ({ c: [, type, content, code, says, limits] }) => {
    const r = await refusal(type, await content(), { ...DEFAULT_LIMITS, ...limits });
    expect(r.code).toBe(code);
    expect(r.message).toMatch(says);
    expect(Object.prototype).not.toHaveProperty("polluted");
    expect(Object.prototype).not.toHaveProperty("isAdmin");
  });
});

describe("decompression bombs cost no more than the caps", () => {
  // 256 MiB of zeros in about 250 KiB (ratio ~1000:1): read unbounded, RSS would grow by 256 MiB.
  const growth = async (f: () => Promise<unknown>): Promise<number> => {
    const before = process.memoryUsage();
    await f().catch(() => undefined);
    const after = process.memoryUsage();
    return Math.max(after.rss - before.rss, after.arrayBuffers - before.arrayBuffers);
  };

  // With the report cap raised to 64 MiB, the ratio bound (~50 MiB here) is the one that binds.
  const LARGE: ReportLimits = { ...DEFAULT_LIMITS, maxUncompressedBytes: 64 * 1024 * 1024 };

  it("a gzip bomb (tiny compressed, huge expanded) is refused at the ratio bound, or at the size cap first", async () => {
    const bomb = await gzipBomb(256);
    expect(bomb.length).toBeLessThan(1024 * 1024);
    const r = await refusal("application/gzip", bomb, LARGE);
    expect(r.code).toBe("zip-bomb");
    expect(r.message).toMatch(/of gzip expands past .* a ratio above 200:1: refused as a decompression bomb/);
    expect(await growth(() => readAttachment({ name: "b", contentType: "application/gzip", content: bomb }, LARGE))).toBeLessThan(128 * 1024 * 1024);
    expect(await refusal("application/gzip", bomb)).toMatchObject({ code: "too-large", message: expect.stringMatching(/expands past 8\.0 MiB \(the cap on one report\)/) });
  });

  it("a zip bomb that declares its size is refused before it inflates; one that lies is cut while it inflates", async () => {
    const zeros = await deflatedZeros(256);
    const honest = zipArchive([{ name: "report.xml", deflated: zeros }]);
    const r = await refusal("application/zip", honest, LARGE);
    expect(r).toMatchObject({ code: "zip-bomb" });
    expect(r.message).toMatch(/declares 256\.0 MiB from .* above a ratio of 200:1/);
    const liar = zipArchive([{ name: "report.xml", deflated: zeros, declaredSize: 1000 }]);
    expect(await refusal("application/zip", honest)).toMatchObject({ code: "too-large", message: expect.stringMatching(/declares 256\.0 MiB .* above the cap of 8\.0 MiB on one report/) });
    const l = await refusal("application/zip", liar);
    expect(l.code).toBe("zip-invalid");
    expect(l.message).toMatch(/inflates to more than it declares, a lying archive \(too many bytes in the stream. expected 1000/);
    expect(await growth(() => readAttachment({ name: "b", contentType: "application/zip", content: liar }, DEFAULT_LIMITS))).toBeLessThan(128 * 1024 * 1024);
  });
});

describe("hostile mails", () => {
  it("a refused attachment is noted in the store and the mail's other report is still read", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mf-reports-"));
    const mail = await reportMail([
      { filename: "../../evil.zip", contentType: "application/zip", content: zipOf("../evil.xml", XML) },
      { filename: "good.xml.gz", contentType: "application/gzip", content: gzipSync(XML) },
    ]);
    const out = await ingest(dir, "mail", mail, DEFAULT_LIMITS);
    expect(out.map((o) => o.outcome)).toEqual(["refused", "stored"]);
    const [note] = readdirSync(join(dir, "refused"));
    expect(JSON.parse(readFileSync(join(dir, "refused", note!), "utf8"))).toMatchObject({ code: "zip-path" });
    expect(readdirSync(dir).sort()).toEqual(["dmarc", "refused"]);
  });

  it("a mail with no attachment, too many attachments, or above the size cap is refused as a whole", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mf-reports-"));
    const plain = Buffer.from("From: a@b.example\r\nTo: dmarc@example.com\r\nSubject: hi\r\n\r\nno report here\r\n");
    expect((await ingest(dir, "plain", plain, DEFAULT_LIMITS))[0]).toMatchObject({ outcome: "refused", refusal: { code: "not-a-report" } });
    const many = await reportMail(Array.from({ length: 5 }, (_, i) => ({ filename: `${i}.xml.gz`, contentType: "application/gzip", content: gzipSync(XML) })));
    expect((await ingest(dir, "many", many, DEFAULT_LIMITS))[0]).toMatchObject({ outcome: "refused", refusal: { code: "too-large", message: expect.stringMatching(/has 5 attachments, more than 4/) } });
    expect((await ingest(dir, "big", plain, { ...DEFAULT_LIMITS, maxMessageBytes: 50 }))[0]).toMatchObject({ outcome: "refused", refusal: { code: "too-large" } });
  });
});

describe("inputs and the store", () => {
  it("an input above the mail cap is refused without being read past the cap", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mf-reports-"));
    const big = join(dir, "..", `big-${process.pid}.eml`);
    writeFileSync(big, Buffer.alloc(3 * 1024 * 1024, 0x41));
    const [out] = await ingestInputs(dir, [{ source: big, from: big }], { ...DEFAULT_LIMITS, maxMessageBytes: 1024 * 1024 });
    expect(out).toMatchObject({ outcome: "refused", refusal: { code: "too-large", message: expect.stringMatching(/more than 1\.0 MiB, the cap on one report mail; not read further/) } });
  });

  it("a stored report changed on disk, or a broken refusal note, is listed as unreadable, not trusted", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mf-reports-"));
    const [stored] = await ingest(dir, "r", gzipSync(XML), DEFAULT_LIMITS);
    if (stored?.outcome !== "stored") throw new Error("not stored");
    writeFileSync(stored.file, XML.replace("<?xml", '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/shadow">]><?xml'));
    await ingest(dir, "bad", Buffer.from("nothing"), DEFAULT_LIMITS);
    const [note] = readdirSync(join(dir, "refused"));
    writeFileSync(join(dir, "refused", note!), "{ not json");
    const loaded = loadStore(dir, DEFAULT_LIMITS);
    expect(loaded.dmarc).toEqual([]);
    expect(loaded.unreadable).toEqual([expect.stringMatching(/not a refusal note/), expect.stringMatching(/declares <!DOCTYPE/)]);
  });
});
