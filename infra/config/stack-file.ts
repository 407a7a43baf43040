// Read a Pulumi.<stack>.yaml as Pulumi's runtime would present it to the program: a flat map of
// `namespace:key` -> string (objects and lists as JSON text), plus the set of secret keys.
// Secure values cannot be decrypted offline (no Pulumi CLI, and reviewers have no passphrase);
// they are replaced by a placeholder of the right shape, marked secret, and listed in `opaque`.
// What is wrong with the file itself (YAML, its top-level keys, a malformed secure value) is
// refused here; what is wrong with the settings is left to parseMailConfig, all at once.
import { ConfigError, type ConfigIssue, showKey } from "./errors";
import { MAX_CONFIG_KEYS } from "./raw-screen";
import { didYouMean } from "./suggest";
import { loadBoundedYaml } from "./yaml-bounds";

export interface StackFile {
  readonly values: Record<string, string>;
  readonly secretKeys: Set<string>;
  /** Secret keys whose real value was not available and got OPAQUE_SECRET_PLACEHOLDER instead. */
  readonly opaque: string[];
}

/** A well-formed BLF-CRYPT hash of no known password: it validates, and it opens nothing. */
export const OPAQUE_SECRET_PLACEHOLDER = `{BLF-CRYPT}$2b$10$${"offlinePlaceholderNotARealHash.".padEnd(53, "x")}`;

/** The top-level keys of a Pulumi stack file (Pulumi's ProjectStack). */
const STACK_FILE_KEYS = ["config", "encryptionsalt", "secretsprovider", "encryptedkey", "environment"] as const;

export function parseStackFile(text: string, source: string): StackFile {
  const loaded = loadBoundedYaml(text, source);
  if (!loaded.ok) throw new ConfigError(loaded.issues, source);
  const doc = loaded.value;
  if (!isRecord(doc)) {
    throw new ConfigError([{ path: source, problem: `is ${doc === null ? "an empty document" : "not a mapping of key: value"}`, fix: "start the file with `config:` and the settings under it (see the configuration reference)" }], source);
  }
  const issues: ConfigIssue[] = [];
  for (const key of Object.keys(doc)) {
    if ((STACK_FILE_KEYS as readonly string[]).includes(key)) continue;
    issues.push(key.includes(":")
      ? { path: showKey(key), problem: "is a config key written at the top level of the file, where Pulumi ignores it", fix: `indent it under config: (two spaces before ${showKey(key)}:)` }
      : { path: showKey(key), problem: "is not a key of a Pulumi stack file", fix: didYouMean(key, STACK_FILE_KEYS, `a stack file holds only ${STACK_FILE_KEYS.join(", ")}`) });
  }
  const config = doc.config ?? {};
  if (!isRecord(config)) {
    issues.push({ path: "config", problem: "is not a mapping of namespace:key: value", fix: "write each setting as an indented `mailfort:<key>: <value>` line under config:" });
  }
  // No prototype: a key named __proto__ stays a key (and is refused by name later).
  const keyCount = isRecord(config) ? Object.keys(config).length : 0;
  if (keyCount > MAX_CONFIG_KEYS) {
    throw new ConfigError([{ path: "config", problem: `holds ${keyCount} keys; a stack (5,000 mailboxes with their secrets) needs at most ${MAX_CONFIG_KEYS}`, fix: "remove the keys nothing reads; split a larger customer over several stacks" }], source);
  }
  const values: Record<string, string> = Object.create(null) as Record<string, string>;
  const secretKeys = new Set<string>();
  const opaque: string[] = [];
  for (const [key, value] of Object.entries(isRecord(config) ? config : {})) {
    if (isRecord(value) && "secure" in value) {
      if (Object.keys(value).length !== 1 || typeof value.secure !== "string") {
        issues.push({ path: showKey(key), problem: "is a malformed secure value (a mapping with `secure` must hold exactly one text, the ciphertext)", fix: `set it again with: pulumi config set --secret ${showKey(key)} '<value>'` });
        continue;
      }
      values[key] = OPAQUE_SECRET_PLACEHOLDER;
      secretKeys.add(key);
      opaque.push(key);
    } else {
      values[key] = typeof value === "string" ? value : JSON.stringify(finite(value));
    }
  }
  if (issues.length > 0) throw new ConfigError(issues, source);
  return { values, secretKeys, opaque };
}

/** JSON has no infinity or NaN (JSON.stringify turns them into null): keep them as the text YAML
 * writes, so the setting is refused as "a number was expected" instead of read as empty. */
function finite(value: unknown): unknown {
  if (typeof value === "number" && !Number.isFinite(value)) return Number.isNaN(value) ? ".nan" : value > 0 ? ".inf" : "-.inf";
  if (Array.isArray(value)) return value.map(finite);
  if (isRecord(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, finite(v)]));
  return value;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
