// aws-cert-acme-dns01: every TLS port serves a certificate the lab's ACME CA (pebble) issued for
// every name the stack certifies, and the instance role itself published and removed each
// _acme-challenge TXT record through Route53 (certbot --dns-route53 on the host).
import type { MailConfig } from "../../../infra/config";
import { certificateNames } from "../../../infra/core/certificate-names";
import type { CheckResult } from "../../../verify/contract";
import { type RequestLogCall, callsBy } from "../logs";
import { type ServedCert, type TlsPort, chainsTo, servedCert, tlsPorts } from "./served-cert";

export const ACME_CHECK = { id: "aws-cert-acme-dns01", title: "every TLS port serves the certificate the ACME CA issued through Route53 DNS-01 (certbot --dns-route53 with the instance role)" } as const;

export interface ChallengeChange { readonly action: string; readonly name: string; readonly type: string }

/** The challenge record changes the given credentials made (and Route53 accepted). */
export function challengeChanges(calls: readonly RequestLogCall[], keys: ReadonlySet<string>): ChallengeChange[] {
  return callsBy(calls, keys)
    .filter((c) => c.action === "ChangeResourceRecordSets" && c.status === 200)
    .flatMap((c) => (c.params.changes as ChallengeChange[] | undefined) ?? []);
}

export function acmeCertificate(cfg: MailConfig, served: readonly ServedCert[], rootPem: string, changes: readonly ChallengeChange[]): CheckResult {
  const names = certificateNames(cfg);
  const problems: string[] = [];
  for (const s of served) {
    if (!s.leaf) { problems.push(`${s.port}: ${s.error ?? "no certificate"}`); continue; }
    if (!chainsTo(s, rootPem)) problems.push(`${s.port}: ${s.leaf.issuer.replace(/\n/g, ", ")} does not chain to the ACME CA's root`);
    const uncovered = names.filter((n) => s.leaf?.checkHost(n) === undefined);
    if (uncovered.length > 0) problems.push(`${s.port}: does not cover ${uncovered.join(", ")}`);
  }
  const fqdn = (n: string) => `_acme-challenge.${n}`.toLowerCase();
  const published = (action: string) => new Set(changes.filter((c) => c.type === "TXT" && c.action === action).map((c) => c.name.replace(/\.$/, "").toLowerCase()));
  const upserts = published("UPSERT");
  const deletes = published("DELETE");
  const notPublished = names.filter((n) => !upserts.has(fqdn(n)));
  const notRemoved = names.filter((n) => !deletes.has(fqdn(n)));
  if (notPublished.length > 0) problems.push(`no Route53 UPSERT of the challenge TXT for ${notPublished.join(", ")} by the instance role`);
  if (notRemoved.length > 0) problems.push(`challenge TXT never removed for ${notRemoved.join(", ")}`);
  const leaf = served.find((s) => s.leaf)?.leaf;
  return {
    ...ACME_CHECK,
    status: problems.length === 0 ? "pass" : "fail",
    detail: problems.length === 0
      ? `ports ${served.map((s) => s.port).join(", ")}: serial ${leaf?.serialNumber ?? "?"}, issuer ${leaf?.issuer.replace(/\n/g, ", ") ?? "?"}, ${names.length} names; ${upserts.size} challenge TXT records published and removed through Route53`
      : problems.join("; "),
    seconds: 0,
  };
}

/** The first web name the certificate covers (443 serves only those), the mail hostname if none. */
function httpsName(cfg: MailConfig): string {
  return certificateNames(cfg).find((n) => n !== cfg.hostname) ?? cfg.hostname;
}

/** Served certificates on every port of the stack. */
export function servedCerts(cfg: MailConfig, ports: readonly TlsPort[] = tlsPorts(cfg.features.pop3, httpsName(cfg))): ServedCert[] {
  return ports.map((p) => servedCert(cfg.hostname, p));
}

/**
 * The host asks for its certificate after readiness (services start on a self-signed one made
 * from the same key): wait until IMAPS serves one that chains to the ACME root.
 */
export async function waitForAcmeCertificate(cfg: MailConfig, rootPem: string, timeoutSeconds: number): Promise<{ issued: boolean; seconds: number; detail: string }> {
  const started = Date.now();
  let last = "";
  while (Date.now() - started < timeoutSeconds * 1000) {
    const s = servedCert(cfg.hostname, { port: 993 });
    if (chainsTo(s, rootPem)) return { issued: true, seconds: (Date.now() - started) / 1000, detail: `serial ${s.leaf?.serialNumber}` };
    last = s.leaf ? `still ${s.leaf.issuer.replace(/\n/g, ", ")}` : (s.error ?? "no certificate");
    await new Promise((r) => setTimeout(r, 5000));
  }
  return { issued: false, seconds: timeoutSeconds, detail: `no ACME certificate on 993 within ${timeoutSeconds} s (${last})` };
}
