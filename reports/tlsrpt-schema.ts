// The SMTP TLS report (RFC 8460 section 4, the JSON report format), as the parts the summary
// reads. Field names are the RFC's, hyphens and all. "mx-host" is an array in the RFC's text and
// a single string in its own example, and reporters send both, so both are read.
import { isIP } from "node:net";
import { z } from "zod";
import { domainName } from "./names";

const text = z.string().max(1024);
const count = z.number().int().nonnegative().max(1e12);
const dateTime = z.string().max(64).refine((v) => !Number.isNaN(Date.parse(v)), "expected an RFC 3339 date-time");
const ip = z.string().refine((v) => isIP(v) !== 0, "expected an IP address");
const listOrOne = z.union([z.array(text).max(64), text.transform((v) => [v])]);

export const tlsReportSchema = z.object({
  "organization-name": text,
  "date-range": z.object({ "start-datetime": dateTime, "end-datetime": dateTime }),
  "contact-info": text,
  "report-id": text.min(1),
  policies: z.array(z.object({
    policy: z.object({
      "policy-type": z.enum(["tlsa", "sts", "no-policy-found"]),
      "policy-string": z.array(text).max(256).optional(),
      "policy-domain": domainName,
      "mx-host": listOrOne.optional(),
    }),
    summary: z.object({ "total-successful-session-count": count, "total-failure-session-count": count }),
    "failure-details": z.array(z.object({
      "result-type": text,
      "sending-mta-ip": ip.optional(),
      "receiving-mx-hostname": text.optional(),
      "receiving-mx-helo": text.optional(),
      "receiving-ip": ip.optional(),
      "failed-session-count": count,
      "additional-information": text.optional(),
      "failure-reason-code": text.optional(),
    })).optional(),
  })).min(1),
});

export type TlsReport = z.output<typeof tlsReportSchema>;
export type TlsPolicy = TlsReport["policies"][number];
