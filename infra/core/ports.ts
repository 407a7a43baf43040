// Which ports the mail server opens and which it may reach, as data. The security group and the
// host firewall (nftables, through the template view) read these lists. The policy pack keeps
// its own list on purpose (it judges the product and must not trust it); a test holds the two
// in agreement.
import type { MailConfig } from "../config";

export type Protocol = "tcp" | "udp";

export interface PortRule {
  readonly protocol: Protocol;
  readonly port: number;
  /** Why the port is open: shown in the security group rule and in the plan. */
  readonly description: string;
}

/** Inbound ports, open to the whole internet (IPv4, and IPv6 when enabled). Never 22. */
export function inboundPorts(cfg: Pick<MailConfig, "features">): readonly PortRule[] {
  const rules: PortRule[] = [
    { protocol: "tcp", port: 25, description: "SMTP: mail from other servers (postscreen)" },
    { protocol: "tcp", port: 465, description: "Submission over implicit TLS (RFC 8314)" },
    { protocol: "tcp", port: 587, description: "Submission with STARTTLS (RFC 6409)" },
    { protocol: "tcp", port: 993, description: "IMAP over implicit TLS" },
  ];
  if (cfg.features.pop3) rules.push({ protocol: "tcp", port: 995, description: "POP3 over implicit TLS (features.pop3)" });
  rules.push(
    { protocol: "tcp", port: 80, description: "HTTP: redirect to HTTPS only" },
    { protocol: "tcp", port: 443, description: "HTTPS: MTA-STS policy, autoconfig/autodiscover" },
  );
  return rules;
}

/** Outbound destinations the host needs, open to any address (their servers are anywhere). */
export function egressRules(cfg: Pick<MailConfig, "outbound">): readonly PortRule[] {
  const delivery: PortRule = cfg.outbound.mode === "ses"
    ? { protocol: "tcp", port: 587, description: "Relay outbound mail through Amazon SES (STARTTLS)" }
    : { protocol: "tcp", port: 25, description: "Deliver outbound mail to other servers' MX" };
  return [
    delivery,
    { protocol: "udp", port: 53, description: "DNS: the local unbound resolver (DNSBL, DANE, MX lookups)" },
    { protocol: "tcp", port: 53, description: "DNS over TCP: truncated and DNSSEC-sized answers" },
    { protocol: "tcp", port: 80, description: "HTTP: Debian package mirrors (apt)" },
    { protocol: "tcp", port: 443, description: "HTTPS: SSM agent, AWS APIs, ACME (Let's Encrypt), DNSBL/Rspamd map updates" },
    { protocol: "udp", port: 123, description: "NTP: keep the clock right (TLS, DKIM timestamps)" },
  ];
}
