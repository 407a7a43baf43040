// The summary the operator reads and monitoring publishes, as plain data (the CLI prints it as
// text or JSON). Alerts: one of YOUR sources failing DMARC above the threshold (your own mail is
// being rejected or quarantined somewhere), or TLS sessions to your MX failing above it.
// Spoofing: an unknown source failing DMARC, with what the receivers did with it.
import type { LoadedStore } from "./load";
import type { OwnSources } from "./own-sources";
import { summariseDmarc, type DmarcDomain, type DmarcSource } from "./summary-dmarc";
import { summariseTls, type TlsDomain } from "./summary-tls";

export interface Alert {
  readonly domain: string;
  readonly kind: "own-source-failing" | "own-source-dkim-unaligned" | "tls-failing";
  readonly subject: string;
  readonly failed: number;
  readonly total: number;
  readonly failRate: number;
  readonly message: string;
}

export interface Spoofing {
  readonly domain: string;
  readonly ip: string;
  readonly failed: number;
  readonly rejected: number;
  readonly quarantined: number;
  readonly delivered: number;
  readonly verdict: string;
}

export type DmarcView = Omit<DmarcDomain, "begin" | "end"> & { readonly from: string; readonly to: string };

export interface ReportSummary {
  readonly threshold: number;
  readonly own: readonly string[];
  readonly reports: { readonly dmarc: number; readonly tls: number; readonly refused: number; readonly unreadable: number };
  readonly alerts: Alert[];
  readonly spoofing: Spoofing[];
  readonly domains: Array<{ readonly domain: string; readonly dmarc?: DmarcView; readonly tls?: TlsDomain }>;
  readonly refused: Array<{ readonly at: string; readonly code: string; readonly message: string }>;
  readonly unreadable: string[];
}

const rate = (failed: number, total: number): number => (total === 0 ? 0 : failed / total);
const percent = (r: number): string => `${(r * 100).toFixed(1)}%`;
const day = (epochSeconds: number): string => new Date(epochSeconds * 1000).toISOString().slice(0, 10);

function dmarcView(d: DmarcDomain): DmarcView {
  const { begin, end, ...rest } = d;
  return { ...rest, from: day(begin), to: day(end) };
}

function spoofingVerdict(s: DmarcSource): string {
  const stopped = s.disposition.reject + s.disposition.quarantine;
  if (s.disposition.none === 0) return s.disposition.quarantine === 0 ? "spoofing stopped by p=reject" : "spoofing stopped (rejected or quarantined)";
  return stopped === 0 ? "spoofing DELIVERED (the receiver applied no policy: p=none, pct<100, or a local override)" : `spoofing partly delivered (${s.disposition.none} of ${s.fail + s.pass} messages delivered)`;
}

export function summarise(store: LoadedStore, own: OwnSources, threshold: number): ReportSummary {
  const dmarc = summariseDmarc(store.dmarc, own);
  const tls = summariseTls(store.tls);
  const alerts: Alert[] = [];
  const spoofing: Spoofing[] = [];
  for (const d of dmarc.values()) {
    for (const s of d.sources) {
      const r = rate(s.fail, s.messages);
      if (s.own && r > threshold) {
        alerts.push({ domain: d.domain, kind: "own-source-failing", subject: s.ip, failed: s.fail, total: s.messages, failRate: r,
          message: `${d.domain}: your source ${s.ip} fails DMARC for ${s.fail} of ${s.messages} messages (${percent(r)}, threshold ${percent(threshold)}): check DKIM signing and the SPF record; receivers reject or quarantine this mail` });
      }
      // Passing on SPF alone means DKIM signing is broken (a key not published, a rotation gone
      // wrong): the mail still passes today, but fails as soon as it is forwarded.
      const unaligned = rate(s.messages - s.dkimAligned, s.messages);
      if (s.own && r <= threshold && unaligned > threshold) {
        alerts.push({ domain: d.domain, kind: "own-source-dkim-unaligned", subject: s.ip, failed: s.messages - s.dkimAligned, total: s.messages, failRate: unaligned,
          message: `${d.domain}: your source ${s.ip} passes DMARC but without an aligned DKIM signature for ${s.messages - s.dkimAligned} of ${s.messages} messages (${percent(unaligned)}): check the DKIM key and selector in DNS; forwarded mail will fail` });
      }
      if (!s.own && s.fail > 0) {
        spoofing.push({ domain: d.domain, ip: s.ip, failed: s.fail, rejected: s.disposition.reject, quarantined: s.disposition.quarantine, delivered: s.disposition.none, verdict: spoofingVerdict(s) });
      }
    }
  }
  for (const t of tls.values()) {
    const r = rate(t.failed, t.failed + t.successful);
    if (r > threshold) {
      const top = t.failures[0];
      alerts.push({ domain: t.domain, kind: "tls-failing", subject: top?.receivingMx || t.domain, failed: t.failed, total: t.failed + t.successful, failRate: r,
        message: `${t.domain}: ${t.failed} of ${t.failed + t.successful} TLS sessions to your MX failed (${percent(r)}, threshold ${percent(threshold)})${top ? `, mostly ${top.resultType}` : ""}: check the certificate, the MTA-STS policy and the TLSA records` });
    }
  }
  const names = [...new Set([...dmarc.keys(), ...tls.keys()])].sort();
  return {
    threshold,
    own: own.cidrs,
    reports: { dmarc: store.dmarc.length, tls: store.tls.length, refused: store.refused.length, unreadable: store.unreadable.length },
    alerts,
    spoofing: spoofing.sort((a, b) => b.failed - a.failed),
    domains: names.map((domain) => {
      const d = dmarc.get(domain);
      const t = tls.get(domain);
      return { domain, ...(d ? { dmarc: dmarcView(d) } : {}), ...(t ? { tls: t } : {}) };
    }),
    refused: store.refused.map((n) => ({ at: n.at, code: n.code, message: n.message })),
    unreadable: store.unreadable,
  };
}
