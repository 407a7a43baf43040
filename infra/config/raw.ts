// How stack config arrives: Pulumi hands a flat map `namespace:key -> string`, where structured
// values (objects, lists) are JSON text and scalars are plain text ("25", "true", "mail.x.y").
// This turns that map into plain data for the schema, and keeps track of which keys are secret.

export interface RawStackConfig {
  /** Every config value of the stack, keyed `namespace:key`, as Pulumi's runtime gives them. */
  readonly values: Readonly<Record<string, string>>;
  /** The keys (`namespace:key`) that were set with `--secret`. */
  readonly secretKeys: ReadonlySet<string>;
}

export const NAMESPACE = "mailfort";

/** Parse one config value: JSON where it is JSON (objects, lists, numbers, booleans), else text. */
export function decodeValue(text: string): unknown {
  const t = text.trim();
  if (t === "") return text;
  // An object starts {" or {} in JSON: "{BLF-CRYPT}..." and other braced text is text, decided
  // without a thrown exception (5,000 password hashes made that cost 60 ms).
  if (/^(?:\[|\{\s*["}])/.test(t) || /^(?:true|false|null|-?\d+(?:\.\d+)?)$/.test(t)) {
    try {
      return JSON.parse(t);
    } catch {
      return text;
    }
  }
  return text;
}

/** The `mailfort:` keys (without prefix) and their decoded values. */
export function namespaceEntries(raw: RawStackConfig): Map<string, unknown> {
  const out = new Map<string, unknown>();
  for (const [key, value] of Object.entries(raw.values)) {
    if (key.startsWith(`${NAMESPACE}:`)) out.set(key.slice(NAMESPACE.length + 1), decodeValue(value));
  }
  return out;
}
