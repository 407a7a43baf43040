// postscreen's weighted DNSBLs (the security model's DNSBL objective): a list that can never
// fire, or that fires twice for one listing, is refused.
import type { ConfigIssue } from "./errors";
import { type OctetSet, filtersOverlap, parseDnsblFilter } from "./dnsbl-filter";
import type { Protection } from "./protections";
import { fieldPath } from "./zod-issues";

export const ANTISPAM_PROTECTIONS: readonly Protection[] = [
  {
    id: "config-no-dnsbl",
    refuses: "antispam.dnsbls with no block list of positive weight",
    why: "postscreen would consult no DNS block list: listed spam sources get in unless content filtering catches them",
    relaxable: true,
    check: (c) => c.antispam.dnsbls.some((d) => d.weight > 0) ? [] : [{
      path: fieldPath(["antispam", "dnsbls"]),
      problem: c.antispam.dnsbls.length === 0 ? "lists no DNS block list" : "lists only allow lists (negative weights), no block list",
      fix: "keep the defaults (remove antispam.dnsbls), or list at least one block list such as zen.spamhaus.org with a positive weight",
    }],
  },
  {
    id: "dnsbl-filter",
    refuses: "DNSBL reply filters that match nothing (an octet above 255, a backwards range, not 127.x)",
    why: "the list would be queried and never count: DNSBL blocking silently off for it",
    relaxable: false,
    check: (c) => c.antispam.dnsbls.flatMap((d, i): ConfigIssue[] => {
      if (d.filter === undefined) return [];
      const f = parseDnsblFilter(d.filter);
      return f.ok ? [] : [{ path: fieldPath(["antispam", "dnsbls", i, "filter"]), problem: `${d.filter} ${f.problem}`, fix: "write the reply codes the list documents, e.g. 127.0.0.[2..11]" }];
    }),
  },
  {
    id: "dnsbl-duplicate",
    refuses: "the same DNSBL zone twice with filters that can match the same reply",
    why: "one listing would add the zone's weight twice, so a single list could refuse a client alone",
    relaxable: false,
    check: (c) => {
      const issues: ConfigIssue[] = [];
      const octets = (f: string | undefined): readonly OctetSet[] | undefined => {
        if (f === undefined) return undefined;
        const p = parseDnsblFilter(f);
        return p.ok ? p.octets : [];
      };
      c.antispam.dnsbls.forEach((d, i) => {
        const j = c.antispam.dnsbls.findIndex((e, k) => k < i && e.zone === d.zone && filtersOverlap(octets(e.filter), octets(d.filter)));
        if (j >= 0) issues.push({ path: fieldPath(["antispam", "dnsbls", i, "zone"]), problem: `${d.zone} is already listed at antispam.dnsbls[${j}] with a filter that matches the same replies`, fix: "list the zone once, or give the entries disjoint filters (e.g. 127.0.0.[2..3] and 127.0.0.[10..11])" });
      });
      return issues;
    },
  },
  {
    id: "dnsbl-threshold-unreachable",
    refuses: "antispam.dnsblThreshold above the sum of the positive DNSBL weights",
    why: "no client could ever reach the threshold: DNSBL blocking would never trigger",
    relaxable: false,
    check: (c) => {
      const reachable = c.antispam.dnsbls.reduce((sum, d) => sum + Math.max(0, d.weight), 0);
      if (reachable === 0 || c.antispam.dnsblThreshold <= reachable) return [];
      return [{ path: fieldPath(["antispam", "dnsblThreshold"]), problem: `is ${c.antispam.dnsblThreshold}, but a client listed everywhere scores only ${reachable}`, fix: `set it to ${reachable} or less, or raise the block lists' weights` }];
    },
  },
];
