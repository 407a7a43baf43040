// The address lists: fail2ban's never-ban list, the local allow and block lists. Each entry is
// judged by what it covers, not by how it is written.
import type { ConfigIssue } from "./errors";
import { type IpRange, contains, formatRange, hasHostBits, networkOf, parseIpRange, sizeBits } from "./ip";
import type { Protection } from "./protections";
import type { ParsedMailConfig } from "./schema";
import { fieldPath } from "./zod-issues";

/** Not reachable from the Internet: an exemption here cannot help an outside attacker. */
const NON_PUBLIC = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "fc00::/7", "fe80::/10", "::1/128"]
  .map((t) => parseIpRange(t) as IpRange);
const LOOPBACK = ["127.0.0.1", "::1"].map((t) => parseIpRange(t) as IpRange);

/** An exemption wider than one office network (a /24, or a /48 for IPv6) needs a written reason. */
const WIDEST_EXEMPTION_BITS = { 4: 8, 6: 80 } as const;
/** A block wider than a /8 (IPv4) or /16 (IPv6) refuses a large share of the Internet. */
const WIDEST_BLOCK_BITS = { 4: 24, 6: 112 } as const;

interface Entry { readonly range: IpRange; readonly path: string; readonly text: string }

/** Each list is parsed once per config, however many rules read it (1,000 entries x 6 rules). */
const parsed = new WeakMap<readonly string[], Entry[]>();

function entries(list: readonly string[], ...path: PropertyKey[]): Entry[] {
  const hit = parsed.get(list);
  if (hit !== undefined) return hit;
  const out = list.flatMap((text, i) => {
    const range = parseIpRange(text);
    return range === undefined ? [] : [{ range, path: fieldPath([...path, i]), text }];
  });
  parsed.set(list, out);
  return out;
}

const isWholeInternet = (r: IpRange) => r.prefix === 0;
const isPublic = (r: IpRange) => !NON_PUBLIC.some((p) => contains(p, r));

const LISTS = [
  { path: ["bruteForce", "ignoreIps"], get: (c: ParsedMailConfig) => c.bruteForce.ignoreIps, effect: "fail2ban never bans" },
  { path: ["antispam", "allowIps"], get: (c: ParsedMailConfig) => c.antispam.allowIps, effect: "postscreen lets through, skipping DNSBL and protocol tests, and Rspamd scores as trusted" },
  { path: ["antispam", "blockIps"], get: (c: ParsedMailConfig) => c.antispam.blockIps, effect: "Postfix refuses" },
] as const;

const exemptions = (c: ParsedMailConfig) => LISTS.slice(0, 2).flatMap((l) => entries(l.get(c), ...l.path).map((e) => ({ ...e, effect: l.effect })));

export const IP_LIST_PROTECTIONS: readonly Protection[] = [
  {
    id: "ip-list-shape",
    refuses: "address ranges with host bits set (198.51.100.7/24) and entries listed twice",
    why: "Postfix refuses a cidr table with host bits set, so the whole list (and mail with it) stops working; a duplicate hides which entry was meant",
    relaxable: false,
    check: (c) => LISTS.flatMap((l) => {
      const seen = new Map<string, string>();
      return entries(l.get(c), ...l.path).flatMap((e): ConfigIssue[] => {
        if (hasHostBits(e.range)) {
          const net = formatRange(networkOf(e.range));
          return [{ path: e.path, problem: `${e.text} has host bits set below its /${e.range.prefix}; Postfix refuses such a table entry`, fix: `write the network, ${net}, or the single address ${formatRange({ ...e.range, prefix: e.range.family === 4 ? 32 : 128 })}` }];
        }
        // Compared in canonical form: 2001:DB8::/48 and 2001:db8:0::/48 are one entry.
        const canonical = formatRange(e.range);
        const first = seen.get(canonical);
        seen.set(canonical, first ?? e.path);
        return first === undefined ? [] : [{ path: e.path, problem: `${e.text} is already listed at ${first} (as ${canonical})`, fix: "list it once" }];
      });
    }),
  },
  {
    id: "whole-internet-exemption",
    refuses: "bruteForce.ignoreIps or antispam.allowIps covering the whole Internet (0.0.0.0/0, ::/0)",
    why: "fail2ban would never ban anyone; postscreen and Rspamd would trust every sender",
    relaxable: false,
    check: (c) => exemptions(c).filter((e) => isWholeInternet(e.range)).map((e) => ({
      path: e.path, problem: `${e.text} is the whole Internet: every client would be one ${e.effect}`, fix: "list only the addresses you trust (your office, your monitoring host)",
    })),
  },
  {
    id: "config-wide-exemption",
    refuses: "never-ban and allow-list entries wider than a /24 (IPv4) or /48 (IPv6) of public address space",
    why: "everyone in such a range, attackers included, escapes the ban or the spam checks",
    relaxable: true,
    check: (c) => exemptions(c).filter((e) => !isWholeInternet(e.range) && isPublic(e.range) && sizeBits(e.range) > WIDEST_EXEMPTION_BITS[e.range.family]).map((e) => ({
      path: e.path, problem: `${e.text} covers 2^${sizeBits(e.range)} public addresses, each one ${e.effect}`, fix: `narrow it to the network you run (a /${e.range.family === 4 ? 24 : 48} or smaller)`,
    })),
  },
  {
    id: "block-internet-or-loopback",
    refuses: "antispam.blockIps covering the whole Internet, or loopback",
    why: "all inbound mail would be refused; the server's own submissions and checks come from loopback",
    relaxable: false,
    check: (c) => entries(c.antispam.blockIps, "antispam", "blockIps").flatMap((e): ConfigIssue[] => {
      if (isWholeInternet(e.range)) return [{ path: e.path, problem: `${e.text} is the whole Internet: every inbound message would be refused`, fix: "block only the senders you mean to" }];
      const lo = LOOPBACK.find((l) => contains(e.range, l));
      return lo === undefined ? [] : [{ path: e.path, problem: `${e.text} covers loopback (${formatRange(lo)}), where webmail, sync jobs and the server's own checks connect from`, fix: "remove it; loopback is never an outside sender" }];
    }),
  },
  {
    id: "config-wide-block",
    refuses: "antispam.blockIps entries wider than a /8 (IPv4) or /16 (IPv6)",
    why: "a block that wide refuses mail from a large share of the Internet",
    relaxable: true,
    check: (c) => entries(c.antispam.blockIps, "antispam", "blockIps").filter((e) => !isWholeInternet(e.range) && sizeBits(e.range) > WIDEST_BLOCK_BITS[e.range.family]).map((e) => ({
      path: e.path, problem: `${e.text} blocks 2^${sizeBits(e.range)} addresses, a large share of the Internet`, fix: "block the sending networks themselves",
    })),
  },
  {
    id: "block-allow-overlap",
    refuses: "a blockIps entry that overlaps an allowIps entry",
    why: "postscreen checks the allow list first, so the overlapping addresses are never blocked",
    relaxable: false,
    check: (c) => {
      const findOverlap = overlapFinder(entries(c.antispam.allowIps, "antispam", "allowIps"));
      return entries(c.antispam.blockIps, "antispam", "blockIps").flatMap((b) => {
        const hit = findOverlap(b.range);
        return hit === undefined ? [] : [{ path: b.path, problem: `${b.text} overlaps ${hit.text} (${hit.path}), and the allow list wins, so the block does nothing there`, fix: "remove the overlap from one of the two lists" }];
      });
    },
  },
];

/** Which entry (if any) overlaps a range: the entries sorted by first address with a running
 * maximum of last addresses, so 1,000 blocks against 1,000 allows is a few thousand steps. */
function overlapFinder(list: readonly Entry[]): (r: IpRange) => Entry | undefined {
  const byFamily = new Map<number, Array<{ first: bigint; last: bigint; entry: Entry }>>();
  for (const e of list) {
    const spans = byFamily.get(e.range.family) ?? [];
    spans.push({ first: e.range.base, last: lastAddress(e.range), entry: e });
    byFamily.set(e.range.family, spans);
  }
  const reach = new Map<number, Array<{ last: bigint; entry: Entry }>>();
  for (const [family, spans] of byFamily) {
    spans.sort((a, b) => (a.first < b.first ? -1 : a.first > b.first ? 1 : 0));
    let best: { last: bigint; entry: Entry } | undefined;
    reach.set(family, spans.map((s) => (best = best === undefined || s.last > best.last ? { last: s.last, entry: s.entry } : best)));
    byFamily.set(family, spans);
  }
  return (r) => {
    const spans = byFamily.get(r.family) ?? [];
    const first = r.base;
    const last = lastAddress(r);
    // The entries starting at or before the range's last address; the farthest-reaching of them
    // overlaps the range if it reaches its first address.
    let lo = 0;
    let hi = spans.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((spans[mid] as { first: bigint }).first <= last) lo = mid + 1;
      else hi = mid;
    }
    const far = lo > 0 ? reach.get(r.family)?.[lo - 1] : undefined;
    return far !== undefined && far.last >= first ? far.entry : undefined;
  };
}

function lastAddress(r: IpRange): bigint {
  return networkOf(r).base + (1n << BigInt(sizeBits(r))) - 1n;
}
