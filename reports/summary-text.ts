// The summary as the operator reads it in a terminal: alerts first, then spoofing, then each
// domain (DMARC sources, TLS failures), then what was refused.
import type { ReportSummary } from "./summary";

const pct = (part: number, whole: number): string => (whole === 0 ? "-" : `${((part / whole) * 100).toFixed(1)}%`);
const n = (x: number): string => x.toLocaleString("en-US");

export function summaryText(s: ReportSummary, dir: string): string {
  const out: string[] = [];
  out.push(`Reports in ${dir}: ${s.reports.dmarc} DMARC aggregate, ${s.reports.tls} TLS-RPT, ${s.reports.refused} refused${s.reports.unreadable ? `, ${s.reports.unreadable} unreadable` : ""}`);
  out.push(`Your sources: ${s.own.length ? s.own.join(", ") : "none given (--own): every source counts as unknown"}; alert threshold ${(s.threshold * 100).toFixed(1)}% failures`);
  out.push("");
  out.push(s.alerts.length ? `ALERTS (${s.alerts.length})` : "ALERTS: none");
  for (const a of s.alerts) out.push(`  ! ${a.message}`);
  if (s.spoofing.length) {
    out.push("", "Unknown sources failing DMARC (someone sending as you):");
    for (const x of s.spoofing) out.push(`  ${x.domain}  ${x.ip.padEnd(39)} ${n(x.failed)} failed: ${x.rejected} rejected, ${x.quarantined} quarantined, ${x.delivered} delivered -> ${x.verdict}`);
  }
  for (const d of s.domains) {
    out.push("", `== ${d.domain}`);
    if (d.dmarc) {
      const m = d.dmarc;
      out.push(`  DMARC ${m.from} .. ${m.to}, ${m.reports} reports from ${m.reporters.join(", ")} (${m.policy.join(", ")})`);
      out.push(`  ${n(m.messages)} messages: ${n(m.pass)} pass (${pct(m.pass, m.messages)}), ${n(m.fail)} fail`);
      out.push("  source                                   own  messages      pass      fail  dkim-aligned  spf-aligned  rejected  quarantined");
      for (const x of m.sources) {
        out.push(`  ${x.ip.padEnd(40)} ${(x.own ? "yes" : "-").padEnd(4)}${n(x.messages).padStart(9)}${n(x.pass).padStart(10)}${n(x.fail).padStart(10)}${n(x.dkimAligned).padStart(14)}${n(x.spfAligned).padStart(13)}${n(x.disposition.reject).padStart(10)}${n(x.disposition.quarantine).padStart(13)}`);
      }
    }
    if (d.tls) {
      const t = d.tls;
      out.push(`  TLS-RPT: ${t.reports} reports from ${t.reporters.join(", ")} (${t.policyTypes.join(", ")}): ${n(t.successful + t.failed)} sessions to your MX, ${n(t.failed)} failed (${pct(t.failed, t.successful + t.failed)})`);
      for (const f of t.failures) {
        out.push(`    ${f.resultType}: ${n(f.sessions)} sessions to ${f.receivingMx || "?"}${f.receivingIp ? ` (${f.receivingIp})` : ""} from ${f.sendingMtaIp || "?"}, reported by ${f.reporter}${f.details.length ? ` — ${f.details.join("; ")}` : ""}`);
      }
    }
  }
  if (s.refused.length) {
    out.push("", `Refused (${s.refused.length}):`);
    for (const r of s.refused.slice(-20)) out.push(`  ${r.at} [${r.code}] ${r.message.split("\n").join("\n    ")}`);
  }
  for (const u of s.unreadable) out.push(`  unreadable: ${u}`);
  return out.join("\n") + "\n";
}
