// One attachment -> one parsed report. The declared media type must be a report type and must
// agree with what the bytes are (zip and gzip by their magic numbers, XML and JSON by their
// first character); a TLS-RPT type must hold JSON and a zip must hold XML. Then the container is
// opened under the size and ratio caps, and the document goes to its parser.
import type { DmarcFeedback } from "./dmarc-schema";
import { parseDmarcXml } from "./dmarc-xml";
import { GZIP_MAGIC, gunzipBounded } from "./gzip";
import { bytes, type ReportLimits } from "./limits";
import { refuse } from "./refusal";
import { parseTlsReportJson } from "./tlsrpt-json";
import type { TlsReport } from "./tlsrpt-schema";
import { ZIP_MAGIC, unzipReport } from "./zip";

export interface Attachment {
  readonly name: string;
  readonly contentType: string;
  readonly content: Buffer;
}

export type ParsedReport =
  | { readonly kind: "dmarc"; readonly domain: string; readonly report: DmarcFeedback; readonly document: string }
  | { readonly kind: "tlsrpt"; readonly domain: string; readonly report: TlsReport; readonly document: string };

type Form = "zip" | "gzip" | "xml" | "json";

/** Media types reporters use (RFC 7489 7.2.1.1, RFC 8460 5.3, and what large receivers send). */
const DECLARED: Readonly<Record<string, Form | "any">> = {
  "application/zip": "zip",
  "application/x-zip-compressed": "zip",
  "application/x-zip": "zip",
  "application/gzip": "gzip",
  "application/x-gzip": "gzip",
  "application/tlsrpt+gzip": "gzip",
  "text/xml": "xml",
  "application/xml": "xml",
  "application/tlsrpt+json": "json",
  "application/json": "json",
  "application/octet-stream": "any",
};

function formOf(data: Buffer): Form | undefined {
  if (data.subarray(0, 4).equals(ZIP_MAGIC)) return "zip";
  if (data.subarray(0, 2).equals(GZIP_MAGIC)) return "gzip";
  const first = data.toString("latin1", 0, 64).replace(/^\uFEFF|^\xEF\xBB\xBF/, "").trimStart()[0];
  return first === "<" ? "xml" : first === "{" ? "json" : undefined;
}

function decodeUtf8(name: string, data: Buffer): string {
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(data);
  } catch {
    refuse("not-a-report", `${name}: the report is not UTF-8 text`);
  }
}

export async function readAttachment(a: Attachment, limits: ReportLimits): Promise<ParsedReport> {
  const type = a.contentType.toLowerCase().split(";")[0]!.trim();
  const declared = DECLARED[type];
  if (declared === undefined) refuse("content-type", `${a.name}: ${type} is not a report media type (expected application/zip or application/gzip for DMARC, application/tlsrpt+gzip for TLS-RPT)`);
  if (a.content.length > limits.maxCompressedBytes) refuse("too-large", `${a.name}: ${bytes(a.content.length)}, above the cap of ${bytes(limits.maxCompressedBytes)} on one attachment`);
  const form = formOf(a.content);
  if (form === undefined) refuse("content-type", `${a.name}: declared ${type}, but the bytes are neither zip, gzip, XML nor JSON`);
  if (declared !== "any" && declared !== form) refuse("content-type", `${a.name}: declared ${type}, but the bytes are ${form}`);
  let inner = a.content;
  let innerName = a.name;
  if (form === "zip") ({ name: innerName, content: inner } = await unzipReport(a.name, a.content, limits));
  if (form === "gzip") inner = gunzipBounded(a.name, a.content, limits);
  if (inner.length > limits.maxUncompressedBytes) refuse("too-large", `${a.name}: ${bytes(inner.length)}, above the cap of ${bytes(limits.maxUncompressedBytes)} on one report`);
  const document = decodeUtf8(innerName, inner);
  const inside = formOf(inner);
  const tlsType = type.startsWith("application/tlsrpt+");
  if (inside === "xml" && !tlsType) {
    const report = parseDmarcXml(innerName, document, limits);
    return { kind: "dmarc", domain: report.policy_published.domain, report, document };
  }
  if (inside === "json" && form !== "zip") {
    const report = parseTlsReportJson(innerName, document, limits);
    return { kind: "tlsrpt", domain: report.policies[0]!.policy["policy-domain"], report, document };
  }
  if (tlsType || form === "zip") refuse("content-type", `${innerName}: ${tlsType ? `declared ${type} but holds no JSON` : "a zip holds a DMARC XML report, this one does not"}`);
  refuse("not-a-report", `${innerName}: neither a DMARC aggregate report (XML) nor a TLS report (JSON)`);
}
