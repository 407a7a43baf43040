// TLS-RPT JSON -> TlsReport: parsed with the guards of parseJsonSafely, the number of policies
// and failure details capped before the schema walks them, then checked against RFC 8460.
import type { ReportLimits } from "./limits";
import { refuse } from "./refusal";
import { parseJsonSafely } from "./safe-json";
import { parseOrRefuse } from "./schema-issues";
import { tlsReportSchema, type TlsReport } from "./tlsrpt-schema";

function entriesIn(doc: unknown): number {
  if (typeof doc !== "object" || doc === null) return 0;
  const policies = (doc as { policies?: unknown }).policies;
  if (!Array.isArray(policies)) return 0;
  return policies.reduce<number>((n, p: unknown) => {
    const details = typeof p === "object" && p !== null ? (p as Record<string, unknown>)["failure-details"] : undefined;
    return n + 1 + (Array.isArray(details) ? details.length : 0);
  }, 0);
}

export function parseTlsReportJson(name: string, json: string, limits: ReportLimits): TlsReport {
  const doc = parseJsonSafely(name, json, limits.maxDepth);
  if (typeof doc !== "object" || doc === null || Array.isArray(doc) || !("policies" in doc)) {
    refuse("not-a-report", `${name}: the JSON is not an object with "policies": not an SMTP TLS report (RFC 8460 section 4)`);
  }
  const n = entriesIn(doc);
  if (n > limits.maxRecords) refuse("too-many-records", `${name}: ${n} policies and failure details, more than ${limits.maxRecords}; raise maxRecords if a real reporter sends this many`);
  return parseOrRefuse(tlsReportSchema, doc, name, "report", "SMTP TLS report (RFC 8460 section 4)");
}
