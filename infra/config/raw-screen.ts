// The first look at a stack's config map, before the schema: every key must belong to a
// namespace something here reads (a misspelled `mailfrot:limits` would otherwise be ignored and
// its limits silently lost), no key or text may carry control characters, and no key may be a
// JavaScript prototype name (`mailfort:__proto__` used to set the defaults of every setting).
// Offending entries are reported and left out; the rest goes on to the schema.
import { type ConfigIssue, hasUnprintable, showKey } from "./errors";
import { NAMESPACE, type RawStackConfig, decodeValue } from "./raw";
import { didYouMean, listNames } from "./suggest";
import { fieldPath } from "./zod-issues";

/** The config keys the AWS provider reads (@pulumi/aws config; a test keeps this list in step). */
export const AWS_PROVIDER_KEYS = [
  "accessKey", "allowedAccountIds", "assumeRoleWithWebIdentity", "assumeRoles", "customCaBundle", "defaultTags",
  "ec2MetadataServiceEndpoint", "ec2MetadataServiceEndpointMode", "endpoints", "forbiddenAccountIds", "httpProxy",
  "httpsProxy", "ignoreTags", "insecure", "maxRetries", "noProxy", "profile", "region", "retryMode",
  "s3UsEast1RegionalEndpoint", "s3UsePathStyle", "secretKey", "sharedConfigFiles", "sharedCredentialsFiles",
  "skipCredentialsValidation", "skipMetadataApiCheck", "skipRegionValidation", "skipRequestingAccountId", "stsRegion",
  "tagPolicyCompliance", "token", "tokenBucketRateLimiterCapacity", "useDualstackEndpoint", "useFipsEndpoint", "userAgents",
] as const;

/** Namespaces with readers: this program, its providers (aws, tls, command) and Pulumi itself. */
const KNOWN_NAMESPACES: Record<string, readonly string[] | "any"> = {
  [NAMESPACE]: "any", aws: AWS_PROVIDER_KEYS, tls: ["proxy"], command: [], pulumi: "any",
};

const PROTOTYPE_KEYS = new Set(["__proto__", "constructor", "prototype"]);
/** The widest setting (limits) has 7 keys; a mapping this wide is not a setting. */
const MAX_KEYS_PER_MAPPING = 64;
/** The longest lists (mailboxes, aliases) hold at most 5,000 entries. */
const MAX_LIST = 10_000;
/** Settings, one secret per mailbox (at most 5,000), the providers' keys: a stack holds fewer. */
export const MAX_CONFIG_KEYS = 5_200;

export interface ScreenedConfig {
  /** The `mailfort:` keys (without prefix) and their decoded, screened values. */
  readonly entries: Map<string, unknown>;
  readonly issues: ConfigIssue[];
  /** The config as a whole is refused: nothing after this stage would add anything useful. */
  readonly fatal: boolean;
}

export function screenRawConfig(raw: RawStackConfig, settings: readonly string[]): ScreenedConfig {
  const entries = new Map<string, unknown>();
  const issues: ConfigIssue[] = [];
  const count = Object.keys(raw.values).length;
  if (count > MAX_CONFIG_KEYS) {
    issues.push({ path: "config", problem: `holds ${count} keys; a stack (5,000 mailboxes with their secrets) needs at most ${MAX_CONFIG_KEYS}`, fix: "remove the keys nothing reads; split a larger customer over several stacks" });
    return { entries, issues, fatal: true };
  }
  for (const [fullKey, text] of Object.entries(raw.values)) {
    const colon = fullKey.indexOf(":");
    const ns = colon < 0 ? undefined : fullKey.slice(0, colon);
    const key = colon < 0 ? fullKey : fullKey.slice(colon + 1);
    const shown = showKey(fullKey);
    if (hasUnprintable(fullKey)) {
      issues.push({ path: shown, problem: "has a control or invisible character in its name", fix: "retype the key: names are plain letters, digits, '-' and '_'" });
      continue;
    }
    if (ns === undefined || ns === "") {
      issues.push({ path: shown, problem: "has no namespace, so nothing reads it", fix: settings.includes(key) ? `write it as ${NAMESPACE}:${key}` : `write namespace:key, e.g. ${NAMESPACE}:${showKey(key)}` });
      continue;
    }
    const known = KNOWN_NAMESPACES[ns];
    if (known === undefined) {
      const fix = didYouMean(ns, Object.keys(KNOWN_NAMESPACES), `mailfort's settings live under ${NAMESPACE}:; other namespaces here are read by nobody`);
      issues.push({ path: shown, problem: `is in namespace ${showKey(ns)}, which nothing in this program reads (its value would be ignored)`, fix: fix.replace(/^did you mean (\S+)\?/, `did you mean $1:${showKey(key)}?`) });
      continue;
    }
    if (known !== "any" && !known.includes(key)) {
      issues.push({ path: shown, problem: `is not a setting of the ${ns} provider`, fix: didYouMean(key, known, known.length > 0 ? `the ${ns} provider reads: ${listNames(known)}` : `remove it: the ${ns} provider reads no settings`) });
      continue;
    }
    if (ns !== NAMESPACE) continue;
    if (PROTOTYPE_KEYS.has(key)) {
      issues.push({ path: shown, problem: "is a JavaScript prototype name, not a setting", fix: "remove it" });
      continue;
    }
    // A secret is a value as written (a hash, a password): never decoded, inspected or echoed.
    const secret = raw.secretKeys.has(fullKey);
    const value = secret ? text : screenValue(decodeValue(text), { parent: undefined, key }, issues);
    entries.set(key, value);
  }
  return { entries, issues, fatal: false };
}

/** A field path as a chain to its parent, so the 50,000 values of a large stack cost no arrays
 * unless one of them is reported. */
interface PathLink { readonly parent: PathLink | undefined; readonly key: PropertyKey }

function pathOf(link: PathLink): PropertyKey[] {
  const out: PropertyKey[] = [];
  for (let l: PathLink | undefined = link; l !== undefined; l = l.parent) out.unshift(l.key);
  return out;
}

/** Copy a decoded value, dropping (and reporting) prototype keys, control characters and
 * encrypted values nested inside a setting. */
function screenValue(value: unknown, link: PathLink, issues: ConfigIssue[]): unknown {
  if (typeof value === "string") {
    if (hasUnprintable(value)) {
      issues.push({ path: fieldPath(pathOf(link)), problem: "contains a control or invisible character (e.g. a newline, an ANSI escape, a NUL or a bidi override)", fix: "remove it: no setting takes one" });
      return undefined;
    }
    return value;
  }
  if (Array.isArray(value)) {
    if (value.length > MAX_LIST) {
      issues.push({ path: fieldPath(pathOf(link)), problem: `is a list of ${value.length} entries; no mailfort list holds more than 5,000`, fix: "split the stack, or check the file for a generated or repeated block" });
      return undefined;
    }
    return value.map((v, i) => screenValue(v, { parent: link, key: i }, issues));
  }
  if (typeof value !== "object" || value === null) return value;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj);
  if (keys.length > MAX_KEYS_PER_MAPPING) {
    issues.push({ path: fieldPath(pathOf(link)), problem: `is a mapping of ${keys.length} keys; no mailfort setting has more than ${MAX_KEYS_PER_MAPPING}`, fix: "keep only the settings the configuration reference lists" });
    return undefined;
  }
  if (keys.length === 1 && keys[0] === "secure" && typeof obj.secure === "string") {
    issues.push({ path: fieldPath(pathOf(link)), problem: "holds an encrypted (secure:) value, but mailfort settings are plain text (only the keys mailboxes refer to are secrets)", fix: "write the setting in plain text; keep secrets as their own keys" });
    return undefined;
  }
  const out: Record<string, unknown> = {};
  for (const k of keys) {
    if (PROTOTYPE_KEYS.has(k) || hasUnprintable(k)) {
      issues.push({ path: fieldPath([...pathOf(link), k]), problem: PROTOTYPE_KEYS.has(k) ? "is a JavaScript prototype name, not a setting" : "has a control or invisible character in its name", fix: "remove it" });
      continue;
    }
    out[k] = screenValue(obj[k], { parent: link, key: k }, issues);
  }
  return out;
}
