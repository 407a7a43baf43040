// The `mailfort:` stack configuration, as a schema. Every field has a safe default where one
// exists; everything that reaches a generated file is held to the strict shapes in names.ts.
// Messages carry "problem" and "fix" separated by FIX_SEP (see issues.ts).
import { z } from "zod";
import {
  DNSBL_FILTER_RE, SECRET_KEY_RE, isDomainName, isIpv4, isIpv4Cidr, isIpv6OrCidr, isMailAddress,
} from "./names";

/**
 * Domains per stack (see the note at `domains`). Each domain adds ~28 gzip bytes of user data;
 * 40 domains with POP3, IPv6 and custom selectors render 16.2 of EC2's 16 KiB (test/host/render:
 * "max-domains"); the benchmark found 60 no longer fit. Longer names are still caught by
 * renderUserData's size check, with the same fix.
 */
export const MAX_DOMAINS = 40;
const DLM_INTERVALS: readonly number[] = [1, 2, 3, 4, 6, 8, 12, 24];

export const FIX_SEP = "\u0000";
const say = (problem: string, fix: string): string => `${problem}${FIX_SEP}${fix}`;

const domainName = z.string().refine(isDomainName, {
  error: (iss) => say(`${JSON.stringify(iss.input)} is not a valid lowercase domain name`,
    "use lowercase letters, digits and inner hyphens in dot-separated labels, e.g. example.com"),
});
const mailAddress = z.string().refine(isMailAddress, {
  error: (iss) => say(`${JSON.stringify(iss.input)} is not a plain lowercase mail address`,
    "write local@domain using a-z 0-9 . _ + - in the local part (no quotes, spaces, %, ! or uppercase)"),
});
const secretKey = z.string().regex(SECRET_KEY_RE, {
  error: say("is not a usable config key name", "use letters, digits, '-' or '_', starting with a letter, e.g. alice-password"),
});
const ipOrCidr = z.string().refine((v) => isIpv4(v) || isIpv4Cidr(v) || isIpv6OrCidr(v), {
  error: (iss) => say(`${JSON.stringify(iss.input)} is not an IP address or CIDR`, "write e.g. 203.0.113.7, 198.51.100.0/24 or 2001:db8::/32"),
});
const int = (min: number, max: number, unit: string) =>
  z.number().int().min(min, { error: say(`must be at least ${min} ${unit}`, `set a value between ${min} and ${max}`) })
    .max(max, { error: say(`must be at most ${max} ${unit}`, `set a value between ${min} and ${max}`) });

export const dmarcSchema = z.strictObject({
  /** p= for the domain; reject is the default because these domains are fully under our control. */
  policy: z.enum(["none", "quarantine", "reject"]).default("reject"),
  /** sp= for subdomains; defaults to the domain policy. */
  subdomainPolicy: z.enum(["none", "quarantine", "reject"]).optional(),
  /** Aggregate report recipients (rua=mailto:...). Defaults to postmaster@<domain>. */
  rua: z.array(mailAddress).max(5).optional(),
  /** Failure report recipients (ruf=mailto:...). Off by default: they carry message content. */
  ruf: z.array(mailAddress).max(5).default([]),
  /** pct= share of failing mail the policy applies to. */
  pct: int(1, 100, "percent").default(100),
  /** Alignment modes; relaxed is the common choice and still blocks foreign domains. */
  adkim: z.enum(["r", "s"]).default("r"),
  aspf: z.enum(["r", "s"]).default("r"),
});

export const mtaStsSchema = z.strictObject({
  /** enforce: senders must use TLS with a valid certificate to reach us (RFC 8461). */
  mode: z.enum(["enforce", "testing", "none"]).default("enforce"),
  /** How long senders cache the policy, in days (RFC 8461 recommends weeks; 7 is a safe start). */
  maxAgeDays: int(1, 365, "days").default(7),
});

export const domainSchema = z.strictObject({
  name: domainName,
  /** An existing Route53 hosted zone id; without it mailfort creates (and owns) a zone. */
  zoneId: z.string().regex(/^Z[A-Z0-9]{1,31}$/, { error: say("is not a Route53 hosted zone id", "copy it from `aws route53 list-hosted-zones`, e.g. Z0123456789ABCDEFGHIJ, or remove it to create a zone") }).optional(),
  /** false = a parked domain: null MX, `v=spf1 -all`, DMARC reject; no mailboxes. */
  sendsMail: z.boolean().default(true),
  /** DKIM selector; change it to rotate keys (old and new can overlap). */
  dkimSelector: z.string().regex(/^[a-z0-9](?:[a-z0-9-]{0,30}[a-z0-9])?$/, { error: say("is not a valid DKIM selector", "use lowercase letters, digits and inner hyphens, e.g. mail2026") }).default("mail"),
  dmarc: dmarcSchema.prefault({}),
  mtaSts: mtaStsSchema.prefault({}),
  /** TLS-RPT report recipients (RFC 8460). Defaults to postmaster@<domain>. */
  tlsRptRua: z.array(mailAddress).max(5).optional(),
});

export const mailboxSchema = z.strictObject({
  address: mailAddress,
  /** Dovecot quota in MiB. */
  quotaMb: int(1, 1_048_576, "MiB").default(2048),
  /** Name of the secret stack config key holding this mailbox's password hash
   * (`pulumi config set --secret <key> '{ARGON2ID}$argon2id$...'`, e.g. from `doveadm pw -s ARGON2ID`). */
  passwordHashSecret: secretKey,
});

export const aliasSchema = z.strictObject({
  from: mailAddress,
  to: z.array(mailAddress).min(1, { error: say("has no targets", "list at least one address under `to`") }).max(50),
});

export const instanceSchema = z.strictObject({
  /** t4g.small (2 vCPU Graviton, 2 GiB) runs the default stack with room to spare. */
  type: z.string().regex(/^[a-z][a-z0-9-]*\.[a-z0-9]+$/, { error: say("is not an EC2 instance type", "write e.g. t4g.small or t3.small") }).default("t4g.small"),
  arch: z.enum(["arm64", "amd64"]).default("arm64"),
  rootVolumeGb: int(8, 1024, "GiB").default(10),
  /** The separate, encrypted, retained volume that holds mail, queue, Rspamd/Redis state and ACME. */
  dataVolumeGb: int(1, 16_384, "GiB").default(20),
  /** Allow an EC2 key pair (SSH is never opened; this only exists for break-glass serial console). */
  keyPairName: z.undefined({ error: say("key pairs are not supported", "remove it: admin access is through SSM Session Manager (see README)") }).optional(),
});

export const networkSchema = z.strictObject({
  /** Use an existing public subnet instead of creating a VPC. */
  subnetId: z.string().regex(/^subnet-[0-9a-f]{8,17}$/, { error: say("is not a subnet id", "write e.g. subnet-0123456789abcdef0, or remove it to create a VPC") }).optional(),
  /** CIDR of the VPC mailfort creates (ignored with subnetId). */
  vpcCidr: z.string().refine(isIpv4Cidr, { error: say("is not an IPv4 CIDR", "write e.g. 10.42.0.0/24") }).default("10.42.0.0/24"),
  availabilityZone: z.string().regex(/^[a-z]{2}(-[a-z]+)+-[0-9][a-z]$/, { error: say("is not an availability zone name", "write e.g. eu-west-1a, or remove it") }).optional(),
});

export const tlsSchema = z.strictObject({
  /** acme: Let's Encrypt via certbot dns-route53 on the host; self-signed: a stack-made CA (lab, previews). */
  mode: z.enum(["acme", "acme-staging", "self-signed"]).default("acme"),
  acmeEmail: mailAddress.optional(),
});

export const outboundSchema = z.strictObject({
  /** direct: deliver from this host (needs AWS to lift the port-25 block); ses: relay through Amazon SES on 587. */
  mode: z.enum(["direct", "ses"]).default("direct"),
  /** SES region when it differs from the stack region. */
  sesRegion: z.string().regex(/^[a-z]{2}(-[a-z]+)+-[0-9]$/, { error: say("is not an AWS region", "write e.g. eu-west-1") }).optional(),
});

export const featuresSchema = z.strictObject({
  pop3: z.boolean().default(false),
  /** ClamAV needs ~1.2 GiB of RAM for its signatures: choose at least a t4g.medium with it. */
  clamav: z.boolean().default(false),
  ipv6: z.boolean().default(false),
  dnssec: z.boolean().default(false),
});

export const limitsSchema = z.strictObject({
  /** Postfix message_size_limit. */
  messageSizeMb: int(1, 100, "MiB").default(25),
  /** Postfix smtpd_recipient_limit. */
  recipientsPerMessage: int(1, 1000, "recipients").default(50),
  /** anvil: new connections per client per minute (smtpd_client_connection_rate_limit). */
  connectionsPerMinute: int(1, 1000, "connections").default(30),
  /** anvil: simultaneous connections per client (smtpd_client_connection_count_limit). */
  concurrentConnectionsPerClient: int(1, 100, "connections").default(10),
  /** anvil: messages per client per minute (smtpd_client_message_rate_limit). */
  messagesPerMinute: int(1, 10_000, "messages").default(60),
  /** anvil: AUTH commands per client per minute (smtpd_client_auth_rate_limit). */
  authAttemptsPerMinute: int(1, 1000, "attempts").default(10),
  /** Rspamd ratelimit: messages one authenticated user may send per hour. */
  outboundPerUserPerHour: int(1, 100_000, "messages").default(200),
});

export const bruteForceSchema = z.strictObject({
  /** fail2ban: failures within findMinutes that trigger a ban. */
  maxRetry: int(1, 100, "failures").default(5),
  findMinutes: int(1, 1440, "minutes").default(10),
  /** First ban; repeat offenders get increasing bans (bantime.increment), recidive catches the rest. */
  banMinutes: int(1, 10_080, "minutes").default(60),
  /** Never banned (e.g. your office). */
  ignoreIps: z.array(ipOrCidr).max(50).default([]),
});

export const dnsblSchema = z.strictObject({
  zone: domainName,
  /** postscreen weight; negative for allowlists such as list.dnswl.org. */
  weight: z.number().int().min(-10).max(10),
  /** Postfix filter on the returned address, e.g. 127.0.0.[2..11]. */
  filter: z.string().regex(DNSBL_FILTER_RE, { error: say("is not a postscreen DNSBL filter", "write e.g. 127.0.0.[2..11] or 127.0.0.2") }).optional(),
});

export const antispamSchema = z.strictObject({
  /** Weighted DNSBLs for postscreen. The default needs no account (Spamhaus: free for low volume via your own resolver). */
  dnsbls: z.array(dnsblSchema).max(20).default([
    { zone: "zen.spamhaus.org", weight: 3, filter: "127.0.0.[2..11]" },
    { zone: "bl.mailspike.net", weight: 2, filter: "127.0.0.[10..14]" },
    { zone: "psbl.surriel.com", weight: 2 },
    { zone: "list.dnswl.org", weight: -2, filter: "127.0.[0..255].[1..3]" },
  ]),
  /** postscreen_dnsbl_threshold: the summed weight at which a client is refused. */
  dnsblThreshold: int(1, 20, "points").default(3),
  greylisting: z.boolean().default(true),
  /** Local block lists (paper: "maintain a local blacklist"). */
  blockIps: z.array(ipOrCidr).max(1000).default([]),
  blockDomains: z.array(domainName).max(1000).default([]),
  blockUrlHosts: z.array(domainName).max(1000).default([]),
  /** Local allow lists: never greylisted or rejected on reputation. */
  allowIps: z.array(ipOrCidr).max(1000).default([]),
  allowDomains: z.array(domainName).max(1000).default([]),
});

export const backupsSchema = z.strictObject({
  enabled: z.boolean().default(true),
  /** Snapshot every N hours (DLM supports 1, 2, 3, 4, 6, 8, 12, 24). */
  intervalHours: z.number().refine((n) => DLM_INTERVALS.includes(n), { error: say("is not an interval DLM supports", `use one of ${DLM_INTERVALS.join(", ")}`) }).default(24),
  /** Time of the first snapshot of the day, UTC, HH:MM. */
  timeUtc: z.string().regex(/^(?:[01][0-9]|2[0-3]):[0-5][0-9]$/, { error: say("is not a HH:MM time", "write e.g. 03:00") }).default("03:00"),
  retainCount: int(1, 1000, "snapshots").default(14),
});

export const policySchema = z.strictObject({
  /** Relax a policy (by id) for this stack; the reason is printed with every result. */
  relax: z.array(z.strictObject({
    id: z.string().regex(/^[a-z0-9-]+$/, { error: say("is not a policy id", "copy the id from `npm run policy` output") }),
    reason: z.string().min(10, { error: say("reason is too short", "say in a sentence why this stack may relax the policy") }).max(300),
    /** Turn a mandatory policy advisory instead of off. */
    level: z.enum(["advisory", "disabled"]).default("advisory"),
  })).default([]),
});

/** Check groups verify may run after `pulumi up`, from the deployer's machine. */
export const VERIFY_AFTER_DEPLOY_GROUPS = ["client", "client-relay"] as const;
const verifyGroup = z.string().refine((v) => (VERIFY_AFTER_DEPLOY_GROUPS as readonly string[]).includes(v), {
  error: (iss) => say(`${JSON.stringify(iss.input)} is not a group verify runs after a deploy`,
    "use client (the default: DNS, TLS, auth, limits, content, delivery) or client-relay (the relay battery: it gets the deploying address banned by fail2ban unless that address is in bruteForce.ignoreIps); attacker and the replacement groups run only in the lab (npm run lab)"),
});

export const verifyAfterDeploySchema = z.strictObject({
  /** Opt-in: after `pulumi up`, a local command on the deployer's machine runs verify against the new server. */
  enabled: z.boolean().default(false),
  /** verify groups, run in this order (client-relay always last). */
  groups: z.array(verifyGroup).min(1, { error: say("lists no group", "list at least client, or set enabled: false") }).max(VERIFY_AFTER_DEPLOY_GROUPS.length).default(["client"]),
  /** Only checks whose id starts with one of these (verify --only); empty = every check of the groups. */
  only: z.array(z.string().regex(/^[a-z0-9][a-z0-9.-]*$/, { error: say("is not a check id prefix", "copy ids from `npm run verify -- --host <h> --domain <d> --list`, e.g. tls-25 or dns-") })).max(50).default([]),
  /** How long to wait for the new instance to greet on port 25 (and present a trusted certificate) before verifying. */
  waitMinutes: int(1, 120, "minutes").default(20),
  /** fail: a failing check fails `pulumi up`; report: the deploy succeeds and the failures are only in the `verification` output. */
  onFailure: z.enum(["fail", "report"]).default("fail"),
  /** DNS servers verify asks (IPv4); default: the deployer's system resolver. */
  resolvers: z.array(z.string().refine(isIpv4, { error: say("is not an IPv4 address", "write e.g. 1.1.1.1") })).max(5).default([]),
  /** Test mailboxes for the auth, send-as and delivery checks (two enable send-as). The password is a
   * secret stack config key: `pulumi config set --secret <passwordSecret> '<password>'`. */
  mailboxes: z.array(z.strictObject({ address: mailAddress, passwordSecret: secretKey })).max(2).default([]),
});

/** The whole `mailfort:` namespace. Keys are the config keys after the `mailfort:` prefix. */
export const mailConfigSchema = z.strictObject({
  region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-[0-9]$/, { error: say("is not an AWS region", "write e.g. eu-west-1") }),
  /** dev, staging, prod, lab: prod tightens policies (e.g. DMARC must be reject). */
  environment: z.enum(["dev", "staging", "prod", "lab"]).default("dev"),
  /** The mail server's name: MX target, PTR, certificate name, HELO. */
  hostname: domainName,
  domains: z.array(domainSchema).min(1, { error: say("lists no domains", "add at least one entry under mailfort:domains") })
    // One host's user data (16 KiB) and instance role policies hold about 75 domains; keep headroom.
    .max(MAX_DOMAINS, { error: say(`lists more than ${MAX_DOMAINS} domains, more than one server's user data and IAM policies hold`, "split the domains over several stacks (see the MSP fleet section of README.md)") }),
  mailboxes: z.array(mailboxSchema).max(5000).default([]),
  aliases: z.array(aliasSchema).max(5000).default([]),
  instance: instanceSchema.prefault({}),
  network: networkSchema.prefault({}),
  tls: tlsSchema.prefault({}),
  outbound: outboundSchema.prefault({}),
  features: featuresSchema.prefault({}),
  limits: limitsSchema.prefault({}),
  bruteForce: bruteForceSchema.prefault({}),
  antispam: antispamSchema.prefault({}),
  backups: backupsSchema.prefault({}),
  /** Where CloudWatch alarms are sent (SNS e-mail subscription). */
  alarmEmail: mailAddress.optional(),
  policy: policySchema.prefault({}),
  verifyAfterDeploy: verifyAfterDeploySchema.prefault({}),
});

export type RawMailConfig = z.input<typeof mailConfigSchema>;
export type ParsedMailConfig = z.output<typeof mailConfigSchema>;
