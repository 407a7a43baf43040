// The template view: every value the configs/ templates may use, computed from MailConfig.
// Plain data only (strings, numbers, booleans, arrays, objects); assertSafeView checks it all.
import { type MailConfig, mailDomains, ssmPrefix } from "../../config";
import { inboundPorts } from "../ports";
import { HOST_METRICS_NAMESPACE, metricsEnvTokens } from "../host-metrics";
import {
  POSTFIX_QUEUE_DIR, REPORTS_ID, REPORTS_LIMITS, REPORTS_STORE_SUBDIR, REPORTS_TRANSPORT, REPORTS_USER, REPORTS_WINDOW_DAYS, TLSRPT_EVENTS_SUBDIR, TLSRPT_SOCKET_NAME,
  renderedOwnSources, reportAddresses, tlsReportSender,
} from "../reports-host";

/** Where the data volume is mounted; everything that must survive the instance lives below it. */
export const DATA_DIR = "/srv/mailfort";
/** Filesystems whose usage the host publishes and the alarms watch: root disk, data volume. */
export const WATCHED_MOUNTS = ["/", DATA_DIR] as const;
/** The webmail's idle session lifetime: short, so an unattended browser soon asks again. */
const WEBMAIL_SESSION_MINUTES = 15;
/** Fixed uid/gid of the virtual mail owner, so a re-attached data volume keeps its owner. */
const VMAIL_ID = 5000;

/** Mozilla "intermediate" v6 (TLS 1.2 part): ECDHE key exchange with AEAD ciphers only, no DHE. */
const MOZILLA_INTERMEDIATE_CIPHERS = [
  "ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-RSA-AES128-GCM-SHA256",
  "ECDHE-ECDSA-AES256-GCM-SHA384", "ECDHE-RSA-AES256-GCM-SHA384",
  "ECDHE-ECDSA-CHACHA20-POLY1305", "ECDHE-RSA-CHACHA20-POLY1305",
].join(":");

/** nginx hashes its server names in buckets of a cache line (64 bytes) and at most 512 of them:
 * too small for hundreds of names (three per mail domain) or long ones. Sized from the names. */
function serverNamesHash(names: readonly string[]) {
  const pow2 = (n: number) => 2 ** Math.ceil(Math.log2(n));
  const longest = Math.max(0, ...names.map((n) => n.length));
  // A bucket entry is a pointer, the name and 2 bytes, pointer-aligned; a bucket ends in a pointer.
  return { maxSize: Math.max(512, pow2(names.length * 2)), bucketSize: Math.max(64, pow2(longest + 2 + 8 + 8 + 8)) };
}

export function hostView(cfg: MailConfig) {
  // No DKIM selector here: which key signs changes at a rotation step, so it travels in an SSM
  // parameter the host syncs (infra/core/dkim-signing.ts), not in the bundle the user data pins.
  const domains = mailDomains(cfg).map((d) => ({ name: d.name }));
  const pop3 = cfg.features.pop3;
  // The ports the security group opens, and so the host firewall too (paper objective 5:
  // firewall), in numeric order.
  const tcpPorts = inboundPorts(cfg).filter((r) => r.protocol === "tcp").map((r) => r.port).sort((a, b) => a - b);
  return {
    hostname: cfg.hostname,
    stack: cfg.stack,
    region: cfg.region,
    environment: cfg.environment,
    ssmPrefix: ssmPrefix(cfg),
    dataDir: DATA_DIR,
    vmailId: VMAIL_ID,
    ciphers: MOZILLA_INTERMEDIATE_CIPHERS,
    primaryDomain: domains[0]?.name ?? cfg.domains[0].name,
    domains,
    serverNamesHash: serverNamesHash(domains.flatMap((d) => ["mta-sts", "autoconfig", "autodiscover"].map((p) => `${p}.${d.name}`))),
    tcpPorts,
    pop3,
    clamav: cfg.features.clamav,
    ipv6: cfg.features.ipv6,
    limits: { ...cfg.limits, messageSizeBytes: cfg.limits.messageSizeMb * 1024 * 1024 },
    containment: cfg.containment,
    // The firewall's per-source flood guard sits well above Postfix's finer anvil limit.
    firewallNewConnPerMinute: cfg.limits.connectionsPerMinute * 2,
    bruteForce: cfg.bruteForce,
    dnsbls: cfg.antispam.dnsbls.map((b) => ({ zone: b.zone, weight: b.weight, filter: b.filter ?? "" })),
    dnsblThreshold: cfg.antispam.dnsblThreshold,
    // smtpd's second look on port 25 (main.cf): the allow lists, and the block lists that refuse alone.
    dnswls: cfg.antispam.dnsbls.filter((b) => b.weight < 0).map((b) => ({ zone: b.zone, filter: b.filter ?? "" })),
    dnsblsAlone: cfg.antispam.dnsbls.filter((b) => b.weight >= cfg.antispam.dnsblThreshold).map((b) => ({ zone: b.zone, filter: b.filter ?? "" })),
    greylisting: cfg.antispam.greylisting,
    ses: cfg.outbound.mode === "ses",
    sesRegion: cfg.outbound.sesRegion ?? cfg.region,
    tlsMode: cfg.tls.mode,
    acmeEmail: cfg.tls.acmeEmail ?? `postmaster@${domains[0]?.name ?? cfg.domains[0].name}`,
    acmeDirectory: cfg.tls.acmeDirectory ?? "",
    metricsNamespace: HOST_METRICS_NAMESPACE,
    // collector:name:unit per metric (mailfort-metrics publishes exactly these; host-metrics.ts).
    metrics: metricsEnvTokens(),
    watchedMounts: [...WATCHED_MOUNTS],
    // Empty unless restoring: then the line it adds to the env file is what replaces the instance.
    restoredFrom: cfg.dataVolume.restoreFrom ?? "",
    webmail: cfg.features.webmail,
    webmailTotp: cfg.auth.webmailTotp === "required",
    appPasswords: cfg.auth.appPasswords,
    webmailSessionMinutes: WEBMAIL_SESSION_MINUTES,
    // The report reader (infra/core/reports-host.ts): the addresses Postfix pipes into it, its
    // user, store and limits, and the own sources known at render time.
    reports: {
      addresses: reportAddresses(cfg), user: REPORTS_USER, id: REPORTS_ID, transport: REPORTS_TRANSPORT,
      store: `${DATA_DIR}/${REPORTS_STORE_SUBDIR}`, windowDays: REPORTS_WINDOW_DAYS, own: renderedOwnSources(cfg),
      heapMb: REPORTS_LIMITS.heapMb, addressSpaceBytes: REPORTS_LIMITS.addressSpaceMb * 1024 * 1024,
      processes: REPORTS_LIMITS.processes, timeLimitSeconds: REPORTS_LIMITS.timeLimitSeconds, mailMaxBytes: REPORTS_LIMITS.mailMb * 1024 * 1024,
      // Outbound TLS reports: Postfix's events, their socket, the reports' sender.
      tlsEvents: `${DATA_DIR}/${REPORTS_STORE_SUBDIR}/${TLSRPT_EVENTS_SUBDIR}`, tlsSocketName: TLSRPT_SOCKET_NAME,
      tlsSocket: `${POSTFIX_QUEUE_DIR}/${TLSRPT_SOCKET_NAME}`, tlsSocketDir: `${POSTFIX_QUEUE_DIR}/${TLSRPT_SOCKET_NAME.replace(/\/[^/]+$/, "")}`,
      tlsFrom: tlsReportSender(cfg),
    },
  };
}

export type HostView = ReturnType<typeof hostView>;
