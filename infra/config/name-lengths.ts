// Length limits a valid-looking name can still break: DNS names are at most 253 characters
// (RFC 1035), and mailfort publishes names longer than the domain itself
// (<selector>._domainkey.<domain>, _autodiscover._tcp.<domain>); a mail address is at most 254
// (RFC 5321's 256-octet path minus the angle brackets); a certificate's common name is at most
// 64 (RFC 5280 ub-common-name), and the mail hostname is the certificate's name.
import { dkimSelectorOf } from "./dkim-layout";
import type { ConfigIssue } from "./errors";
import type { ParsedMailConfig } from "./schema";
import { domainOf, isWithin } from "./names";
import { fieldPath } from "./zod-issues";

export const MAX_DNS_NAME = 253;
export const MAX_ADDRESS = 254;
export const MAX_HOSTNAME = 64;
/** Amazon SES easy-DKIM tokens (outbound.mode ses) are 32 characters. */
const SES_TOKEN = 32;

/** The names mailfort publishes for a domain, as prefixes of it (the core's record set; a test
 * checks this list against it). */
export function publishedPrefixes(d: Pick<ParsedMailConfig["domains"][number], "sendsMail" | "dkimSelector">, ses: boolean, dkimGeneration = 0): string[] {
  if (!d.sendsMail) return ["*._domainkey.", "_dmarc."];
  return [
    // The configured generation's selector: the longest a rotation to it publishes (<selector>-gN).
    `${dkimSelectorOf(d.dkimSelector, dkimGeneration)}._domainkey.`, ...(ses ? [`${"x".repeat(SES_TOKEN)}._domainkey.`] : []),
    "_autodiscover._tcp.", "_submissions._tcp.", "_submission._tcp.", "_imaps._tcp.", "_pop3s._tcp.",
    "_smtp._tls.", "_mta-sts.", "mta-sts.", "autoconfig.", "_dmarc.",
  ];
}

export function nameLengthIssues(cfg: ParsedMailConfig): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  if (cfg.hostname.length > MAX_HOSTNAME) {
    issues.push({ path: fieldPath(["hostname"]), problem: `is ${cfg.hostname.length} characters; it is the TLS certificate's name, and a certificate name holds at most ${MAX_HOSTNAME}`, fix: "use a shorter mail hostname, e.g. mail.<your domain>" });
  }
  const mailDomains = cfg.domains.filter((d) => d.sendsMail).map((d) => d.name);
  cfg.domains.forEach((d, i) => {
    const longest = publishedPrefixes(d, cfg.outbound.mode === "ses", cfg.dkim.rotation.generation).reduce((a, b) => (b.length > a.length ? b : a));
    if (d.name.length + longest.length > MAX_DNS_NAME) {
      issues.push({ path: fieldPath(["domains", i, "name"]), problem: `is ${d.name.length} characters; mailfort publishes ${longest}<domain> (${d.name.length + longest.length} characters), over DNS's ${MAX_DNS_NAME}`, fix: `use a domain of at most ${MAX_DNS_NAME - longest.length} characters${d.sendsMail ? " (or a shorter dkimSelector)" : ""}` });
    }
    // DMARC report authorization (RFC 7489 7.1): <domain>._report._dmarc.<report domain>.
    const reportDomains = new Set([...(d.dmarc.rua ?? []), ...d.dmarc.ruf].map(domainOf));
    for (const target of reportDomains) {
      if (!mailDomains.includes(target) || isWithin(target, d.name) || isWithin(d.name, target)) continue;
      const length = d.name.length + "._report._dmarc.".length + target.length;
      if (length > MAX_DNS_NAME) issues.push({ path: fieldPath(["domains", i, "dmarc"]), problem: `sends reports to ${target}, whose authorization record ${d.name}._report._dmarc.${target} would be ${length} characters, over DNS's ${MAX_DNS_NAME}`, fix: "send the reports to an address in this domain, or in a domain with a shorter name" });
    }
  });
  forEachAddress(cfg, (address, path) => {
    if (address.length > MAX_ADDRESS) issues.push({ path: fieldPath(path()), problem: `is ${address.length} characters; a mail address holds at most ${MAX_ADDRESS} (RFC 5321)`, fix: "use a shorter address" });
  });
  return issues;
}

/** Every address the config holds, with its path (built only when asked for: there can be 50,000). */
export function forEachAddress(cfg: ParsedMailConfig, visit: (address: string, path: () => PropertyKey[]) => void): void {
  cfg.mailboxes.forEach((m, i) => visit(m.address, () => ["mailboxes", i, "address"]));
  cfg.aliases.forEach((a, i) => {
    visit(a.from, () => ["aliases", i, "from"]);
    a.to.forEach((t, j) => visit(t, () => ["aliases", i, "to", j]));
  });
  cfg.domains.forEach((d, i) => {
    (d.dmarc.rua ?? []).forEach((a, j) => visit(a, () => ["domains", i, "dmarc", "rua", j]));
    d.dmarc.ruf.forEach((a, j) => visit(a, () => ["domains", i, "dmarc", "ruf", j]));
    (d.tlsRptRua ?? []).forEach((a, j) => visit(a, () => ["domains", i, "tlsRptRua", j]));
  });
  if (cfg.alarmEmail !== undefined) visit(cfg.alarmEmail, () => ["alarmEmail"]);
  if (cfg.tls.acmeEmail !== undefined) visit(cfg.tls.acmeEmail, () => ["tls", "acmeEmail"]);
  cfg.verifyAfterDeploy.mailboxes.forEach((m, i) => visit(m.address, () => ["verifyAfterDeploy", "mailboxes", i, "address"]));
}
