// IP addresses and CIDR ranges as numbers, so the config can judge what a range covers (the
// whole Internet, loopback, another list's entry) instead of matching text. Strict textual forms
// only: dotted quads without leading zeros, IPv6 hex groups with at most one "::" (no zone ids,
// no embedded IPv4), any case on input; ranges must have their host bits clear.

export type IpFamily = 4 | 6;

export interface IpRange {
  readonly family: IpFamily;
  /** The first address of the range. */
  readonly base: bigint;
  readonly prefix: number;
}

const BITS: Record<IpFamily, number> = { 4: 32, 6: 128 };

export function parseIpv4(text: string): bigint | undefined {
  const parts = text.split(".");
  if (parts.length !== 4) return undefined;
  let out = 0n;
  for (const p of parts) {
    if (!/^(?:0|[1-9][0-9]{0,2})$/.test(p) || Number(p) > 255) return undefined;
    out = (out << 8n) | BigInt(p);
  }
  return out;
}

export function parseIpv6(text: string): bigint | undefined {
  if (!/^[0-9a-fA-F:]{2,39}$/.test(text)) return undefined;
  const halves = text.split("::");
  if (halves.length > 2) return undefined;
  const groups = (half: string) => (half === "" ? [] : half.split(":"));
  const head = groups(halves[0] as string);
  const tail = halves.length === 2 ? groups(halves[1] as string) : [];
  const all = [...head, ...tail];
  if (!all.every((g) => /^[0-9a-fA-F]{1,4}$/.test(g))) return undefined;
  // "::" stands for at least one zero group; without it there must be exactly eight.
  if (halves.length === 2 ? all.length > 7 : all.length !== 8) return undefined;
  const filled = [...head, ...Array<string>(8 - all.length).fill("0"), ...tail];
  return filled.reduce((acc, g) => (acc << 16n) | BigInt(`0x${g}`), 0n);
}

/** An address or a CIDR range; a bare address is a single-address range. */
export function parseIpRange(text: string): IpRange | undefined {
  const [ip, len, ...rest] = text.split("/");
  if (rest.length > 0 || ip === undefined) return undefined;
  const v4 = parseIpv4(ip);
  const family: IpFamily | undefined = v4 !== undefined ? 4 : parseIpv6(ip) !== undefined ? 6 : undefined;
  if (family === undefined) return undefined;
  const base = (v4 ?? parseIpv6(ip)) as bigint;
  if (len === undefined) return { family, base, prefix: BITS[family] };
  if (!/^(?:0|[1-9][0-9]{0,2})$/.test(len) || Number(len) > BITS[family]) return undefined;
  return { family, base, prefix: Number(len) };
}

/** Does the range have bits set below its prefix (198.51.100.7/24)? Postfix refuses such a cidr table. */
export function hasHostBits(r: IpRange): boolean {
  return (r.base & hostMask(r)) !== 0n;
}

/** The range with its host bits cleared: what the user most likely meant. */
export function networkOf(r: IpRange): IpRange {
  return { ...r, base: r.base & ~hostMask(r) };
}

export function contains(outer: IpRange, inner: IpRange): boolean {
  return outer.family === inner.family && outer.prefix <= inner.prefix && (inner.base & ~hostMask(outer)) === (outer.base & ~hostMask(outer));
}

/** Canonical text: dotted quad, or RFC 5952 IPv6 (lowercase, longest zero run as "::"). */
export function formatRange(r: IpRange): string {
  const addr = r.family === 4 ? formatIpv4(r.base) : formatIpv6(r.base);
  return r.prefix === BITS[r.family] ? addr : `${addr}/${r.prefix}`;
}

/** The canonical form of an address or range as written, or undefined when it is not one. */
export function normaliseIpOrCidr(text: string): string | undefined {
  const r = parseIpRange(text);
  return r === undefined ? undefined : formatRange(r);
}

/** The number of addresses in the range, as a power of two. */
export function sizeBits(r: IpRange): number {
  return BITS[r.family] - r.prefix;
}

function hostMask(r: IpRange): bigint {
  return (1n << BigInt(BITS[r.family] - r.prefix)) - 1n;
}

function formatIpv4(n: bigint): string {
  return [24n, 16n, 8n, 0n].map((s) => String((n >> s) & 255n)).join(".");
}

function formatIpv6(n: bigint): string {
  const groups = Array.from({ length: 8 }, (_, i) => Number((n >> BigInt(112 - 16 * i)) & 0xffffn));
  let best = { start: -1, len: 0 };
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > best.len && j - i > 1) best = { start: i, len: j - i };
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best.start < 0) return hex.join(":");
  return `${hex.slice(0, best.start).join(":")}::${hex.slice(best.start + best.len).join(":")}`;
}
