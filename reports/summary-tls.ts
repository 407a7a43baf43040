// TLS-RPT reports -> per policy domain: how many sessions other MTAs opened to your MX, how many
// failed, and the failures grouped by what failed (result type), where (your MX host and
// address), from whom (the sending MTA and the reporter).
import { addOnce } from "./add-once";
import type { TlsReport } from "./tlsrpt-schema";

export interface TlsFailure {
  readonly resultType: string;
  readonly receivingMx: string;
  readonly receivingIp: string;
  readonly sendingMtaIp: string;
  readonly reporter: string;
  readonly policyType: string;
  sessions: number;
  readonly details: string[];
}

export interface TlsDomain {
  readonly domain: string;
  reports: number;
  readonly reporters: string[];
  successful: number;
  failed: number;
  readonly policyTypes: string[];
  readonly failures: TlsFailure[];
}

export function summariseTls(reports: readonly TlsReport[]): Map<string, TlsDomain> {
  const domains = new Map<string, TlsDomain>();
  const groups = new Map<string, TlsFailure>();
  for (const r of reports) {
    const reporter = r["organization-name"];
    const counted = new Set<string>();
    for (const p of r.policies) {
      const name = p.policy["policy-domain"];
      const d = domains.get(name) ?? { domain: name, reports: 0, reporters: [], successful: 0, failed: 0, policyTypes: [], failures: [] };
      domains.set(name, d);
      if (!counted.has(name)) d.reports++;
      counted.add(name);
      addOnce(d.reporters, reporter);
      addOnce(d.policyTypes, p.policy["policy-type"]);
      d.successful += p.summary["total-successful-session-count"];
      d.failed += p.summary["total-failure-session-count"];
      for (const f of p["failure-details"] ?? []) {
        const key = { resultType: f["result-type"], receivingMx: f["receiving-mx-hostname"] ?? "", receivingIp: f["receiving-ip"] ?? "", sendingMtaIp: f["sending-mta-ip"] ?? "", reporter, policyType: p.policy["policy-type"] };
        const id = JSON.stringify([name, ...Object.values(key)]);
        let g = groups.get(id);
        if (g === undefined) {
          g = { ...key, sessions: 0, details: [] };
          groups.set(id, g);
          d.failures.push(g);
        }
        g.sessions += f["failed-session-count"];
        const detail = [f["failure-reason-code"], f["additional-information"]].filter((x) => x !== undefined && x !== "").join(": ");
        if (detail !== "" && !g.details.includes(detail) && g.details.length < 5) g.details.push(detail);
      }
    }
  }
  for (const d of domains.values()) d.failures.sort((a, b) => b.sessions - a.sessions);
  return domains;
}
