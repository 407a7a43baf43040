// Checks across settings that each look valid alone but fail together at deploy or run time:
// zones, the mail hostname, the network, TLS, the domain lists, the address and auth checks, the
// restore, and monitoring.
import { addressIssues } from "./address-checks";
import { authIssues } from "./auth-checks";
import type { ConfigIssue } from "./errors";
import { type IpRange, contains, formatRange, hasHostBits, networkOf, parseIpRange } from "./ip";
import { monitoringIssues } from "./monitoring-checks";
import { nameLengthIssues } from "./name-lengths";
import { isWithin } from "./names";
import type { RawStackConfig } from "./raw";
import { restoreIssues } from "./restore-checks";
import type { ParsedMailConfig } from "./schema";
import { fieldPath as at } from "./zod-issues";

/** RFC 1918: a VPC in public address space would hide those Internet addresses from the server. */
const PRIVATE_V4 = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"].map((t) => parseIpRange(t) as IpRange);
/** AWS accepts VPC blocks from /16 to /28. */
const VPC_PREFIX = { min: 16, max: 28 } as const;

export function crossCheck(cfg: ParsedMailConfig, raw: RawStackConfig): ConfigIssue[] {
  return [...domainIssues(cfg), ...networkIssues(cfg), ...settingIssues(cfg), ...listIssues(cfg), ...nameLengthIssues(cfg), ...addressIssues(cfg, raw), ...authIssues(cfg, raw), ...restoreIssues(cfg), ...monitoringIssues(cfg, raw)];
}

function domainIssues(cfg: ParsedMailConfig): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const domainNames = cfg.domains.map((d) => d.name);
  const zoneOwner = new Map<string, number>();
  cfg.domains.forEach((d, i) => {
    if (domainNames.indexOf(d.name) !== i) issues.push({ path: at(["domains", i, "name"]), problem: `${d.name} is listed twice`, fix: "keep one entry per domain" });
    const parent = domainNames.find((other) => other !== d.name && isWithin(d.name, other));
    if (parent !== undefined && d.zoneId === undefined) {
      issues.push({ path: at(["domains", i, "name"]), problem: `${d.name} lies inside ${parent}, and mailfort would create a second, undelegated zone for it`, fix: `give it the zoneId of its own delegated zone, or remove it and let ${parent}'s zone hold it` });
    }
    if (d.zoneId === undefined) return;
    const first = zoneOwner.get(d.zoneId);
    if (first === undefined) zoneOwner.set(d.zoneId, i);
    else issues.push({ path: at(["domains", i, "zoneId"]), problem: `${d.zoneId} is also the zone of ${cfg.domains[first]?.name} (domains[${first}]); a hosted zone has one apex domain`, fix: "give each domain its own hosted zone id, or remove zoneId to let mailfort create the zone" });
  });
  if (!domainNames.some((name) => isWithin(cfg.hostname, name))) {
    issues.push({ path: at(["hostname"]), problem: `${cfg.hostname} is not inside any configured domain, so its A and PTR records cannot be managed`, fix: `use a name inside one of: ${domainNames.slice(0, 5).join(", ")} (e.g. mail.${domainNames[0] ?? "example.com"})` });
  }
  return issues;
}

function networkIssues(cfg: ParsedMailConfig): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const n = cfg.network;
  const az = n.availabilityZone;
  if (az !== undefined && !(az.startsWith(cfg.region) && az.length === cfg.region.length + 1)) {
    issues.push({ path: at(["network", "availabilityZone"]), problem: `${az} is not a zone of the stack's region ${cfg.region}`, fix: `use a zone of ${cfg.region}, e.g. ${cfg.region}a, or remove it` });
  }
  if (az !== undefined && n.subnetId !== undefined) {
    issues.push({ path: at(["network", "availabilityZone"]), problem: "has no effect with network.subnetId: the instance goes where the existing subnet is", fix: "remove one of the two" });
  }
  const vpc = parseIpRange(n.vpcCidr);
  if (vpc !== undefined && n.subnetId === undefined) {
    const path = at(["network", "vpcCidr"]);
    if (vpc.prefix < VPC_PREFIX.min || vpc.prefix > VPC_PREFIX.max) {
      issues.push({ path, problem: `${n.vpcCidr} is a /${vpc.prefix}; AWS accepts VPC blocks from /${VPC_PREFIX.min} to /${VPC_PREFIX.max}`, fix: "use e.g. 10.42.0.0/24 (the default)" });
    } else if (hasHostBits(vpc)) {
      issues.push({ path, problem: `${n.vpcCidr} has host bits set below its /${vpc.prefix}`, fix: `write the network: ${formatRange(networkOf(vpc))}` });
    } else if (!PRIVATE_V4.some((p) => contains(p, vpc))) {
      issues.push({ path, problem: `${n.vpcCidr} is public address space; inside the VPC those Internet addresses would be unreachable`, fix: "use a private range (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16), e.g. 10.42.0.0/24" });
    }
  }
  return issues;
}

function settingIssues(cfg: ParsedMailConfig): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  if (cfg.tls.acmeDirectory !== undefined && cfg.tls.mode !== "acme") {
    issues.push({ path: at(["tls", "acmeDirectory"]), problem: `is set with tls.mode ${cfg.tls.mode}, which does not use it`, fix: "use it with tls.mode acme, or remove it (acme-staging is Let's Encrypt's staging directory)" });
  }
  if (cfg.tls.mode !== "self-signed" && cfg.tls.acmeEmail === undefined) {
    issues.push({ path: at(["tls", "acmeEmail"]), problem: `is required with tls.mode ${cfg.tls.mode} (Let's Encrypt sends expiry warnings there)`, fix: "set an address you read, e.g. tls: { mode: acme, acmeEmail: ops@example.com }" });
  }
  if (cfg.outbound.sesRegion !== undefined && cfg.outbound.mode !== "ses") {
    issues.push({ path: at(["outbound", "sesRegion"]), problem: `has no effect with outbound.mode ${cfg.outbound.mode}`, fix: "remove it, or set outbound.mode: ses" });
  }
  return issues;
}

/** Local domain lists: never block or flag the domains this server hosts. */
function listIssues(cfg: ParsedMailConfig): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const hosted = cfg.domains.map((d) => d.name);
  const allow = new Set(cfg.antispam.allowDomains);
  const lists = [["blockDomains", "mail from its own users would be refused"], ["blockUrlHosts", "its own users' mail would score as spam for every link to it"]] as const;
  for (const [list, effect] of lists) {
    cfg.antispam[list].forEach((d, i) => {
      const own = hosted.find((h) => isWithin(h, d));
      if (own !== undefined) issues.push({ path: at(["antispam", list, i]), problem: `${d} covers ${own}, a domain this server hosts: ${effect}`, fix: "remove it from the list" });
      if (list === "blockDomains" && allow.has(d)) issues.push({ path: at(["antispam", list, i]), problem: `${d} is in both blockDomains and allowDomains`, fix: "remove it from one of the two lists" });
    });
  }
  return issues;
}
