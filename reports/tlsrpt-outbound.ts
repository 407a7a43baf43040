// One UTC day of Postfix's TLSRPT events -> one RFC 8460 report per recipient domain: what this
// server saw when it delivered to that domain's MXes (sessions that negotiated TLS under the
// domain's DANE or MTA-STS policy, or under none, and every failure with its result type). The
// report is checked against the same schema this host's report reader applies to the reports it
// receives (tlsrpt-schema.ts), so a report we send is one we would accept ourselves.
import type { ReportLimits } from "./limits";
import { parseTlsReportJson } from "./tlsrpt-json";
import type { TlsReport } from "./tlsrpt-schema";
import { POLICY_TYPES, RESULT_TYPES, reportDestinations, type ReportDestination, type TlsEvent, type TlsEventPolicy } from "./tlsrpt-events";

/** Who sends the reports: RFC 8460 section 4.4's organization and contact, and the submitting host. */
export interface Reporter {
  readonly organization: string;
  readonly contact: string;
  /** The reporting MTA's host name (the report file name's "sender", section 5.1). */
  readonly submitter: string;
}

export interface OutboundReport {
  readonly domain: string;
  readonly destinations: readonly ReportDestination[];
  readonly report: TlsReport;
  /** The JSON as sent (the attachment, before gzip). */
  readonly json: string;
}

/** Distinct failure groups kept per policy; beyond it the sessions still count in the summary. */
const MAX_DETAIL_GROUPS = 100;
/** Distinct policies kept per domain (a domain has one or two; more is a receiver changing its policy all day). */
const MAX_POLICIES = 50;

type Detail = NonNullable<TlsEventPolicy["failure-details"]>[number];

function policyKey(domain: string, p: TlsEventPolicy): string {
  return JSON.stringify([p["policy-type"], p["policy-domain"] ?? domain, p["policy-string"] ?? [], p["mx-host"] ?? []]);
}

function detailOut(d: Detail): Record<string, string> {
  const out: Record<string, string> = { "result-type": RESULT_TYPES[d.c] ?? "validation-failure" };
  if (d.s !== undefined) out["sending-mta-ip"] = d.s;
  if (d.n !== undefined) out["receiving-mx-hostname"] = d.n;
  // Postfix hands libtlsrpt the MX's whole EHLO response: the report carries the name it gave.
  const helo = d.h === undefined ? undefined : /^\d{3}[ -](\S+)/.exec(d.h)?.[1] ?? d.h.split(/\s/)[0];
  if (helo) out["receiving-mx-helo"] = helo;
  if (d.r !== undefined) out["receiving-ip"] = d.r;
  if (d.a !== undefined) out["additional-information"] = d.a;
  if (d.f !== undefined) out["failure-reason-code"] = d.f;
  return out;
}

interface PolicyTally {
  readonly policy: Record<string, unknown>;
  successful: number;
  failed: number;
  readonly details: Map<string, { detail: Record<string, string>; count: number }>;
}

/** A UTC day "YYYY-MM-DD" -> the report's date range, the whole day (RFC 8460 section 4.4). */
export function dayRange(day: string): { start: string; end: string; startSeconds: number; endSeconds: number } {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day) || Number.isNaN(Date.parse(`${day}T00:00:00Z`))) throw new Error(`expected a UTC day as YYYY-MM-DD, got ${JSON.stringify(day)}`);
  const startSeconds = Date.parse(`${day}T00:00:00Z`) / 1000;
  return { start: `${day}T00:00:00Z`, end: `${day}T23:59:59Z`, startSeconds, endSeconds: startSeconds + 86_399 };
}

/**
 * The events of one day -> one report per recipient domain that asked for reports. A domain whose
 * report cannot be built within the limits is left out and named to `skipped`; the others go on.
 */
export function outboundReports(events: readonly TlsEvent[], day: string, reporter: Reporter, limits: ReportLimits, skipped: (domain: string, why: string) => void = () => undefined): OutboundReport[] {
  const range = dayRange(day);
  const byDomain = new Map<string, { record: string; policies: Map<string, PolicyTally> }>();
  for (const e of events) {
    const entry = byDomain.get(e.d) ?? { record: e.pr, policies: new Map<string, PolicyTally>() };
    byDomain.set(e.d, entry);
    // The newest record the domain published that day decides where the report goes.
    entry.record = e.pr;
    for (const p of e.policies) {
      const key = policyKey(e.d, p);
      let tally = entry.policies.get(key);
      if (tally === undefined && entry.policies.size >= MAX_POLICIES) continue;
      if (tally === undefined) {
        const policy: Record<string, unknown> = { "policy-type": POLICY_TYPES[p["policy-type"]], "policy-domain": p["policy-domain"] ?? e.d };
        if (p["policy-string"]?.length) policy["policy-string"] = p["policy-string"];
        if (p["mx-host"]?.length) policy["mx-host"] = p["mx-host"];
        tally = { policy, successful: 0, failed: 0, details: new Map() };
        entry.policies.set(key, tally);
      }
      // One datagram is one delivery attempt: a success if it ended in one, and each failure on
      // the way (an MX that failed before one that worked) a failed session of its own.
      const failures = p["failure-details"] ?? [];
      if (p.f === 0) tally.successful++;
      tally.failed += Math.max(p.t, failures.length, p.f === 1 ? 1 : 0);
      for (const d of failures) {
        const detail = detailOut(d);
        const k = JSON.stringify(detail);
        const group = tally.details.get(k);
        if (group) group.count++;
        else if (tally.details.size < MAX_DETAIL_GROUPS) tally.details.set(k, { detail, count: 1 });
      }
    }
  }
  const reports: OutboundReport[] = [];
  for (const [domain, { record, policies }] of [...byDomain].sort(([a], [b]) => a.localeCompare(b))) {
    const destinations = reportDestinations(record);
    if (destinations.length === 0) continue;
    const doc = {
      "organization-name": reporter.organization,
      "date-range": { "start-datetime": range.start, "end-datetime": range.end },
      "contact-info": reporter.contact,
      "report-id": `${day}_${domain}@${reporter.submitter}`,
      policies: [...policies.values()].map((t) => ({
        policy: t.policy,
        summary: { "total-successful-session-count": t.successful, "total-failure-session-count": t.failed },
        ...(t.details.size > 0 ? { "failure-details": [...t.details.values()].map((g) => ({ ...g.detail, "failed-session-count": g.count })) } : {}),
      })),
    };
    const json = JSON.stringify(doc);
    // Our own reader's schema: a report that would not pass it is not something to send.
    try {
      reports.push({ domain, destinations, report: parseTlsReportJson(`outbound TLS report for ${domain}`, json, limits), json });
    } catch (e) {
      skipped(domain, e instanceof Error ? e.message : String(e));
    }
  }
  return reports;
}

/** RFC 8460 section 5.1: sender!policy-domain!begin!end[!unique-id].json.gz */
export function reportFileName(submitter: string, domain: string, day: string): string {
  const r = dayRange(day);
  return `${submitter}!${domain}!${r.startSeconds}!${r.endSeconds}.json.gz`;
}
