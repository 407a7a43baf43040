// The names the server certificate covers: the mail hostname (MX target, submission, IMAP) and,
// per mail domain, the HTTPS names the host serves: mta-sts. (RFC 8461 policy), autoconfig.
// and autodiscover. (client set-up). Parked domains get none: they receive no mail.
// The self-signed certificate, the ACME challenge permissions and the host's certbot SANs
// (configs/bin/mailfort-boot cert-sans) must all agree with this list.
import type { MailConfig } from "../config";

export function certificateNames(cfg: Pick<MailConfig, "hostname" | "domains">): string[] {
  const names = [cfg.hostname, ...cfg.domains.filter((d) => d.sendsMail).flatMap((d) => [`mta-sts.${d.name}`, `autoconfig.${d.name}`, `autodiscover.${d.name}`])];
  return [...new Set(names)];
}
