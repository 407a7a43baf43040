// Postfix's own TLSRPT events, as the outbound report sender reads them. Postfix 3.10 (Debian 13
// links it with libtlsrpt) sends one datagram per delivery attempt to a domain that publishes a
// TLS-RPT record (smtp_tlsrpt_enable, main.cf); mailfort-tlsrpt-collect appends each to a day file
// as one JSON line {"at": <ISO time received>, "e": <the datagram>}. The datagram is libtlsrpt's
// ("dpv": 1 from version 0.5.1 on; Debian 13's 0.5.0 sends none): "d" the recipient domain, "pr" its TLS-RPT record, "policies"
// with a numeric "policy-type" (1 tlsa, 2 sts, 9 none found), the policy's strings and MX
// patterns, "failure-details" with numeric result codes (201..306) and one-letter fields, "t" the
// number of failures and "f" the final result (0 success, 1 failure). For DANE, "policy-domain" is
// the MX host's name (the TLSA record's base domain), not the recipient domain; "h" is the MX's
// whole EHLO response as Postfix got it.
// The events come from this host's Postfix, but the day file is still input: a line that does not
// parse is skipped and counted, never trusted into a report.
import { isIP } from "node:net";
import { z } from "zod";
import { DOMAIN_RE } from "./names";

const text = z.string().max(1024);
const ip = z.string().max(64).refine((v) => isIP(v) !== 0, "expected an IP address");

/** libtlsrpt's policy types -> RFC 8460's "policy-type". */
export const POLICY_TYPES = { 1: "tlsa", 2: "sts", 9: "no-policy-found" } as const;

/** libtlsrpt's failure codes -> RFC 8460 section 4.3's result types. */
export const RESULT_TYPES: Readonly<Record<number, string>> = {
  201: "starttls-not-supported",
  202: "certificate-host-mismatch",
  203: "certificate-not-trusted",
  204: "certificate-expired",
  205: "validation-failure",
  301: "sts-policy-fetch-error",
  302: "sts-policy-invalid",
  303: "sts-webpki-invalid",
  304: "tlsa-invalid",
  305: "dnssec-invalid",
  306: "dane-required",
};

const failureDetail = z.object({
  c: z.number().int().refine((c) => c in RESULT_TYPES, "expected a libtlsrpt failure code (201..306)"),
  s: ip.optional(),
  n: text.optional(),
  h: text.optional(),
  r: ip.optional(),
  a: text.optional(),
  f: text.optional(),
});

const eventPolicy = z.object({
  "policy-type": z.union([z.literal(1), z.literal(2), z.literal(9)]),
  "policy-domain": z.string().regex(DOMAIN_RE).optional(),
  "policy-string": z.array(text).max(256).optional(),
  "mx-host": z.array(text).max(64).optional(),
  "failure-details": z.array(failureDetail).max(64).optional(),
  t: z.number().int().nonnegative().max(1e6),
  f: z.union([z.literal(0), z.literal(1)]),
});

export const tlsEventSchema = z.object({
  // Debian 13's libtlsrpt (0.5.0) sends none; later versions send 1 for the same format.
  dpv: z.literal(1).optional(),
  d: z.string().regex(DOMAIN_RE, "expected the recipient domain").transform((d) => d.toLowerCase().replace(/\.$/, "")),
  pr: text,
  policies: z.array(eventPolicy).min(1).max(16),
});

export type TlsEvent = z.output<typeof tlsEventSchema>;
export type TlsEventPolicy = TlsEvent["policies"][number];

const lineSchema = z.object({ at: z.string().max(64), e: tlsEventSchema });

/** A day file's lines -> the events that parse, and how many did not. */
export function parseEventLines(text: string): { events: TlsEvent[]; skipped: number } {
  const events: TlsEvent[] = [];
  let skipped = 0;
  for (const line of text.split("\n")) {
    if (line.trim() === "") continue;
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch {
      skipped++;
      continue;
    }
    const parsed = lineSchema.safeParse(raw);
    if (parsed.success) events.push(parsed.data.e);
    else skipped++;
  }
  return { events, skipped };
}

/**
 * The report addresses of a TLS-RPT record (RFC 8460 section 3): "v=TLSRPTv1; rua=<uri>,<uri>".
 * Only mailto: and https: are defined; anything else, and a record that is not version 1, gives
 * none. mailto: addresses are percent-decoded (RFC 6068) and must look like an address.
 */
export type ReportDestination = { readonly kind: "mailto"; readonly address: string } | { readonly kind: "https"; readonly url: string };

export function reportDestinations(record: string): ReportDestination[] {
  const fields = record.split(";").map((f) => f.trim()).filter((f) => f !== "");
  if (fields[0]?.replace(/\s+/g, "") !== "v=TLSRPTv1") return [];
  const rua = fields.find((f) => /^rua\s*=/i.test(f));
  if (rua === undefined) return [];
  const out: ReportDestination[] = [];
  for (const uri of rua.replace(/^rua\s*=/i, "").split(",").map((u) => u.trim()).slice(0, 10)) {
    if (/^mailto:/i.test(uri)) {
      let address: string;
      try {
        address = decodeURIComponent(uri.slice(7).split("?")[0] ?? "");
      } catch {
        continue;
      }
      const at = address.lastIndexOf("@");
      if (at > 0 && /^[^\s<>()",;:\\[\]@]+$/.test(address.slice(0, at)) && DOMAIN_RE.test(address.slice(at + 1))) out.push({ kind: "mailto", address });
    } else if (/^https:\/\//i.test(uri)) {
      try {
        out.push({ kind: "https", url: new URL(uri).toString() });
      } catch {
        continue;
      }
    }
  }
  return out;
}
