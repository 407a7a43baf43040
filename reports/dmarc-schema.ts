// The DMARC aggregate report (RFC 7489 Appendix C, the "feedback" XML schema), as the parts of
// it the summary reads. The XML parser hands over every value as a string and every repeated
// element as one object or an array; this schema turns that into typed data and refuses what
// the RFC's schema would refuse in the fields we read (enumerations, counts, IP addresses).
import { isIP } from "node:net";
import { z } from "zod";
import { domainName } from "./names";

const text = z.string().max(1024);
const count = z.string().regex(/^\d{1,12}$/, "expected a whole number").transform(Number);
const ip = z.string().refine((v) => isIP(v) !== 0, "expected an IP address");
/** An element that occurs once or more arrives as an object or an array. */
const many = <T extends z.ZodType>(item: T) => z.preprocess((v) => (v === undefined || v === "" ? [] : Array.isArray(v) ? v : [v]), z.array(item));
const pass = z.enum(["pass", "fail"]);
const disposition = z.enum(["none", "quarantine", "reject", "pass"]);

export const dmarcFeedbackSchema = z.object({
  version: text.optional(),
  report_metadata: z.object({
    org_name: text,
    email: text,
    extra_contact_info: text.optional(),
    report_id: text.min(1),
    date_range: z.object({ begin: count, end: count }),
    error: many(text).optional(),
  }),
  policy_published: z.object({
    domain: domainName,
    adkim: z.enum(["r", "s"]).optional(),
    aspf: z.enum(["r", "s"]).optional(),
    p: z.enum(["none", "quarantine", "reject"]),
    sp: z.enum(["none", "quarantine", "reject"]).optional(),
    pct: count.optional(),
  }),
  record: many(z.object({
    row: z.object({
      source_ip: ip,
      count,
      policy_evaluated: z.object({
        disposition,
        dkim: pass,
        spf: pass,
        reason: many(z.object({ type: text, comment: text.optional() })).optional(),
      }),
    }),
    identifiers: z.object({ envelope_to: text.optional(), envelope_from: text.optional(), header_from: text }),
    auth_results: z.object({
      dkim: many(z.object({ domain: text, selector: text.optional(), result: text, human_result: text.optional() })).optional(),
      spf: many(z.object({ domain: text, scope: text.optional(), result: text })).optional(),
    }),
  })).refine((records) => records.length > 0, "a report holds at least one <record>"),
});

export type DmarcFeedback = z.output<typeof dmarcFeedbackSchema>;
export type DmarcRecord = DmarcFeedback["record"][number];
