// The Debian 13 packages the user data installs (the lab image pre-installs the same list).
import type { MailConfig } from "../../config";

export function hostPackages(cfg: MailConfig): string[] {
  return [
    "postfix", // MTA (postscreen, submission, anvil limits)
    "dovecot-core", "dovecot-imapd", "dovecot-lmtpd", "dovecot-sieve", "dovecot-managesieved",
    ...(cfg.features.pop3 ? ["dovecot-pop3d"] : []),
    "rspamd", "redis-server", // content filter, DKIM signing, rate limits; Redis for its state
    ...(cfg.features.clamav ? ["clamav-daemon", "clamav-freshclam"] : []),
    "fail2ban", "python3-systemd", // brute-force bans from the journal
    "nftables", // host firewall
    "unbound", "dns-root-data", // local validating resolver for DNSBL and DANE lookups
    ...outboundTlsPackages(cfg),
    "nginx", // MTA-STS policy, autoconfig/autodiscover over HTTPS
    "certbot", "python3-certbot-dns-route53", "python3-boto3", // ACME DNS-01; boto3 also reads SSM
    "ssl-cert", "openssl", "ca-certificates",
    "unattended-upgrades", "chrony", "e2fsprogs",
    "nodejs", // runs the DMARC and TLS-RPT report reader, one bundled file (docs/reports.md)
    ...(cfg.auth.appPasswords ? ["dovecot-auth-lua"] : []), // the app-password passdb
    ...webmailPackages(cfg),
  ];
}

/**
 * Outbound MTA-STS with DANE first (outbound.mode direct; SES relays with its own verified TLS):
 * Debian's MTA-STS resolver, and dnspython for mailfort-tls-policy's DNSSEC-validated TLSA check
 * in front of it (configs/bin/mailfort-tls-policy).
 */
export function outboundTlsPackages(cfg: MailConfig): string[] {
  return cfg.outbound.mode === "direct" ? [...OUTBOUND_TLS_PACKAGES] : [];
}
const OUTBOUND_TLS_PACKAGES = ["postfix-mta-sts-resolver", "python3-dnspython"];

/** The webmail's share of hostPackages (none without features.webmail). */
export function webmailPackages(cfg: MailConfig): string[] {
  return cfg.features.webmail ? [...WEBMAIL_PACKAGES] : [];
}

/**
 * Roundcube with its SQLite driver, PHP-FPM and qrencode (the enrolment QR code). cloud-init
 * installs with recommends, and Roundcube recommends a web server or PHP front end: php8.4-fpm in
 * the same install satisfies that, so no Apache comes along (test/host/package-install.test.ts).
 * Not roundcube-plugins: none of its plugins is enabled (roundcube-core ships the two it loads).
 */
const WEBMAIL_PACKAGES = ["roundcube-core", "roundcube-sqlite3", "php8.4-fpm", "qrencode"];

/** Every package any stack may need, plus the checkers the tests run (cloud-init schema). */
export function checkerRootPackages(): string[] {
  return [
    "postfix", "dovecot-core", "dovecot-imapd", "dovecot-lmtpd", "dovecot-sieve", "dovecot-managesieved", "dovecot-pop3d",
    "rspamd", "redis-server", "fail2ban", "python3-systemd", "nftables", "unbound", "dns-root-data", "nginx",
    "certbot", "python3-certbot-dns-route53", "python3-boto3", "ssl-cert", "openssl", "ca-certificates",
    "unattended-upgrades", "chrony", "e2fsprogs", "nodejs", "cloud-init", "dovecot-auth-lua", ...WEBMAIL_PACKAGES, ...OUTBOUND_TLS_PACKAGES,
  ].sort();
}
