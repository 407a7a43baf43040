// The `mailfort:` stack configuration, as a schema. Every field has a safe default where one
// exists; everything that reaches a generated file is held to the strict shapes in names.ts.
// Messages carry "problem" and "fix" separated by FIX_SEP (see zod-issues.ts). Each field's
// description lives here, once: docs/configuration.md is generated from it (npm run docs).
import { z } from "zod";
import {
  DNSBL_FILTER_RE, SECRET_KEY_RE, STACK_RE, isDomainName, isIpv4, isIpv4Cidr, isMailAddress,
} from "./names";
import { normaliseIpOrCidr } from "./ip";
import { isSnapshotId } from "./snapshot-id";

/**
 * Domains per stack (see the note at `domains`). The user data no longer grows with them (per-domain
 * files travel in the host bundle, from SSM). What bounds a stack now: the instance role's ACME
 * permissions (its managed policies hold 200 zones of names up to ~25 characters; more, or longer,
 * are refused before any resource is created, infra/aws/acme-policies.ts) and the deploy itself
 * (~15 resources per domain).
 */
export const MAX_DOMAINS = 200;
const DLM_INTERVALS: readonly number[] = [1, 2, 3, 4, 6, 8, 12, 24];

export const FIX_SEP = "\u0000";
const say = (problem: string, fix: string): string => `${problem}${FIX_SEP}${fix}`;

const domainName = z.string().refine(isDomainName, {
  error: (iss) => say(`${JSON.stringify(iss.input)} is not a valid lowercase domain name`,
    "use lowercase letters, digits and inner hyphens in dot-separated labels, e.g. example.com"),
}).meta({ format: "domain name" });
const mailAddress = z.string().refine(isMailAddress, {
  error: (iss) => say(`${JSON.stringify(iss.input)} is not a plain lowercase mail address`,
    "write local@domain using a-z 0-9 . _ + - in the local part (no quotes, spaces, %, ! or uppercase)"),
}).meta({ format: "mail address" });
const secretKey = z.string().regex(SECRET_KEY_RE, {
  error: say("is not a usable config key name", "use letters, digits, '-' or '_', starting with a letter, e.g. alice-password"),
}).meta({ format: "config key" });
// Any case on input; resolve() writes it out in canonical form (lowercase IPv6, "::" for the
// longest zero run). No transform here: the docs read the schema's input side, defaults included.
const ipOrCidr = z.string().refine((v) => normaliseIpOrCidr(v) !== undefined, {
  error: (iss) => say(`${JSON.stringify(iss.input)} is not an IP address or CIDR`, "write e.g. 203.0.113.7, 198.51.100.0/24 or 2001:db8::/32"),
}).meta({ format: "IP or CIDR" });
const awsRegion = z.string().regex(/^[a-z]{2}(-[a-z]+)+-[0-9]$/, { error: say("is not an AWS region", "write e.g. eu-west-1") }).meta({ format: "AWS region" });
const int = (min: number, max: number, unit: string) =>
  z.number().int().min(min, { error: say(`must be at least ${min} ${unit}`, `set a value between ${min} and ${max}`) })
    .max(max, { error: say(`must be at most ${max} ${unit}`, `set a value between ${min} and ${max}`) });

export const dmarcSchema = z.strictObject({
  policy: z.enum(["none", "quarantine", "reject"]).default("reject")
    .describe("DMARC p= for the domain; reject by default because the domain's mail is fully under this server's control (environment prod requires reject)"),
  subdomainPolicy: z.enum(["none", "quarantine", "reject"]).optional().describe("sp= for subdomains; default: the domain's policy"),
  rua: z.array(mailAddress).max(5).optional().describe("aggregate report recipients (rua=mailto:); default: dmarc-reports@<domain>, read on the host (docs/reports.md); other hosted ones must exist"),
  ruf: z.array(mailAddress).max(5).default([]).describe("failure report recipients (ruf=mailto:, with fo=1); off by default: they carry message content"),
  pct: int(1, 100, "percent").default(100).describe("pct=: share of failing mail the policy applies to (written only when below 100)"),
  adkim: z.enum(["r", "s"]).default("r").describe("DKIM alignment: relaxed is the common choice and still blocks foreign domains"),
  aspf: z.enum(["r", "s"]).default("r").describe("SPF alignment mode"),
});

export const mtaStsSchema = z.strictObject({
  mode: z.enum(["enforce", "testing", "none"]).default("enforce")
    .describe("MTA-STS policy mode (RFC 8461): enforce makes senders use TLS with a valid certificate; none withdraws a policy (keep it published)"),
  maxAgeDays: int(1, 365, "days").default(7).describe("how long senders cache the policy, in days (RFC 8461 recommends weeks; 7 is a safe start)"),
});

export const domainSchema = z.strictObject({
  name: domainName.describe("a domain this server serves (lowercase)"),
  zoneId: z.string().regex(/^Z[A-Z0-9]{1,31}$/, { error: say("is not a Route53 hosted zone id", "copy it from `aws route53 list-hosted-zones`, e.g. Z0123456789ABCDEFGHIJ, or remove it to create a zone") }).meta({ format: "hosted zone id" }).optional()
    .describe("an existing Route53 hosted zone to write into; without it mailfort creates (and owns) a zone"),
  sendsMail: z.boolean().default(true).describe("false parks the domain: null MX, `v=spf1 -all`, DMARC reject, every DKIM selector revoked; no mailboxes"),
  dkimSelector: z.string().regex(/^[a-z0-9](?:[a-z0-9-]{0,30}[a-z0-9])?$/, { error: say("is not a valid DKIM selector", "use lowercase letters, digits and inner hyphens, e.g. mail2026") }).meta({ format: "DKIM selector" }).default("mail")
    .describe("DKIM selector of key generation 0; generation N (dkim.rotation.generation) signs with `<dkimSelector>-gN`. Rotate keys with dkim.rotation, not by renaming this"),
  dmarc: dmarcSchema.prefault({}).describe("the domain's DMARC record"),
  mtaSts: mtaStsSchema.prefault({}).describe("the domain's MTA-STS policy"),
  tlsRptRua: z.array(mailAddress).max(5).optional().describe("TLS-RPT report recipients (RFC 8460); default: tls-reports@<domain>, read on the host (docs/reports.md)"),
});

export const mailboxSchema = z.strictObject({
  address: mailAddress.describe("the mailbox (its domain must be a mail domain of the stack)"),
  quotaMb: int(1, 1_048_576, "MiB").default(2048).describe("Dovecot quota in MiB"),
  passwordHashSecret: secretKey.describe("name of the SECRET config key holding the mailbox's Dovecot password hash, ARGON2ID or BLF-CRYPT with its {SCHEME} prefix: `pulumi config set --secret <key> \"$(doveadm pw -s ARGON2ID)\"`"),
});

export const aliasSchema = z.strictObject({
  from: mailAddress.describe("the alias address; postmaster@ and abuse@ are added per mail domain unless defined here"),
  to: z.array(mailAddress).min(1, { error: say("has no targets", "list at least one address under `to`") }).max(50).describe("where mail to the alias goes"),
});

export const instanceSchema = z.strictObject({
  type: z.string().regex(/^[a-z][a-z0-9-]*\.[a-z0-9]+$/, { error: say("is not an EC2 instance type", "write e.g. t4g.small or t3.small") }).meta({ format: "EC2 instance type" }).default("t4g.small")
    .describe("EC2 instance type; t4g.small (2 vCPU Graviton, 2 GiB) runs the default stack"),
  arch: z.enum(["arm64", "amd64"]).default("arm64").describe("CPU architecture of the Debian 13 AMI; must match the type (Graviton types are arm64)"),
  rootVolumeGb: int(8, 1024, "GiB").default(10).describe("encrypted gp3 root volume"),
  dataVolumeGb: int(1, 16_384, "GiB").default(20).describe("the separate, encrypted, retained volume for mail, queue, Rspamd/Redis state and the ACME account"),
  keyPairName: z.undefined({ error: say("key pairs are not supported", "remove it: admin access is through SSM Session Manager (see docs/operations.md)") }).optional()
    .describe("refused: there is no SSH and no key pair; admin access is SSM Session Manager"),
});

export const networkSchema = z.strictObject({
  subnetId: z.string().regex(/^subnet-[0-9a-f]{8,17}$/, { error: say("is not a subnet id", "write e.g. subnet-0123456789abcdef0, or remove it to create a VPC") }).meta({ format: "subnet id" }).optional()
    .describe("an existing public subnet to use instead of creating a VPC"),
  vpcCidr: z.string().refine(isIpv4Cidr, { error: say("is not an IPv4 CIDR", "write e.g. 10.42.0.0/24") }).meta({ format: "IPv4 CIDR" }).default("10.42.0.0/24").describe("CIDR of the VPC mailfort creates (ignored with subnetId)"),
  availabilityZone: z.string().regex(/^[a-z]{2}(-[a-z]+)+-[0-9][a-z]$/, { error: say("is not an availability zone name", "write e.g. eu-west-1a, or remove it") }).meta({ format: "availability zone" }).optional()
    .describe("availability zone of the subnet mailfort creates; default: the region's first"),
});

export const tlsSchema = z.strictObject({
  mode: z.enum(["acme", "acme-staging", "self-signed"]).default("acme")
    .describe("acme: Let's Encrypt through certbot's dns-route53 on the host; acme-staging: its untrusted staging CA; self-signed: a stack-made CA (quick lab runs, previews)"),
  acmeEmail: mailAddress.optional().describe("Let's Encrypt account contact (required for the acme modes)"),
  acmeDirectory: z.string().regex(/^https:\/\/[a-z0-9.-]+(:[0-9]{1,5})?(\/[A-Za-z0-9._/-]*)?$/, {
    error: say("is not an https URL of an ACME directory", "write e.g. https://acme-v02.api.letsencrypt.org/directory, or remove it for Let's Encrypt"),
  }).meta({ format: "https URL" }).optional()
    .describe("the ACME server's directory URL for tls.mode acme when the CA is not Let's Encrypt (the lab points it at its pebble)"),
});

export const outboundSchema = z.strictObject({
  mode: z.enum(["direct", "ses"]).default("direct")
    .describe("direct: deliver from this host, DANE first, then the receiver's MTA-STS policy, else opportunistic TLS (needs AWS to lift the port-25 block); ses: relay through Amazon SES on 587"),
  sesRegion: awsRegion.optional()
    .describe("SES region when it differs from the stack region"),
});

export const featuresSchema = z.strictObject({
  pop3: z.boolean().default(false).describe("POP3 over implicit TLS on 995 (never plaintext 110)"),
  clamav: z.boolean().default(false).describe("ClamAV virus scanning; it needs ~1.2 GiB of RAM for its signatures: choose at least a t4g.medium"),
  ipv6: z.boolean().default(false).describe("IPv6: a /56 for the VPC, an address for the instance, AAAA records"),
  dnssec: z.boolean().default(false).describe("DNSSEC signing of the zones mailfort creates (KMS key in us-east-1), and DANE TLSA for port 25"),
  webmail: z.boolean().default(true).describe("Roundcube webmail at https://<hostname>/ behind nginx, with an enforced TOTP second factor (docs/webmail.md); on by default"),
});

export const authSchema = z.strictObject({
  appPasswords: z.boolean().optional()
    .describe("app passwords: IMAP, POP3 and SMTP AUTH accept only per-device app passwords (made in the webmail, or serviceAppPasswords); the mailbox password then opens only the webmail, behind its second factor. Default: on in prod, off elsewhere"),
  webmailTotp: z.enum(["required", "off"]).default("required")
    .describe("the webmail's second factor: required (TOTP, RFC 6238; enrolment at the first sign-in) or off (prod only through policy.relax)"),
  serviceAppPasswords: z.array(z.strictObject({
    address: mailAddress.describe("the mailbox the service signs in as (one of mailfort:mailboxes)"),
    name: z.string().regex(/^[a-z0-9][a-z0-9-]{0,39}$/, { error: say("is not a short app password name", "use lowercase letters, digits and '-', e.g. backup-job") }).meta({ format: "name" })
      .describe("what the password is for, e.g. backup-job"),
    passwordHashSecret: secretKey.describe("name of the SECRET config key holding the app password's Dovecot hash (ARGON2ID or BLF-CRYPT, like mailbox passwords)"),
  })).max(200).default([]).describe("app passwords declared in the stack for service accounts (hash in SSM); users make their own in the webmail"),
});

export const limitsSchema = z.strictObject({
  messageSizeMb: int(1, 100, "MiB").default(25).describe("largest message, in MiB (Postfix message_size_limit)"),
  recipientsPerMessage: int(1, 1000, "recipients").default(50).describe("recipients per message (Postfix smtpd_recipient_limit)"),
  connectionsPerMinute: int(1, 1000, "connections").default(30)
    .describe("new connections per client per minute (anvil: smtpd_client_connection_rate_limit); the host firewall's per-source guard sits at twice this"),
  concurrentConnectionsPerClient: int(1, 100, "connections").default(10).describe("simultaneous connections per client (anvil: smtpd_client_connection_count_limit)"),
  messagesPerMinute: int(1, 10_000, "messages").default(60).describe("messages per client per minute (anvil: smtpd_client_message_rate_limit)"),
  authAttemptsPerMinute: int(1, 1000, "attempts").default(10).describe("AUTH commands per client per minute (anvil: smtpd_client_auth_rate_limit)"),
  outboundPerUserPerHour: int(1, 100_000, "messages").default(200).describe("messages one authenticated user may send per hour (Rspamd ratelimit)"),
});

/** The detector's trigger, as a multiple of limits.outboundPerUserPerHour (messages submitted in an hour). */
export const MAX_CONTAINMENT_FACTOR = 10;

export const containmentSchema = z.strictObject({
  enabled: z.boolean().default(true)
    .describe("suspend from sending, automatically, an authenticated user who behaves like a hijacked account (docs/operations.md#suspended-sender); submission then refuses that login with a 5xx. Off only with a reason in prod (policy.relax config-containment-off); suspending by hand (mailfort-containment suspend) works either way"),
  limitFactor: z.number().min(1, { error: say("must be at least 1", "set a factor between 1 and 10 (the default is 2): below 1 a user would be suspended before reaching the outbound limit") })
    .max(MAX_CONTAINMENT_FACTOR, { error: say(`must be at most ${MAX_CONTAINMENT_FACTOR}`, `set a factor between 1 and ${MAX_CONTAINMENT_FACTOR} (the default is 2)`) })
    .default(2)
    .describe("suspend a user who submits more than limits.outboundPerUserPerHour times this many messages within an hour (the ones Rspamd's limit held count too)"),
  rejectsPerHour: int(1, 100, "rejects").default(5)
    .describe("suspend a user whose outgoing mail Rspamd refuses permanently (5xx: spam, virus, block list) this many times within an hour"),
});

export const bruteForceSchema = z.strictObject({
  maxRetry: int(1, 100, "failures").default(5).describe("fail2ban: failures within findMinutes that trigger a ban"),
  findMinutes: int(1, 1440, "minutes").default(10).describe("fail2ban: the window in which failures count"),
  banMinutes: int(1, 10_080, "minutes").default(60).describe("the first ban; repeat offenders get longer ones (bantime.increment), and recidive bans for a week on all ports"),
  ignoreIps: z.array(ipOrCidr).max(50).default([]).describe("never banned (your office, a monitoring or verify host)"),
});

export const dnsblSchema = z.strictObject({
  zone: domainName.describe("the DNSBL's zone"),
  weight: z.number().int().min(-10).max(10).describe("postscreen weight; negative for allowlists such as list.dnswl.org"),
  filter: z.string().regex(DNSBL_FILTER_RE, { error: say("is not a postscreen DNSBL filter", "write e.g. 127.0.0.[2..11] or 127.0.0.2") }).meta({ format: "postscreen filter" }).optional()
    .describe("Postfix filter on the returned address, e.g. 127.0.0.[2..11]"),
});

export const antispamSchema = z.strictObject({
  dnsbls: z.array(dnsblSchema).max(20).default([
    { zone: "zen.spamhaus.org", weight: 3, filter: "127.0.0.[2..11]" },
    { zone: "bl.mailspike.net", weight: 2, filter: "127.0.0.[10..14]" },
    { zone: "psbl.surriel.com", weight: 2 },
    { zone: "list.dnswl.org", weight: -2, filter: "127.0.[0..255].[1..3]" },
  ]).describe("postscreen's weighted DNSBLs; the default needs no account (Spamhaus is free for low volume through the host's own resolver)"),
  dnsblThreshold: int(1, 20, "points").default(3).describe("the summed weight at which postscreen refuses a client (postscreen_dnsbl_threshold); smtpd on port 25 also refuses a client on any list whose weight alone reaches it"),
  greylisting: z.boolean().default(true).describe("Rspamd greylisting"),
  blockIps: z.array(ipOrCidr).max(1000).default([]).describe("local block list of client IPs and CIDRs (the paper's local blacklist)"),
  blockDomains: z.array(domainName).max(1000).default([]).describe("local block list of sender domains"),
  blockUrlHosts: z.array(domainName).max(1000).default([]).describe("local block list of URL hosts in message bodies"),
  allowIps: z.array(ipOrCidr).max(1000).default([]).describe("local allow list of client IPs: never greylisted or refused on reputation"),
  allowDomains: z.array(domainName).max(1000).default([]).describe("local allow list of sender domains (only with a DMARC pass)"),
});

const snapshotId = z.string().refine(isSnapshotId, {
  error: (iss) => say(`${JSON.stringify(iss.input)} is not an EBS snapshot id`, "copy it from `npm run restore -- pick --stack <name> --newest` or `aws ec2 describe-snapshots`, e.g. snap-0123456789abcdef0"),
}).meta({ format: "snapshot id" });

/** A cross-region copy of every snapshot (DLM allows three per schedule). */
export const crossRegionCopySchema = z.strictObject({
  region: awsRegion.describe("the region the copies go to (not the stack's own)"),
  retainDays: int(1, 3650, "days").default(30).describe("how long each copy is kept there, in days"),
});

export const backupsSchema = z.strictObject({
  enabled: z.boolean().default(true).describe("DLM snapshots of the data volume"),
  intervalHours: z.number().refine((n) => DLM_INTERVALS.includes(n), { error: say("is not an interval DLM supports", `use one of ${DLM_INTERVALS.join(", ")}`) }).default(24)
    .describe(`snapshot every N hours (one of ${DLM_INTERVALS.join(", ")}: what DLM supports)`),
  timeUtc: z.string().regex(/^(?:[01][0-9]|2[0-3]):[0-5][0-9]$/, { error: say("is not a HH:MM time", "write e.g. 03:00") }).meta({ format: "HH:MM" }).default("03:00").describe("time of the first snapshot of the day, UTC, HH:MM"),
  retainCount: int(1, 1000, "snapshots").default(14).describe("snapshots kept"),
  crossRegionCopies: z.array(crossRegionCopySchema).max(3, { error: say("lists more than 3 regions", "DLM copies a schedule's snapshots to at most 3 regions: keep 3") }).default([])
    .describe("copy every snapshot to these regions, encrypted with a key the stack makes there (docs/operations.md#restore, cost in docs/costs.md)"),
});

export const dataVolumeSchema = z.strictObject({
  restoreFrom: snapshotId.optional()
    .describe("restore: the next `pulumi up` creates the data volume from this snapshot (encrypted with the stack's data key) and moves a new instance onto it; the volume it replaces is kept, detached (docs/operations.md#restore)"),
  restoreFromStack: z.string().regex(STACK_RE, { error: say("is not a stack name", "write the name of the stack whose snapshot restoreFrom is, e.g. prod") }).meta({ format: "stack name" }).optional()
    .describe("the stack whose backup restoreFrom is, when not this one (e.g. a cross-region copy restored into a new stack)"),
  previous: z.string().refine((v) => v === "original" || v === "none" || isSnapshotId(v), {
    error: (iss) => say(`${JSON.stringify(iss.input)} is neither original, none nor a snapshot id`, "write original (the stack's first volume), the snapshot id of the restore before this one, or none once you have released it"),
  }).meta({ format: "original, none or snapshot id" }).default("original")
    .describe("the volume this restore replaced, kept detached, protected and retained: original, the snapshot id of an earlier restore, or none to let the stack forget it (`pulumi state unprotect` it first; it is never deleted)"),
});

export const policySchema = z.strictObject({
  relax: z.array(z.strictObject({
    id: z.string().regex(/^[a-z0-9-]+$/, { error: say("is not a policy id", "copy the id from `npm run policy` output") }).meta({ format: "policy id" }).describe("the policy's id (docs/policy-pack.md)"),
    reason: z.string().min(10, { error: say("reason is too short", "say in a sentence why this stack may relax the policy") }).max(300)
      .describe("why this stack may relax it; printed with every result"),
    level: z.enum(["advisory", "disabled"]).default("advisory").describe("advisory: still reported, no longer fails; disabled: not run (still listed, with the reason)"),
  })).default([]).describe("relax a mandatory policy for this stack"),
});

/** The retention periods CloudWatch Logs accepts (PutRetentionPolicy), in days. */
export const LOG_RETENTION_DAYS: readonly number[] = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653];

export const flowLogsSchema = z.strictObject({
  enabled: z.boolean().default(true)
    .describe("VPC flow logs of the network mailfort creates, to a KMS-encrypted CloudWatch Logs group (refused beside network.subnetId: that network's owner runs its flow logs)"),
  retentionDays: z.number().refine((n) => LOG_RETENTION_DAYS.includes(n), {
    error: say("is not a retention CloudWatch Logs supports", `use one of ${LOG_RETENTION_DAYS.join(", ")}`),
  }).default(90).describe(`how long flow records are kept, in days (one of ${LOG_RETENTION_DAYS.join(", ")}: what CloudWatch Logs supports)`),
  outboundSmtpPer5Min: int(10, 100_000, "connections").default(300)
    .describe("outbound port-25 connections from the instance in 5 minutes above which the burst alarm fires (a spam run from a hijacked account or a compromised host)"),
});

export const monitoringSchema = z.strictObject({
  guardduty: z.enum(["create", "existing", "off"]).default("create")
    .describe("create: this stack owns the account's GuardDuty detector in its region; existing: another stack or the account owner runs it (in a fleet, one stack per account and region says create, the others existing); off: no findings are routed (prod needs a policy relaxation with a reason). Findings of severity 4 (medium) and up about this stack's instance, its address or its role's credentials go to the alarm topic"),
  flowLogs: flowLogsSchema.prefault({}).describe("VPC flow logs and the outbound SMTP burst alarm"),
});

/** Check groups verify may run after `pulumi up`, from the deployer's machine. */
export const VERIFY_AFTER_DEPLOY_GROUPS = ["client", "client-relay"] as const;
const verifyGroup = z.string().refine((v) => (VERIFY_AFTER_DEPLOY_GROUPS as readonly string[]).includes(v), {
  error: (iss) => say(`${JSON.stringify(iss.input)} is not a group verify runs after a deploy`,
    "use client (the default: DNS, TLS, auth, limits, content, delivery) or client-relay (the relay battery: it gets the deploying address banned by fail2ban unless that address is in bruteForce.ignoreIps); attacker and the replacement groups run only in the lab (npm run lab)"),
}).meta({ format: "verify group" });

export const verifyAfterDeploySchema = z.strictObject({
  enabled: z.boolean().default(false).describe("opt-in: after `pulumi up`, a local command on the deployer's machine runs verify against the new server (docs/verify.md)"),
  groups: z.array(verifyGroup).min(1, { error: say("lists no group", "list at least client, or set enabled: false") }).max(VERIFY_AFTER_DEPLOY_GROUPS.length).default(["client"])
    .describe(`verify groups (${VERIFY_AFTER_DEPLOY_GROUPS.join(", ")}), run in this order, client-relay always last (it gets the deployer banned unless in bruteForce.ignoreIps)`),
  only: z.array(z.string().regex(/^[a-z0-9][a-z0-9.-]*$/, { error: say("is not a check id prefix", "copy ids from `npm run verify -- --host <h> --domain <d> --list`, e.g. tls-25 or dns-") }).meta({ format: "check id prefix" })).max(50).default([])
    .describe("only checks whose id starts with one of these (verify --only); empty: every check of the groups"),
  waitMinutes: int(1, 120, "minutes").default(20).describe("how long to wait for the new instance to greet on port 25 (and present a trusted certificate) before verifying"),
  onFailure: z.enum(["fail", "report"]).default("fail").describe("fail: a failing check fails `pulumi up`; report: the deploy succeeds, the failures are only in the `verification` output"),
  resolvers: z.array(z.string().refine(isIpv4, { error: say("is not an IPv4 address", "write e.g. 1.1.1.1") }).meta({ format: "IPv4 address" })).max(5).default([])
    .describe("DNS servers verify asks; default: the deployer's system resolver"),
  mailboxes: z.array(z.strictObject({
    address: mailAddress.describe("one of mailfort:mailboxes"),
    passwordSecret: secretKey.describe("a SECRET config key with the plain password: `pulumi config set --secret <key> '<password>'`"),
  })).max(2).default([]).describe("test mailboxes for the auth, send-as and delivery checks (two enable send-as)"),
});

/** Postfix's maximal_queue_lifetime (its default, 5 days): a message signed just before the
 * switch may sit in the queue this long, so the old key stays published at least this long. */
export const QUEUE_LIFETIME_HOURS = 120;

export const dkimRotationSchema = z.strictObject({
  generation: int(0, 9999, "(a key generation)").default(0)
    .describe("the DKIM key generation the domains should sign with; raise it by one to start a rotation (docs/dkim-rotation.md): each later `pulumi up` takes the next step when it is due. Generation 0 signs with `dkimSelector`, generation N with `<dkimSelector>-gN`"),
  marginMinutes: int(5, 10_080, "minutes").default(60)
    .describe("added to the DKIM record's TTL: how long a new public key is published before the host signs with it, and a revoked one before it is removed"),
  graceHours: int(QUEUE_LIFETIME_HOURS, 2160, "hours").default(168)
    .describe(`how long the old public key stays published after the host stopped signing with it (mail queued or in transit still verifies); at least Postfix's queue lifetime, ${QUEUE_LIFETIME_HOURS} hours`),
});

export const dkimSchema = z.strictObject({
  rotation: dkimRotationSchema.prefault({}).describe("rotating the domains' DKIM keys without a gap (two selectors per domain)"),
});

/** The whole `mailfort:` namespace. Keys are the config keys after the `mailfort:` prefix. */
export const mailConfigSchema = z.strictObject({
  region: awsRegion.describe("AWS region of the stack (an explicit provider is created for it)"),
  environment: z.enum(["dev", "staging", "prod", "lab"]).default("dev")
    .describe("prod tightens policies (DMARC must be reject); only lab may keep password hashes in plain text"),
  hostname: domainName.describe("the server's name: MX target, PTR, certificate name, HELO; must lie inside one of the domains"),
  domains: z.array(domainSchema).min(1, { error: say("lists no domains", "add at least one entry under mailfort:domains") })
    .max(MAX_DOMAINS, { error: say(`lists more than ${MAX_DOMAINS} domains, more than one server's ACME permissions and deploy hold`, "split the domains over several stacks (see docs/fleet.md)") })
    .describe("the domains this server serves; one hosted zone each"),
  mailboxes: z.array(mailboxSchema).max(5000).default([]).describe("the mailboxes (kept in SSM: a change needs no new instance)"),
  aliases: z.array(aliasSchema).max(5000).default([]).describe("aliases and their targets (kept in SSM)"),
  instance: instanceSchema.prefault({}).describe("the EC2 instance"),
  network: networkSchema.prefault({}).describe("where the instance lives"),
  tls: tlsSchema.prefault({}).describe("the server certificate"),
  outbound: outboundSchema.prefault({}).describe("how outbound mail leaves"),
  features: featuresSchema.prefault({}).describe("optional features (all but the webmail off by default)"),
  auth: authSchema.prefault({}).describe("how clients authenticate: app passwords and the webmail's second factor (docs/webmail.md)"),
  limits: limitsSchema.prefault({}).describe("message, connection and rate limits"),
  containment: containmentSchema.prefault({}).describe("containment of a hijacked account: automatic suspension from sending (docs/operations.md#suspended-sender)"),
  bruteForce: bruteForceSchema.prefault({}).describe("fail2ban"),
  antispam: antispamSchema.prefault({}).describe("DNSBLs, greylisting and the local block and allow lists (the lists are kept in SSM)"),
  backups: backupsSchema.prefault({}).describe("snapshots of the data volume"),
  dataVolume: dataVolumeSchema.prefault({}).describe("where the data volume comes from: a restore from a snapshot"),
  alarmEmail: mailAddress.optional().describe("where CloudWatch alarms and GuardDuty findings are sent (SNS e-mail subscription); must not be hosted on this server"),
  monitoring: monitoringSchema.prefault({}).describe("out-of-band detection on the AWS side: GuardDuty findings and VPC flow logs, alerting through the alarm topic"),
  dkim: dkimSchema.prefault({}).describe("DKIM signing keys: their rotation (docs/dkim-rotation.md)"),
  policy: policySchema.prefault({}).describe("the policy pack, for this stack"),
  verifyAfterDeploy: verifyAfterDeploySchema.prefault({}).describe("verify the new server after `pulumi up`, summary in the `verification` output"),
});

export type RawMailConfig = z.input<typeof mailConfigSchema>;
export type ParsedMailConfig = z.output<typeof mailConfigSchema>;
