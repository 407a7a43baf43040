// Parse and validate the whole `mailfort:` configuration. Every problem is collected and
// reported at once (ConfigError), before any resource exists; on success the result is a fully
// resolved MailConfig with defaults applied and implicit aliases added.
import { ConfigError, type ConfigIssue, showValue } from "./errors";
import type { AliasConfig, DomainConfig, MailConfig } from "./mail-config";
import { STACK_RE, domainOf, isWithin } from "./names";
import { PASSWORD_HASH_FIX, isStrongPasswordHash } from "./password-hash";
import { NAMESPACE, type RawStackConfig, namespaceEntries } from "./raw";
import { type ParsedMailConfig, mailConfigSchema } from "./schema";
import { fieldPath, toConfigIssue } from "./zod-issues";

/** Aliases every receiving domain must have (RFC 5321 4.5.1 postmaster, RFC 2142 abuse). */
const ROLE_ACCOUNTS = ["postmaster", "abuse"] as const;

export function parseMailConfig(raw: RawStackConfig, stack: string): MailConfig {
  const issues: ConfigIssue[] = [];
  if (!STACK_RE.test(stack)) {
    issues.push({ path: "stack name", problem: `${showValue(stack)} cannot be used in SSM paths and resource names`, fix: "name the stack with letters, digits, '.', '_' or '-'" });
  }
  const entries = namespaceEntries(raw);
  // Password-hash secrets live beside the settings as their own keys; they are not settings.
  // Secret keys no mailbox refers to are ignored (a leftover after removing a mailbox is harmless),
  // unless they are settings set with --secret.
  const secretNames = new Set([
    ...referencedSecretNames(entries.get("mailboxes"), "passwordHashSecret"),
    ...referencedSecretNames(verifyMailboxes(entries.get("verifyAfterDeploy")), "passwordSecret"),
  ]);
  const settings = new Set(Object.keys(mailConfigSchema.shape));
  const input: Record<string, unknown> = {};
  for (const [key, value] of entries) {
    const isSecretValue = secretNames.has(key) || (raw.secretKeys.has(`${NAMESPACE}:${key}`) && !settings.has(key));
    if (!isSecretValue) input[key] = value;
  }

  const result = mailConfigSchema.safeParse(input);
  if (!result.success) {
    issues.push(...result.error.issues.flatMap(toConfigIssue));
    throw new ConfigError(issues);
  }
  issues.push(...crossCheck(result.data, raw));
  if (issues.length > 0) throw new ConfigError(issues);
  return resolve(result.data, stack);
}

function referencedSecretNames(mailboxes: unknown, field: string): Set<string> {
  const names = new Set<string>();
  if (!Array.isArray(mailboxes)) return names;
  for (const m of mailboxes) {
    const ref: unknown = typeof m === "object" && m !== null ? (m as Record<string, unknown>)[field] : undefined;
    if (typeof ref === "string") names.add(ref);
  }
  return names;
}

function verifyMailboxes(section: unknown): unknown {
  return typeof section === "object" && section !== null ? (section as Record<string, unknown>).mailboxes : undefined;
}

function crossCheck(cfg: ParsedMailConfig, raw: RawStackConfig): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const at = (...path: PropertyKey[]) => fieldPath(path);
  const domainNames = cfg.domains.map((d) => d.name);
  const receiving = new Set(cfg.domains.filter((d) => d.sendsMail).map((d) => d.name));

  cfg.domains.forEach((d, i) => {
    if (domainNames.indexOf(d.name) !== i) issues.push({ path: at("domains", i, "name"), problem: `${d.name} is listed twice`, fix: "keep one entry per domain" });
    const parent = domainNames.find((other) => other !== d.name && isWithin(d.name, other));
    if (parent !== undefined && d.zoneId === undefined) {
      issues.push({ path: at("domains", i, "name"), problem: `${d.name} lies inside ${parent}, and mailfort would create a second, undelegated zone for it`, fix: `give it the zoneId of its own delegated zone, or remove it and let ${parent}'s zone hold it` });
    }
  });

  const hostDomain = domainNames.find((name) => isWithin(cfg.hostname, name));
  if (hostDomain === undefined) {
    issues.push({ path: at("hostname"), problem: `${cfg.hostname} is not inside any configured domain, so its A and PTR records cannot be managed`, fix: `use a name inside one of: ${domainNames.join(", ")} (e.g. mail.${domainNames[0] ?? "example.com"})` });
  }

  const mailboxAddresses = new Set<string>();
  cfg.mailboxes.forEach((m, i) => {
    if (mailboxAddresses.has(m.address)) issues.push({ path: at("mailboxes", i, "address"), problem: `${m.address} is listed twice`, fix: "keep one entry per mailbox" });
    mailboxAddresses.add(m.address);
    if (!receiving.has(domainOf(m.address))) {
      issues.push({ path: at("mailboxes", i, "address"), problem: `${m.address} is not in a configured mail domain${domainNames.includes(domainOf(m.address)) ? " (its domain has sendsMail: false)" : ""}`, fix: "add its domain under mailfort:domains with sendsMail: true, or fix the address" });
    }
    const key = `${NAMESPACE}:${m.passwordHashSecret}`;
    const value = raw.values[key];
    if (value === undefined) {
      issues.push({ path: at("mailboxes", i, "passwordHashSecret"), problem: `refers to ${key}, which is not set`, fix: PASSWORD_HASH_FIX.replace("<key>", key) });
    } else {
      if (!raw.secretKeys.has(key) && cfg.environment !== "lab") {
        issues.push({ path: key, problem: "holds a password hash in plain text in the stack file", fix: `re-set it encrypted: pulumi config set --secret ${key} '<hash>'` });
      }
      if (!isStrongPasswordHash(value)) {
        issues.push({ path: key, problem: "is not an ARGON2ID or BLF-CRYPT hash with its {SCHEME} prefix (value not shown)", fix: PASSWORD_HASH_FIX.replace("<key>", key) });
      }
    }
  });

  const aliasFroms = new Set<string>();
  cfg.aliases.forEach((a, i) => {
    if (aliasFroms.has(a.from)) issues.push({ path: at("aliases", i, "from"), problem: `${a.from} is listed twice`, fix: "merge the two entries' `to` lists" });
    aliasFroms.add(a.from);
    if (mailboxAddresses.has(a.from)) issues.push({ path: at("aliases", i, "from"), problem: `${a.from} is also a mailbox`, fix: "remove the alias, or the mailbox" });
    if (!receiving.has(domainOf(a.from))) issues.push({ path: at("aliases", i, "from"), problem: `${a.from} is not in a configured mail domain`, fix: "add its domain under mailfort:domains with sendsMail: true, or fix the address" });
  });
  const known = (addr: string) => mailboxAddresses.has(addr) || aliasFroms.has(addr) || isRoleAccount(addr, receiving);
  cfg.aliases.forEach((a, i) => a.to.forEach((target, j) => {
    if (receiving.has(domainOf(target)) && !known(target)) {
      issues.push({ path: at("aliases", i, "to", j), problem: `${target} is in a hosted domain but is neither a mailbox nor an alias, so mail to ${a.from} would bounce`, fix: "add that mailbox, or correct the address" });
    }
  }));

  cfg.domains.forEach((d, i) => {
    const reportTargets: Array<[PropertyKey[], readonly string[]]> = [
      [["domains", i, "dmarc", "rua"], d.dmarc.rua ?? []],
      [["domains", i, "dmarc", "ruf"], d.dmarc.ruf],
      [["domains", i, "tlsRptRua"], d.tlsRptRua ?? []],
    ];
    for (const [path, addrs] of reportTargets) addrs.forEach((addr, j) => {
      if (receiving.has(domainOf(addr)) && !known(addr)) issues.push({ path: at(...path, j), problem: `${addr} is in a hosted domain but is neither a mailbox nor an alias, so reports would bounce`, fix: "add that mailbox or alias, or use another address" });
    });
  });

  if (receiving.size > 0 && cfg.mailboxes.length === 0) {
    issues.push({ path: at("mailboxes"), problem: "no mailbox is configured, so postmaster@ and abuse@ (required by RFC 5321 and RFC 2142) would reach nobody", fix: "add at least one mailbox" });
  }

  const graviton = /^[a-z]+\d+[a-z]*g[a-z]*\./.test(cfg.instance.type);
  if (graviton !== (cfg.instance.arch === "arm64")) {
    issues.push({ path: at("instance", "type"), problem: `${cfg.instance.type} is ${graviton ? "an arm64 (Graviton)" : "an amd64"} type but instance.arch is ${cfg.instance.arch}`, fix: graviton ? "set instance.arch: arm64, or pick an amd64 type such as t3.small" : "set instance.arch: amd64, or pick a Graviton type such as t4g.small" });
  }
  if (cfg.features.clamav && /\.(?:nano|micro|small)$/.test(cfg.instance.type)) {
    issues.push({ path: at("features", "clamav"), problem: `ClamAV needs about 1.2 GiB for its signatures; ${cfg.instance.type} has 2 GiB or less`, fix: "choose instance.type t4g.medium (4 GiB) or larger, or turn ClamAV off" });
  }
  if (cfg.tls.mode !== "self-signed" && cfg.tls.acmeEmail === undefined) {
    issues.push({ path: at("tls", "acmeEmail"), problem: `is required with tls.mode ${cfg.tls.mode} (Let's Encrypt sends expiry warnings there)`, fix: "set an address you read, e.g. tls: { mode: acme, acmeEmail: ops@example.com }" });
  }
  if (cfg.alarmEmail !== undefined && domainNames.includes(domainOf(cfg.alarmEmail))) {
    issues.push({ path: at("alarmEmail"), problem: `${cfg.alarmEmail} is hosted on this very server, so an alarm that it is down could not be delivered`, fix: "use an address hosted elsewhere (another provider or a team list)" });
  }
  issues.push(...verifyAfterDeployIssues(cfg, raw, mailboxAddresses));
  const allow = new Set(cfg.antispam.allowIps);
  cfg.antispam.blockIps.forEach((ip, i) => {
    if (allow.has(ip)) issues.push({ path: at("antispam", "blockIps", i), problem: `${ip} is in both blockIps and allowIps`, fix: "remove it from one of the two lists" });
  });
  const allowDomains = new Set(cfg.antispam.allowDomains);
  cfg.antispam.blockDomains.forEach((d, i) => {
    if (allowDomains.has(d)) issues.push({ path: at("antispam", "blockDomains", i), problem: `${d} is in both blockDomains and allowDomains`, fix: "remove it from one of the two lists" });
  });
  return issues;
}

/** The opt-in post-deploy verify: its test mailboxes must exist and their passwords be secret. */
function verifyAfterDeployIssues(cfg: ParsedMailConfig, raw: RawStackConfig, mailboxAddresses: ReadonlySet<string>): ConfigIssue[] {
  const v = cfg.verifyAfterDeploy;
  if (!v.enabled) return [];
  const issues: ConfigIssue[] = [];
  const at = (...path: PropertyKey[]) => fieldPath(["verifyAfterDeploy", ...path]);
  v.groups.forEach((g, i) => {
    if (v.groups.indexOf(g) !== i) issues.push({ path: at("groups", i), problem: `${g} is listed twice`, fix: "list each group once" });
  });
  v.mailboxes.forEach((m, i) => {
    if (!mailboxAddresses.has(m.address)) {
      issues.push({ path: at("mailboxes", i, "address"), problem: `${m.address} is not a mailbox of this stack, so verify could not log in as it`, fix: "use an address listed under mailfort:mailboxes (a dedicated test mailbox is best)" });
    }
    const key = `${NAMESPACE}:${m.passwordSecret}`;
    const setCommand = `pulumi config set --secret ${key} '<the mailbox password>'`;
    if (raw.values[key] === undefined) {
      issues.push({ path: at("mailboxes", i, "passwordSecret"), problem: `refers to ${key}, which is not set`, fix: setCommand });
    } else if (!raw.secretKeys.has(key) && cfg.environment !== "lab") {
      issues.push({ path: key, problem: "holds a mailbox password in plain text in the stack file", fix: `re-set it encrypted: ${setCommand}` });
    }
  });
  return issues;
}

function isRoleAccount(addr: string, receiving: ReadonlySet<string>): boolean {
  const at = addr.lastIndexOf("@");
  return receiving.has(addr.slice(at + 1)) && (ROLE_ACCOUNTS as readonly string[]).includes(addr.slice(0, at));
}

function resolve(cfg: ParsedMailConfig, stack: string): MailConfig {
  const domains: DomainConfig[] = cfg.domains.map((d) => ({
    ...d,
    dmarc: { ...d.dmarc, rua: d.dmarc.rua ?? [`postmaster@${d.name}`], subdomainPolicy: d.dmarc.subdomainPolicy ?? d.dmarc.policy },
    tlsRptRua: d.tlsRptRua ?? [`postmaster@${d.name}`],
  }));
  const explicit: AliasConfig[] = cfg.aliases.map((a) => ({ from: a.from, to: a.to, implicit: false }));
  const taken = new Set([...cfg.mailboxes.map((m) => m.address), ...explicit.map((a) => a.from)]);
  const implicit: AliasConfig[] = [];
  for (const d of domains.filter((x) => x.sendsMail)) {
    const owner = cfg.mailboxes.find((m) => domainOf(m.address) === d.name) ?? cfg.mailboxes[0];
    if (owner === undefined) continue;
    for (const role of ROLE_ACCOUNTS) {
      const from = `${role}@${d.name}`;
      if (!taken.has(from)) implicit.push({ from, to: [owner.address], implicit: true });
    }
  }
  return { ...cfg, stack, domains, aliases: [...explicit, ...implicit] };
}
