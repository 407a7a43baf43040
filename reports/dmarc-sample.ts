// A DMARC aggregate report (RFC 7489 Appendix C) in the real format, made in code: what the
// tests feed the reader, and what the lab's remote MX mails to the stack (lab/reports-check.ts).
// Not used by the reader itself (the host bundle leaves it out: tools/reports.ts never imports it).

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
