// Real-format sample reports, made in code: DMARC aggregate XML per RFC 7489 Appendix C, SMTP TLS
// reports per RFC 8460 section 4, and the mails that carry them (composed by nodemailer's
// MailComposer, as a reporter's MTA would send them).
import MailComposer from "nodemailer/lib/mail-composer";

export interface SampleRecord {
  ip: string;
  count: number;
  dkim: "pass" | "fail";
  spf: "pass" | "fail";
  disposition?: "none" | "quarantine" | "reject";
  headerFrom?: string;
}

export interface DmarcSample {
  org?: string;
  reportId?: string;
  domain?: string;
  begin?: number;
  end?: number;
  records: SampleRecord[];
}

const esc = (s: string): string => s.replace(/&/g, "&amp;").replace(/</g, "&lt;");

export function dmarcXml(s: DmarcSample): string {
  const domain = s.domain ?? "example.com";
  const records = s.records.map((r) => `
  <record>
    <row>
      <source_ip>${r.ip}</source_ip>
      <count>${r.count}</count>
      <policy_evaluated>
        <disposition>${r.disposition ?? (r.dkim === "pass" || r.spf === "pass" ? "none" : "reject")}</disposition>
        <dkim>${r.dkim}</dkim>
        <spf>${r.spf}</spf>
      </policy_evaluated>
    </row>
    <identifiers>
      <envelope_from>${esc(r.headerFrom ?? domain)}</envelope_from>
      <header_from>${esc(r.headerFrom ?? domain)}</header_from>
    </identifiers>
    <auth_results>
      <dkim>
        <domain>${esc(domain)}</domain>
        <selector>mf2026</selector>
        <result>${r.dkim}</result>
      </dkim>
      <spf>
        <domain>${esc(domain)}</domain>
        <scope>mfrom</scope>
        <result>${r.spf}</result>
      </spf>
    </auth_results>
  </record>`).join("");
  return `<?xml version="1.0" encoding="UTF-8" ?>
<feedback>
  <version>1.0</version>
  <report_metadata>
    <org_name>${esc(s.org ?? "receiver.example")}</org_name>
    <email>noreply-dmarc-support@receiver.example</email>
    <extra_contact_info>https://receiver.example/dmarc &amp; support</extra_contact_info>
    <report_id>${esc(s.reportId ?? "8181936573204651542")}</report_id>
    <date_range>
      <begin>${s.begin ?? 1796083200}</begin>
      <end>${s.end ?? 1796169599}</end>
    </date_range>
  </report_metadata>
  <policy_published>
    <domain>${esc(domain)}</domain>
    <adkim>r</adkim>
    <aspf>r</aspf>
    <p>reject</p>
    <sp>reject</sp>
    <pct>100</pct>
    <fo>1</fo>
  </policy_published>${records}
</feedback>
`;
}

export interface TlsFailureSample {
  resultType: string;
  sendingMtaIp: string;
  receivingMx: string;
  receivingIp: string;
  sessions: number;
  info?: string;
}

export function tlsRptJson(s: { org?: string; reportId?: string; domain?: string; ok: number; failures: TlsFailureSample[] }): string {
  const domain = s.domain ?? "example.com";
  return JSON.stringify({
    "organization-name": s.org ?? "Sender Org",
    "date-range": { "start-datetime": "2026-11-30T00:00:00Z", "end-datetime": "2026-11-30T23:59:59Z" },
    "contact-info": "smtp-tls-reporting@sender.example",
    "report-id": s.reportId ?? "2026-11-30T00:00:00Z_example.com",
    policies: [{
      policy: { "policy-type": "sts", "policy-string": ["version: STSv1", "mode: enforce", `mx: mail.${domain}`, "max_age: 604800"], "policy-domain": domain, "mx-host": [`mail.${domain}`] },
      summary: { "total-successful-session-count": s.ok, "total-failure-session-count": s.failures.reduce((n, f) => n + f.sessions, 0) },
      "failure-details": s.failures.map((f) => ({
        "result-type": f.resultType, "sending-mta-ip": f.sendingMtaIp, "receiving-mx-hostname": f.receivingMx, "receiving-ip": f.receivingIp,
        "failed-session-count": f.sessions, ...(f.info ? { "additional-information": f.info } : {}),
      })),
    }],
  }, null, 2);
}

/** A report mail as RFC 7489 7.2.1.1 / RFC 8460 5.3 describe it: one report attachment. */
export async function reportMail(attachment: { filename: string; contentType: string; content: Buffer }[] | { filename: string; contentType: string; content: Buffer }, subject = "Report Domain: example.com Submitter: receiver.example"): Promise<Buffer> {
  const attachments = Array.isArray(attachment) ? attachment : [attachment];
  return new MailComposer({
    from: "noreply-dmarc-support@receiver.example",
    to: "dmarc-reports@example.com",
    subject,
    messageId: `<${subject.length}.${attachments.length}@receiver.example>`,
    text: "This is an aggregate report.",
    attachments: attachments.map((a) => ({ filename: a.filename, contentType: a.contentType, content: a.content })),
  }).compile().build();
}
