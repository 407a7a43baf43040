// Postfix's DNSBL reply filter (postconf(5), postscreen_dnsbl_sites): four dot-separated
// octet patterns, each a number or a bracketed list of numbers and ranges, e.g.
// 127.0.0.[2..11] or 127.0.[0..255].[1;3;10..20]. The schema checks the shape; this reads the
// numbers, so 127.0.0.999 or [11..2] (which match nothing: the list would never fire) are refused.

/** One octet pattern as inclusive ranges. */
export type OctetSet = ReadonlyArray<readonly [number, number]>;

export type DnsblFilter = { readonly ok: true; readonly octets: readonly OctetSet[] } | { readonly ok: false; readonly problem: string };

export function parseDnsblFilter(text: string): DnsblFilter {
  // Inside brackets ".." separates range ends; split on dots outside brackets only.
  const octets: string[] = [];
  let cur = "";
  let inBracket = false;
  for (const ch of text) {
    if (ch === "[") inBracket = true;
    if (ch === "]") inBracket = false;
    if (ch === "." && !inBracket) {
      octets.push(cur);
      cur = "";
    } else cur += ch;
  }
  octets.push(cur);
  if (octets.length !== 4) return { ok: false, problem: "does not have four octets" };
  const sets: OctetSet[] = [];
  for (const [i, o] of octets.entries()) {
    const items = o.startsWith("[") && o.endsWith("]") ? o.slice(1, -1).split(";") : [o];
    const ranges: Array<readonly [number, number]> = [];
    for (const item of items) {
      const m = /^([0-9]{1,3})(?:\.\.([0-9]{1,3}))?$/.exec(item);
      if (m === null) return { ok: false, problem: `has ${o} as octet ${i + 1}, which is not a number, a list or a range` };
      const lo = Number(m[1]);
      const hi = m[2] === undefined ? lo : Number(m[2]);
      if (lo > 255 || hi > 255) return { ok: false, problem: `has ${Math.max(lo, hi)} in octet ${i + 1}, above 255, so it matches no reply` };
      if (lo > hi) return { ok: false, problem: `has the range ${lo}..${hi} in octet ${i + 1}, which runs backwards and matches nothing` };
      ranges.push([lo, hi]);
    }
    sets.push(ranges);
  }
  if (!matches(sets[0] as OctetSet, 127)) return { ok: false, problem: "does not start with 127, where DNSBL replies are" };
  return { ok: true, octets: sets };
}

/** Can one reply address match both filters? (An absent filter matches every reply.) */
export function filtersOverlap(a: readonly OctetSet[] | undefined, b: readonly OctetSet[] | undefined): boolean {
  if (a === undefined || b === undefined) return true;
  return a.every((set, i) => set.some(([lo, hi]) => (b[i] as OctetSet).some(([lo2, hi2]) => lo <= hi2 && lo2 <= hi)));
}

function matches(set: OctetSet, n: number): boolean {
  return set.some(([lo, hi]) => lo <= n && n <= hi);
}
