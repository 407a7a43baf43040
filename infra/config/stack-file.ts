// Read a Pulumi.<stack>.yaml as Pulumi's runtime would present it to the program: a flat map of
// `namespace:key` -> string (objects and lists as JSON text), plus the set of secret keys.
// Secure values cannot be decrypted offline (no Pulumi CLI, and reviewers have no passphrase);
// they are replaced by a placeholder of the right shape, marked secret, and listed in `opaque`.
import { load } from "js-yaml";

export interface StackFile {
  readonly values: Record<string, string>;
  readonly secretKeys: Set<string>;
  /** Secret keys whose real value was not available and got OPAQUE_SECRET_PLACEHOLDER instead. */
  readonly opaque: string[];
}

/** A well-formed BLF-CRYPT hash of no known password: it validates, and it opens nothing. */
export const OPAQUE_SECRET_PLACEHOLDER = `{BLF-CRYPT}$2b$10$${"offlinePlaceholderNotARealHash.".padEnd(53, "x")}`;

export function parseStackFile(text: string, source: string): StackFile {
  const doc: unknown = load(text, { filename: source });
  const config = isRecord(doc) ? doc.config : undefined;
  if (config !== undefined && !isRecord(config)) throw new Error(`${source}: "config" must be a mapping of key: value`);
  const values: Record<string, string> = {};
  const secretKeys = new Set<string>();
  const opaque: string[] = [];
  for (const [key, value] of Object.entries(config ?? {})) {
    if (isRecord(value) && Object.keys(value).length === 1 && typeof value.secure === "string") {
      values[key] = OPAQUE_SECRET_PLACEHOLDER;
      secretKeys.add(key);
      opaque.push(key);
    } else if (typeof value === "string") {
      values[key] = value;
    } else {
      values[key] = JSON.stringify(value);
    }
  }
  return { values, secretKeys, opaque };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
