// Checks across the addresses of a stack: mailboxes and their password hashes, aliases (no
// loops, no targets that bounce), report and alarm addresses (none that end at a parked domain
// or at this very server), and the post-deploy test mailboxes.
import type { ConfigIssue } from "./errors";
import { domainOf } from "./names";
import { PASSWORD_HASH_FIX, isStrongPasswordHash } from "./password-hash";
import { NAMESPACE, type RawStackConfig } from "./raw";
import type { ParsedMailConfig } from "./schema";
import { fieldPath as at } from "./zod-issues";

/** Aliases every receiving domain must have (RFC 5321 4.5.1 postmaster, RFC 2142 abuse). */
export const ROLE_ACCOUNTS = ["postmaster", "abuse"] as const;

/**
 * The report addresses every receiving domain has: the default DMARC `rua` and TLS-RPT `rua`. Mail
 * to them is piped into the report reader on the host (docs/reports.md), never into a mailbox, and
 * no one may send as them. A stack that already made one of them a mailbox or an alias keeps it
 * (its reports go where they went before); infra/core/reports-host.ts leaves it out of the pipe.
 */
export const REPORT_ACCOUNTS = { dmarc: "dmarc-reports", tlsRpt: "tls-reports" } as const;
const REPORT_LOCAL_PARTS: readonly string[] = Object.values(REPORT_ACCOUNTS);

export function addressIssues(cfg: ParsedMailConfig, raw: RawStackConfig): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const domainNames = cfg.domains.map((d) => d.name);
  const receiving = new Set(cfg.domains.filter((d) => d.sendsMail).map((d) => d.name));
  const parked = new Set(cfg.domains.filter((d) => !d.sendsMail).map((d) => d.name));
  const dataVolumeMb = cfg.instance.dataVolumeGb * 1024;

  const mailboxAddresses = new Set<string>();
  cfg.mailboxes.forEach((m, i) => {
    if (mailboxAddresses.has(m.address)) issues.push({ path: at(["mailboxes", i, "address"]), problem: `${m.address} is listed twice`, fix: "keep one entry per mailbox" });
    mailboxAddresses.add(m.address);
    if (!receiving.has(domainOf(m.address))) {
      issues.push({ path: at(["mailboxes", i, "address"]), problem: `${m.address} is not in a configured mail domain${domainNames.includes(domainOf(m.address)) ? " (its domain has sendsMail: false)" : ""}`, fix: "add its domain under mailfort:domains with sendsMail: true, or fix the address" });
    }
    if (m.quotaMb > dataVolumeMb) {
      issues.push({ path: at(["mailboxes", i, "quotaMb"]), problem: `is ${m.quotaMb} MiB, more than the whole data volume (instance.dataVolumeGb ${cfg.instance.dataVolumeGb} = ${dataVolumeMb} MiB)`, fix: `lower the quota to at most ${dataVolumeMb}, or grow instance.dataVolumeGb` });
    }
    const key = `${NAMESPACE}:${m.passwordHashSecret}`;
    const value = raw.values[key];
    if (value === undefined) {
      issues.push({ path: at(["mailboxes", i, "passwordHashSecret"]), problem: `refers to ${key}, which is not set`, fix: PASSWORD_HASH_FIX.replace("<key>", key) });
      return;
    }
    if (!raw.secretKeys.has(key) && cfg.environment !== "lab") {
      issues.push({ path: key, problem: "holds a password hash in plain text in the stack file", fix: `re-set it encrypted: pulumi config set --secret ${key} '<hash>'` });
    }
    if (!isStrongPasswordHash(value)) {
      issues.push({ path: key, problem: "is not an ARGON2ID or BLF-CRYPT hash with its {SCHEME} prefix (value not shown)", fix: PASSWORD_HASH_FIX.replace("<key>", key) });
    }
  });
  if (receiving.size > 0 && cfg.mailboxes.length === 0) {
    issues.push({ path: at(["mailboxes"]), problem: "no mailbox is configured, so postmaster@ and abuse@ (required by RFC 5321 and RFC 2142) would reach nobody", fix: "add at least one mailbox" });
  }

  const aliasFroms = new Map<string, number>();
  cfg.aliases.forEach((a, i) => {
    if (aliasFroms.has(a.from)) issues.push({ path: at(["aliases", i, "from"]), problem: `${a.from} is listed twice`, fix: "merge the two entries' `to` lists" });
    else aliasFroms.set(a.from, i);
    if (mailboxAddresses.has(a.from)) issues.push({ path: at(["aliases", i, "from"]), problem: `${a.from} is also a mailbox`, fix: "remove the alias, or the mailbox" });
    if (!receiving.has(domainOf(a.from))) issues.push({ path: at(["aliases", i, "from"]), problem: `${a.from} is not in a configured mail domain`, fix: "add its domain under mailfort:domains with sendsMail: true, or fix the address" });
  });
  const isRole = (addr: string) => receiving.has(domainOf(addr)) && (ROLE_ACCOUNTS as readonly string[]).includes(addr.slice(0, addr.lastIndexOf("@")));
  // A report address is piped into the report reader unless the stack made it a mailbox or an
  // alias (then it stays theirs, as before the reader existed).
  const isPipedReport = (addr: string) => receiving.has(domainOf(addr)) && REPORT_LOCAL_PARTS.includes(addr.slice(0, addr.lastIndexOf("@"))) && !mailboxAddresses.has(addr) && !aliasFroms.has(addr);
  const known = (addr: string) => mailboxAddresses.has(addr) || aliasFroms.has(addr) || isRole(addr) || isPipedReport(addr);
  /** Where mail to this address could not go; undefined when it can be delivered. */
  const deadEnd = (addr: string): string | undefined => {
    if (parked.has(domainOf(addr))) return `${domainOf(addr)} is a parked domain (null MX), which refuses all mail`;
    if (receiving.has(domainOf(addr)) && !known(addr)) return `${addr} is in a hosted domain but is neither a mailbox nor an alias`;
    return undefined;
  };
  cfg.aliases.forEach((a, i) => a.to.forEach((target, j) => {
    const dead = deadEnd(target);
    if (dead !== undefined) issues.push({ path: at(["aliases", i, "to", j]), problem: `${dead}, so mail to ${a.from} would bounce`, fix: "add that mailbox, or use a deliverable address" });
  }));
  issues.push(...aliasLoops(cfg.aliases, aliasFroms));

  cfg.domains.forEach((d, i) => {
    const reportTargets: Array<[PropertyKey[], readonly string[]]> = [
      [["domains", i, "dmarc", "rua"], d.dmarc.rua ?? []],
      [["domains", i, "dmarc", "ruf"], d.dmarc.ruf],
      [["domains", i, "tlsRptRua"], d.tlsRptRua ?? []],
    ];
    // Failure reports (ruf) are single messages, not aggregate reports: the reader refuses them, so
    // sent to a report address they would be read by no one.
    d.dmarc.ruf.forEach((addr, j) => {
      if (isPipedReport(addr)) issues.push({ path: at(["domains", i, "dmarc", "ruf", j]), problem: `${addr} is a report address, which reads aggregate reports only, so failure reports sent there would be dropped`, fix: "send failure reports to a mailbox or alias" });
    });
    for (const [path, addrs] of reportTargets) addrs.forEach((addr, j) => {
      const dead = deadEnd(addr);
      if (dead !== undefined) issues.push({ path: at([...path, j]), problem: `${dead}, so reports would bounce`, fix: "add that mailbox or alias, or use another address" });
    });
  });

  if (cfg.alarmEmail !== undefined) {
    const alarmDomain = domainOf(cfg.alarmEmail);
    if (domainNames.includes(alarmDomain) || alarmDomain === cfg.hostname) {
      issues.push({ path: at(["alarmEmail"]), problem: parked.has(alarmDomain) ? `${cfg.alarmEmail} is in a parked domain (null MX), which refuses all mail` : `${cfg.alarmEmail} is hosted on this very server, so an alarm that it is down could not be delivered`, fix: "use an address hosted elsewhere (another provider or a team list)" });
    }
  }
  issues.push(...verifyMailboxIssues(cfg, raw, mailboxAddresses));
  return issues;
}

/** a -> b -> a: Postfix would expand the aliases in a circle and bounce the mail. */
function aliasLoops(aliases: ParsedMailConfig["aliases"], index: ReadonlyMap<string, number>): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const state = new Map<number, "open" | "done">();
  for (let root = 0; root < aliases.length; root++) {
    if (state.has(root)) continue;
    // Iterative depth-first search: [alias index, next target position]; `trail` is the open path.
    const stack: Array<[number, number]> = [[root, 0]];
    state.set(root, "open");
    while (stack.length > 0) {
      const top = stack[stack.length - 1] as [number, number];
      const [i, j] = top;
      const targets = (aliases[i] as ParsedMailConfig["aliases"][number]).to;
      if (j >= targets.length) {
        state.set(i, "done");
        stack.pop();
        continue;
      }
      top[1] = j + 1;
      const next = index.get(targets[j] as string);
      if (next === undefined || state.get(next) === "done") continue;
      if (state.get(next) === "open") {
        const from = stack.findIndex(([k]) => k === next);
        const cycle = [...stack.slice(from).map(([k]) => (aliases[k] as { from: string }).from), (aliases[next] as { from: string }).from];
        issues.push({ path: at(["aliases", i, "to", j]), problem: `closes an alias loop (${cycle.join(" -> ")}): Postfix would expand it in a circle and bounce the mail`, fix: "point one of these aliases at a mailbox instead" });
        continue;
      }
      state.set(next, "open");
      stack.push([next, 0]);
    }
  }
  return issues;
}

/** The opt-in post-deploy verify: its test mailboxes must exist and their passwords be secret. */
function verifyMailboxIssues(cfg: ParsedMailConfig, raw: RawStackConfig, mailboxAddresses: ReadonlySet<string>): ConfigIssue[] {
  const v = cfg.verifyAfterDeploy;
  // A disabled block reads no secret (references to settings are refused earlier, enabled or not).
  if (!v.enabled) return [];
  const issues: ConfigIssue[] = [];
  const path = (...p: PropertyKey[]) => at(["verifyAfterDeploy", ...p]);
  v.groups.forEach((g, i) => {
    if (v.groups.indexOf(g) !== i) issues.push({ path: path("groups", i), problem: `${g} is listed twice`, fix: "list each group once" });
  });
  v.mailboxes.forEach((m, i) => {
    if (!mailboxAddresses.has(m.address)) {
      issues.push({ path: path("mailboxes", i, "address"), problem: `${m.address} is not a mailbox of this stack, so verify could not log in as it`, fix: "use an address listed under mailfort:mailboxes (a dedicated test mailbox is best)" });
    }
    const key = `${NAMESPACE}:${m.passwordSecret}`;
    const setCommand = `pulumi config set --secret ${key} '<the mailbox password>'`;
    if (raw.values[key] === undefined) {
      issues.push({ path: path("mailboxes", i, "passwordSecret"), problem: `refers to ${key}, which is not set`, fix: setCommand });
    } else if (!raw.secretKeys.has(key) && cfg.environment !== "lab") {
      issues.push({ path: key, problem: "holds a mailbox password in plain text in the stack file", fix: `re-set it encrypted: ${setCommand}` });
    }
  });
  return issues;
}
