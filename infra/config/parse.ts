// Parse and validate the whole `mailfort:` configuration. Every problem is collected and
// reported at once (ConfigError), before any resource exists; on success the result is a fully
// resolved MailConfig with defaults applied and implicit aliases added.
//   raw config map -> screen (namespaces, keys, control characters) -> split secrets from
//   settings -> schema -> cross-checks and protections -> MailConfig
import { REPORT_ACCOUNTS, ROLE_ACCOUNTS } from "./address-checks";
import { crossCheck } from "./cross-checks";
import { steadyDkimLayout } from "./dkim-layout";
import { ConfigError, type ConfigIssue, showValue } from "./errors";
import { normaliseIpOrCidr } from "./ip";
import type { AliasConfig, DomainConfig, MailConfig } from "./mail-config";
import { STACK_RE, domainOf } from "./names";
import { protectionIssues } from "./protections";
import { NAMESPACE, type RawStackConfig } from "./raw";
import { screenRawConfig } from "./raw-screen";
import { redactSecrets } from "./redact";
import { type ParsedMailConfig, mailConfigSchema } from "./schema";
import { splitSecrets } from "./secret-refs";
import { fieldPath, toConfigIssue } from "./zod-issues";

const SETTINGS: readonly string[] = Object.keys(mailConfigSchema.shape);

export function parseMailConfig(raw: RawStackConfig, stack: string): MailConfig {
  const issues: ConfigIssue[] = [];
  if (!STACK_RE.test(stack)) {
    issues.push({ path: "stack name", problem: `${showValue(stack)} cannot be used in SSM paths and resource names`, fix: "name the stack with letters, digits, '.', '_' or '-'" });
  }
  const screened = screenRawConfig(raw, SETTINGS);
  if (screened.fatal) throw new ConfigError([...issues, ...screened.issues]);
  const split = splitSecrets(screened.entries, raw, SETTINGS);
  const early = [...screened.issues, ...split.issues];
  issues.push(...early);

  const result = mailConfigSchema.safeParse(split.settings, { reportInput: true });
  if (result.success) {
    issues.push(...crossCheck(result.data, raw), ...protectionIssues(result.data));
  } else {
    // An entry refused above (e.g. a setting stored as a secret) is not reported again as missing.
    const reported = new Set(early.map((i) => i.path));
    const schemaIssues = result.error.issues.slice(0, MAX_REPORTED).flatMap((i) => toConfigIssue(i, mailConfigSchema)).filter((i) => !reported.has(i.path));
    issues.push(...schemaIssues.map((i) => withRegionHint(i, raw)));
  }
  if (issues.length > 0 || !result.success) throw new ConfigError(redactSecrets(capped(issues), raw, split.secretNames));
  return resolve(result.data, stack);
}

/** Past a few hundred problems a list helps nobody and costs seconds: show the first ones. */
const MAX_REPORTED = 200;

function capped(issues: readonly ConfigIssue[]): ConfigIssue[] {
  if (issues.length <= MAX_REPORTED) return [...issues];
  const rest = issues.length - (MAX_REPORTED - 1);
  return [...issues.slice(0, MAX_REPORTED - 1), { path: "stack configuration", problem: `has ${rest} more problems not listed here`, fix: "fix the ones above and run again" }];
}

/** aws:region configures only the default AWS provider; mailfort reads its own key. */
function withRegionHint(issue: ConfigIssue, raw: RawStackConfig): ConfigIssue {
  const aws = raw.values["aws:region"];
  if (issue.path !== fieldPath(["region"]) || !issue.problem.startsWith("is required") || aws === undefined) return issue;
  return { ...issue, problem: `is required but missing (aws:region is set, but it configures only the default AWS provider; mailfort reads ${NAMESPACE}:region)`, fix: `add ${NAMESPACE}:region: ${showValue(aws)}` };
}

function resolve(cfg: ParsedMailConfig, stack: string): MailConfig {
  const domains: DomainConfig[] = cfg.domains.map((d) => ({
    ...d,
    // Reports go to the domain's report addresses, piped into the report reader on the host
    // (docs/reports.md); an explicit setting is published as given.
    dmarc: { ...d.dmarc, rua: d.dmarc.rua ?? [`${REPORT_ACCOUNTS.dmarc}@${d.name}`], subdomainPolicy: d.dmarc.subdomainPolicy ?? d.dmarc.policy },
    tlsRptRua: d.tlsRptRua ?? [`${REPORT_ACCOUNTS.tlsRpt}@${d.name}`],
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
  const canonical = (list: readonly string[]) => list.map((ip) => normaliseIpOrCidr(ip) ?? ip);
  // App passwords are the safe default where it matters most, and opt-in elsewhere (docs/webmail.md).
  const auth = { ...cfg.auth, appPasswords: cfg.auth.appPasswords ?? cfg.environment === "prod" };
  return {
    ...cfg, stack, domains, aliases: [...explicit, ...implicit], auth,
    dkimLayout: steadyDkimLayout(cfg.dkim.rotation.generation),
    bruteForce: { ...cfg.bruteForce, ignoreIps: canonical(cfg.bruteForce.ignoreIps) },
    antispam: { ...cfg.antispam, blockIps: canonical(cfg.antispam.blockIps), allowIps: canonical(cfg.antispam.allowIps) },
  };
}
