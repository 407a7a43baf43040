// A report that is not read, and why. Every refusal is a ReportRefused with a stable code (for
// the JSON summary and the tests) and a message that says what was wrong, where, and what to do
// if the report is genuine. Anything else thrown while reading a report is a bug, not a refusal.

export type RefusalCode =
  | "too-large"        // a size cap (message, attachment, expanded report)
  | "zip-bomb"         // expansion ratio above the cap
  | "zip-entries"      // too many entries, or none usable
  | "zip-path"         // an entry name that is absolute, climbs out (..), or is otherwise unsafe
  | "zip-invalid"      // not a readable zip (truncated, encrypted, lying sizes)
  | "gzip-invalid"     // not a readable gzip stream
  | "content-type"     // declared media type not a report type, or not what the bytes are
  | "not-a-report"     // no report attachment, or a document that is neither report
  | "xml-dtd"          // a DOCTYPE or ENTITY declaration (XXE, billion laughs)
  | "xml-malformed"
  | "json-malformed"
  | "forbidden-key"    // a key or element named __proto__, constructor or prototype
  | "too-deep"
  | "too-many-records"
  | "schema";          // well-formed, but not the RFC's structure

export class ReportRefused extends Error {
  constructor(readonly code: RefusalCode, message: string) {
    super(message);
    this.name = "ReportRefused";
  }
}

export function refuse(code: RefusalCode, message: string): never {
  throw new ReportRefused(code, message);
}

export function isRefusal(e: unknown): e is ReportRefused {
  return e instanceof ReportRefused;
}
