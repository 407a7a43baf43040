// Real-format sample reports, made in code: DMARC aggregate XML per RFC 7489 Appendix C, SMTP TLS
// reports per RFC 8460 section 4, and the mails that carry them (composed by nodemailer's
// MailComposer, as a reporter's MTA would send them).
import MailComposer from "nodemailer/lib/mail-composer";

export { dmarcXml, type DmarcSample, type SampleRecord } from "../../reports/dmarc-sample";

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
