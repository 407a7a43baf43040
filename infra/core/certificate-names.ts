// The names the server certificate covers: the mail hostname (MX target, submission, IMAP) and,
// per mail domain, the HTTPS names the host serves: mta-sts. (RFC 8461 policy), autoconfig.
// and autodiscover. (client set-up). Parked domains get none: they receive no mail.
// The self-signed certificate, the ACME challenge permissions and the host's certbot SANs
// (configs/bin/mailfort-boot cert-sans) must all agree with this list.
import type { MailConfig } from "../config";
import { zoneOf } from "./dns";

export function certificateNames(cfg: Pick<MailConfig, "hostname" | "domains">): string[] {
  const names = [cfg.hostname, ...cfg.domains.filter((d) => d.sendsMail).flatMap((d) => [`mta-sts.${d.name}`, `autoconfig.${d.name}`, `autodiscover.${d.name}`])];
  return [...new Set(names)];
}

/** The certificate names per hosted zone (by the zone's domain), in config order: what the ACME
 * challenge permissions cover. None for a self-signed stack, which never asks a CA. */
export function acmeZoneNames(cfg: Pick<MailConfig, "hostname" | "domains" | "tls">): Array<{ domain: string; names: string[] }> {
  if (cfg.tls.mode === "self-signed") return [];
  const byZone = new Map<string, string[]>();
  for (const n of certificateNames(cfg)) {
    const zone = zoneOf(cfg, n);
    byZone.set(zone, [...(byZone.get(zone) ?? []), n]);
  }
  return [...byZone.entries()].map(([domain, names]) => ({ domain, names }));
}
