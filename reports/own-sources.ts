// Which sending addresses are yours (the server's own address, a relay such as Amazon SES's
// ranges), as CIDRs. A DMARC failure from one of them is your problem (an alert); a failure from
// any other address is someone sending as you, stopped or not by your policy.
import { BlockList, isIP } from "node:net";

export interface OwnSources {
  readonly cidrs: readonly string[];
  has(ip: string): boolean;
}

/** Parses "203.0.113.5", "203.0.113.0/24", "2001:db8::/32"; every bad entry is named at once. */
export function ownSources(entries: readonly string[]): OwnSources {
  const list = new BlockList();
  const problems: string[] = [];
  for (const entry of entries) {
    const [address = "", prefix, extra] = entry.trim().split("/");
    const family = isIP(address);
    const bits = prefix === undefined ? (family === 6 ? 128 : 32) : Number(prefix);
    const max = family === 6 ? 128 : 32;
    if (family === 0 || extra !== undefined || !Number.isInteger(bits) || bits < 0 || bits > max || (prefix !== undefined && !/^\d+$/.test(prefix))) {
      problems.push(`--own ${JSON.stringify(entry)}: expected an IPv4 or IPv6 address or CIDR (203.0.113.5, 203.0.113.0/24, 2001:db8::/32)`);
      continue;
    }
    list.addSubnet(address, bits, family === 6 ? "ipv6" : "ipv4");
  }
  if (problems.length > 0) throw new Error(problems.join("\n"));
  return {
    cidrs: entries.map((e) => e.trim()),
    has: (ip) => {
      const family = isIP(ip);
      return family !== 0 && list.check(ip, family === 6 ? "ipv6" : "ipv4");
    },
  };
}
