// Which configs/ template lands where on the host, with which mode, and how it gets there. The
// user data writes only the bootstrap (the stack's env file, the secret fetch and the host-file
// installer); every other file travels in the host bundle (bundle.ts) through SSM, and the
// installer writes it before mailfort-boot runs. Owners are root:root: the few files a daemon
// user must read are secrets, placed by mailfort-secrets with their own owners.
import type { MailConfig } from "../../config";
import { certificateNames } from "../certificate-names";
import { mtaStsPolicy } from "../dns/mta-sts";
import { type HostBundle, packHostBundle } from "./bundle";
import { stripComments } from "./strip-comments";
import { readStatic, renderTemplate } from "./template";
import { hostView } from "./view";

export interface HostFile {
  readonly path: string;
  /** Octal mode as cloud-init writes it, e.g. "0644". */
  readonly mode: string;
  readonly owner: string;
  readonly content: string;
}

/** Config templates, in the order an admin reads them: mail flow first, then defences, then plumbing. */
const TEMPLATES: ReadonlyArray<readonly [template: string, path: string, mode?: string]> = [
  ["postfix/main.cf", "/etc/postfix/main.cf"],
  ["postfix/master.cf", "/etc/postfix/master.cf"],
  ["dovecot/dovecot.conf", "/etc/dovecot/dovecot.conf"],
  ["rspamd/local.d/options.inc", "/etc/rspamd/local.d/options.inc"],
  ["rspamd/override.d/options.inc", "/etc/rspamd/override.d/options.inc"],
  ["rspamd/local.d/worker-proxy.inc", "/etc/rspamd/local.d/worker-proxy.inc"],
  ["rspamd/local.d/worker-controller.inc", "/etc/rspamd/local.d/worker-controller.inc"],
  ["rspamd/local.d/redis.conf", "/etc/rspamd/local.d/redis.conf"],
  ["rspamd/local.d/dkim_signing.conf", "/etc/rspamd/local.d/dkim_signing.conf"],
  ["rspamd/local.d/arc.conf", "/etc/rspamd/local.d/arc.conf"],
  ["rspamd/local.d/greylist.conf", "/etc/rspamd/local.d/greylist.conf"],
  ["rspamd/local.d/dmarc.conf", "/etc/rspamd/local.d/dmarc.conf"],
  ["rspamd/local.d/ratelimit.conf", "/etc/rspamd/local.d/ratelimit.conf"],
  ["rspamd/local.d/multimap.conf", "/etc/rspamd/local.d/multimap.conf"],
  ["rspamd/local.d/fuzzy_check.conf", "/etc/rspamd/local.d/fuzzy_check.conf"],
  ["rspamd/local.d/antivirus.conf", "/etc/rspamd/local.d/antivirus.conf"],
  ["rspamd/local.d/milter_headers.conf", "/etc/rspamd/local.d/milter_headers.conf"],
  ["rspamd/local.d/maps.d/mailfort-none.map", "/etc/rspamd/local.d/maps.d/mailfort-none.map"],
  ["rspamd/override.d/rbl.conf", "/etc/rspamd/override.d/rbl.conf"],
  ["rspamd/override.d/whitelist.conf", "/etc/rspamd/override.d/whitelist.conf"],
  ["rspamd/override.d/phishing.conf", "/etc/rspamd/override.d/phishing.conf"],
  ["rspamd/override.d/mid.conf", "/etc/rspamd/override.d/mid.conf"],
  ["rspamd/override.d/mime_types.conf", "/etc/rspamd/override.d/mime_types.conf"],
  ["fail2ban/jail.local", "/etc/fail2ban/jail.local"],
  ["fail2ban/filter.d/dovecot.local", "/etc/fail2ban/filter.d/dovecot.local"],
  ["nftables/nftables.conf", "/etc/nftables.conf", "0755"],
  ["unbound/mailfort.conf", "/etc/unbound/unbound.conf.d/mailfort.conf"],
  ["nginx/mailfort.conf", "/etc/nginx/conf.d/mailfort.conf"],
  ["apt/20auto-upgrades", "/etc/apt/apt.conf.d/20auto-upgrades"],
  ["apt/52mailfort-unattended-upgrades", "/etc/apt/apt.conf.d/52mailfort-unattended-upgrades"],
  ["chrony/mailfort.sources", "/etc/chrony/sources.d/mailfort.sources"],
  ["systemd/mailfort-boot.service", "/etc/systemd/system/mailfort-boot.service"],
  ["systemd/mailfort-sync.service", "/etc/systemd/system/mailfort-sync.service"],
  ["systemd/mailfort-sync.timer", "/etc/systemd/system/mailfort-sync.timer"],
  ["systemd/mailfort-cert.service", "/etc/systemd/system/mailfort-cert.service"],
  ["systemd/mailfort-cert.timer", "/etc/systemd/system/mailfort-cert.timer"],
  ["systemd/mailfort-metrics.service", "/etc/systemd/system/mailfort-metrics.service"],
  ["systemd/mailfort-metrics.timer", "/etc/systemd/system/mailfort-metrics.timer"],
  ["mailfort/containment.conf", "/etc/mailfort/containment-settings"],
  ["systemd/mailfort-containment.service", "/etc/systemd/system/mailfort-containment.service"],
  ["systemd/mailfort-containment.timer", "/etc/systemd/system/mailfort-containment.timer"],
  ["postfix/maps/report-addresses", "/etc/postfix/maps/report-addresses"],
  ["mailfort/reports.conf", "/etc/mailfort/reports-settings"],
  ["systemd/mailfort-reports.service", "/etc/systemd/system/mailfort-reports.service"],
  ["systemd/mailfort-reports.timer", "/etc/systemd/system/mailfort-reports.timer"],
  ["systemd/mailfort-reports-ingest.path", "/etc/systemd/system/mailfort-reports-ingest.path"],
  ["systemd/mailfort-reports-ingest.service", "/etc/systemd/system/mailfort-reports-ingest.service"],
];

/** The webmail (features.webmail): Roundcube's config, its PHP-FPM pool, its fail2ban filter. */
const WEBMAIL_TEMPLATES: ReadonlyArray<readonly [template: string, path: string, mode?: string]> = [
  ["roundcube/config.inc.php", "/etc/roundcube/config.inc.php"],
  ["php/webmail-pool.conf", "/etc/php/8.4/fpm/pool.d/www.conf"],
  ["fail2ban/filter.d/roundcube-auth.local", "/etc/fail2ban/filter.d/roundcube-auth.local"],
];

/**
 * Outbound MTA-STS with DANE first (outbound.mode direct): the DANE-first policy map Postfix asks,
 * its unit, and Debian's MTA-STS resolver's config with a hardening drop-in for its unit.
 */
const OUTBOUND_TLS_TEMPLATES: ReadonlyArray<readonly [template: string, path: string, mode?: string]> = [
  ["mta-sts/mta-sts-daemon.yml", "/etc/mta-sts-daemon.yml"],
  ["systemd/postfix-mta-sts-resolver.service.d/mailfort.conf", "/etc/systemd/system/postfix-mta-sts-resolver.service.d/mailfort.conf"],
  ["systemd/mailfort-tls-policy.service", "/etc/systemd/system/mailfort-tls-policy.service"],
  ["bin/mailfort-tls-policy", "/usr/local/sbin/mailfort-tls-policy", "0755"],
  // Outbound TLS reports (RFC 8460): Postfix's TLSRPT events collected, the daily reports sent.
  ["systemd/mailfort-tlsrpt-collect.service", "/etc/systemd/system/mailfort-tlsrpt-collect.service"],
  ["systemd/mailfort-tlsrpt-send.service", "/etc/systemd/system/mailfort-tlsrpt-send.service"],
  ["systemd/mailfort-tlsrpt-send.timer", "/etc/systemd/system/mailfort-tlsrpt-send.timer"],
  ["bin/mailfort-tlsrpt-collect", "/usr/local/sbin/mailfort-tlsrpt-collect", "0755"],
];

/** Dovecot's app-password passdb (auth.appPasswords). */
const APP_PASSWORD_FILES: ReadonlyArray<readonly [template: string, path: string]> = [
  ["dovecot/mailfort-app-passwords.lua", "/etc/dovecot/mailfort-app-passwords.lua"],
];

/** mailfort's Roundcube plugins, shipped verbatim into Roundcube's plugin directory. */
const PLUGIN_DIR = "/var/lib/roundcube/plugins";
const WEBMAIL_PLUGIN_FILES: ReadonlyArray<readonly [source: string, path: string]> = [
  "mailfort_totp/rfc6238.php", "mailfort_totp/totp_store.php", "mailfort_totp/mailfort_totp.php",
  "mailfort_totp/skins/elastic/templates/totp.html",
  "mailfort_app_passwords/app_password_store.php", "mailfort_app_passwords/mailfort_app_passwords.php",
  "mailfort_app_passwords/localization/en_US.inc",
].map((f) => [`roundcube/plugins/${f}`, `${PLUGIN_DIR}/${f}`] as const);

/** Scripts, shipped verbatim (they read /etc/mailfort/mailfort.env for stack values). */
const SCRIPTS: ReadonlyArray<readonly [source: string, path: string]> = [
  ["bin/mailfort-boot", "/usr/local/sbin/mailfort-boot"],
  ["bin/mailfort-sync", "/usr/local/sbin/mailfort-sync"],
  ["bin/mailfort-cert", "/usr/local/sbin/mailfort-cert"],
  ["bin/mailfort-secrets", "/usr/local/sbin/mailfort-secrets"],
  ["bin/mailfort-metrics", "/usr/local/sbin/mailfort-metrics"],
  ["bin/mailfort-containment", "/usr/local/sbin/mailfort-containment"],
  ["bin/mailfort-reports", "/usr/local/sbin/mailfort-reports"],
];

/** Python modules the scripts import (mailfort-metrics: sys.path has /usr/local/lib/mailfort). */
const LIBRARIES: ReadonlyArray<readonly [source: string, path: string]> = [
  ["lib/mailfort_collectors.py", "/usr/local/lib/mailfort/mailfort_collectors.py"],
];

/** The report reader bundle (configs/lib, generated by `npm run build:reports-host`) and where it lands. */
const REPORTS_READER_SOURCE = "lib/mailfort-reports.cjs";
export const REPORTS_READER_PATH = "/usr/local/lib/mailfort/mailfort-reports.cjs";

/** What the user data itself writes: the stack's values (which pin the bundle: its parameter count
 * and digest) and the installer, which fetches exactly those parameters. Neither grows with the
 * stack; everything else, the secret fetch included, comes in the bundle. */
const BOOTSTRAP_ENV: readonly [template: string, path: string] = ["mailfort/mailfort.env", "/etc/mailfort/mailfort.env"];
const BOOTSTRAP_SCRIPTS: ReadonlyArray<readonly [source: string, path: string]> = [
  ["bin/mailfort-host-files", "/usr/local/sbin/mailfort-host-files"],
];

/** The host's files, split by how they travel: the bootstrap in the user data, the rest in SSM. */
export interface HostRendering {
  readonly bootstrap: readonly HostFile[];
  readonly bundle: HostBundle;
}

export function renderHost(cfg: MailConfig): HostRendering {
  const bundle = packHostBundle(renderBundleFiles(cfg));
  const view = { ...hostView(cfg), hostBundle: { sha256: bundle.sha256, parts: bundle.chunks.length } };
  const [envTemplate, envPath] = BOOTSTRAP_ENV;
  const bootstrap: HostFile[] = [
    { path: envPath, mode: "0644", owner: "root:root", content: stripComments(envTemplate, renderTemplate(envTemplate, view)) },
    ...BOOTSTRAP_SCRIPTS.map(([source, path]): HostFile => ({ path, mode: "0755", owner: "root:root", content: stripComments(source, readStatic(source)) })),
  ];
  return { bootstrap, bundle };
}

/** Every file that lands on the host, bootstrap first, in the order the host writes them. */
export function renderHostFiles(cfg: MailConfig): HostFile[] {
  const { bootstrap, bundle } = renderHost(cfg);
  return [...bootstrap, ...bundle.files];
}

/** The files that travel in the host bundle. Pure apart from reading configs/. */
function renderBundleFiles(cfg: MailConfig): HostFile[] {
  const view = hostView(cfg);
  const templates = [
    ...TEMPLATES, ...(cfg.outbound.mode === "direct" ? OUTBOUND_TLS_TEMPLATES : []),
    ...(cfg.features.webmail ? WEBMAIL_TEMPLATES : []), ...(cfg.auth.appPasswords ? APP_PASSWORD_FILES : []),
  ];
  const files: HostFile[] = templates.map(([template, path, mode]) => ({
    path, mode: mode ?? "0644", owner: "root:root", content: stripComments(template, renderTemplate(template, view)),
  }));
  if (cfg.features.webmail) {
    for (const [source, path] of WEBMAIL_PLUGIN_FILES) files.push({ path, mode: "0644", owner: "root:root", content: stripComments(source, readStatic(source)) });
  }
  // Served by nginx: one MTA-STS policy per mail domain, one autoconfig and autodiscover for all.
  for (const domain of view.domains) {
    const d = cfg.domains.find((x) => x.name === domain.name);
    if (!d) throw new Error(`host renderer: domain ${domain.name} vanished from the config`);
    files.push({ path: `/var/www/mailfort/mta-sts/mta-sts.${d.name}.txt`, mode: "0644", owner: "root:root", content: checkedPolicy(mtaStsPolicy(cfg, d)) });
  }
  files.push(
    { path: "/var/www/mailfort/config-v1.1.xml", mode: "0644", owner: "root:root", content: renderTemplate("nginx/autoconfig.xml", view) },
    { path: "/var/www/mailfort/autodiscover.xml", mode: "0644", owner: "root:root", content: renderTemplate("nginx/autodiscover.xml", view) },
    // The certificate's names, one a line (mailfort-boot cert-sans): the same list the stack
    // scopes the ACME challenge permissions to, computed once.
    { path: "/etc/mailfort/certificate-names", mode: "0644", owner: "root:root", content: checkedNames(certificateNames(cfg)) },
    // The DNSBL zones mailfort-metrics asks about the server's own address (antispam.dnsbls),
    // one a line: the lists the stack trusts to judge others are the ones that can hurt it.
    { path: "/etc/mailfort/dnsbl-zones", mode: "0644", owner: "root:root", content: checkedNames(view.dnsbls.map((b) => b.zone), "DNSBL zone") },
  );
  for (const [source, path] of SCRIPTS) {
    files.push({ path, mode: "0755", owner: "root:root", content: stripComments(source, readStatic(source)) });
  }
  for (const [source, path] of LIBRARIES) {
    files.push({ path, mode: "0644", owner: "root:root", content: stripComments(source, readStatic(source)) });
  }
  // The report reader: one generated, minified JavaScript file, shipped byte for byte (its comments
  // are its header; there is nothing to strip). Committed and test-checked, not built here: see
  // tools/reports-host-bundle.ts.
  files.push({ path: REPORTS_READER_PATH, mode: "0644", owner: "root:root", content: readStatic(REPORTS_READER_SOURCE) });
  return files;
}

/** One DNS name a line; the renderer checks them like every value it writes (assertSafeView's rule). */
function checkedNames(names: readonly string[], what = "certificate name"): string {
  const bad = names.find((n) => !/^[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?$/.test(n));
  if (bad !== undefined) throw new Error(`host renderer: ${what} ${JSON.stringify(bad)} is not a DNS name`);
  return `${names.join("\n")}\n`;
}

/** The MTA-STS policy comes from the dns module; the renderer still checks what it serves. */
function checkedPolicy(text: string): string {
  if (!/^(?:[a-z_]+: [A-Za-z0-9.*-]+\r\n)+$/.test(text)) {
    throw new Error(`host renderer: MTA-STS policy ${JSON.stringify(text)} has unexpected characters`);
  }
  return text;
}
