// Ids a synth invents differ from run to run, but which resource an input points at does not.
// Before two synths are compared, every id that belongs to a resource of the same synth is
// written as that resource's name: an attachment that now points at another volume is a change
// the plan shows ("<mailfort-prod-host-data>" -> "<mailfort-prod-host-data-snap-…>"), where
// masking every id alike would hide it.

/** What the mocks make ids of: EC2 and IAM-style ids, KMS key UUIDs, Route53 zone ids. */
const INVENTED_ID = /^(?:(?:vol|i|sg|subnet|vpc|eipalloc|igw|rtb|rtbassoc|policy)-0[0-9a-f]{16}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|Z0[A-Z0-9]{19})$/;

/** id -> the name of the resource it belongs to (only ids the mocks invent). */
export function resourceIds(resources: ReadonlyArray<{ readonly id?: string; readonly name: string }>): Record<string, string> {
  return Object.fromEntries(resources.filter((r) => r.id !== undefined && INVENTED_ID.test(r.id)).map((r) => [r.id as string, r.name]));
}

/** A deep copy with every known id (also inside a longer string, e.g. an ARN) named. */
export function nameIds(value: unknown, ids: Readonly<Record<string, string>>): unknown {
  const known = Object.keys(ids);
  if (known.length === 0) return value;
  const pattern = new RegExp(known.map((id) => id.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|"), "g");
  const walk = (v: unknown): unknown => {
    if (typeof v === "string") return v.replace(pattern, (id) => `<${ids[id] ?? id}>`);
    if (Array.isArray(v)) return v.map(walk);
    if (typeof v === "object" && v !== null) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  return walk(value);
}
