// Secret references live in their own space. A mailbox names the config key that holds its
// password hash (`passwordHashSecret`), a declared app password likewise, a post-deploy test
// mailbox the key that holds its password (`passwordSecret`); those keys are secrets, not settings, and are kept out of the
// settings the schema reads. A reference may never name a setting: `passwordSecret: environment`
// used to remove `environment` from a prod stack (making it dev), `passwordHashSecret: antispam`
// threw every block list away.
import type { ConfigIssue } from "./errors";
import { NAMESPACE, type RawStackConfig } from "./raw";
import { didYouMean } from "./suggest";
import { fieldPath } from "./zod-issues";

export interface SecretReference {
  readonly path: readonly PropertyKey[];
  readonly key: string;
  readonly holds: "password hash" | "mailbox password" | "app password hash";
  /** The mailbox address beside the reference, when it is a plain string. */
  readonly address: string | undefined;
}

/** What a referenced key holds, with an article and in the plural, for messages. */
const KINDS: Readonly<Record<SecretReference["holds"], { readonly one: string; readonly many: string }>> = {
  "password hash": { one: "a password hash", many: "password hashes" },
  "mailbox password": { one: "a mailbox password", many: "mailbox passwords" },
  "app password hash": { one: "an app password hash", many: "app password hashes" },
};

export interface SplitConfig {
  /** What the schema reads: settings only. */
  readonly settings: Record<string, unknown>;
  /** Keys (without namespace) that hold secrets mailboxes refer to. */
  readonly secretNames: ReadonlySet<string>;
  readonly issues: ConfigIssue[];
}

export function splitSecrets(entries: ReadonlyMap<string, unknown>, raw: RawStackConfig, settingNames: readonly string[]): SplitConfig {
  const issues: ConfigIssue[] = [];
  const refs = secretReferences(entries);
  const secretNames = new Set<string>();
  const firstUse = new Map<string, SecretReference>();
  for (const ref of refs) {
    const at = fieldPath(ref.path);
    if (settingNames.includes(ref.key)) {
      issues.push({ path: at, problem: `names the setting ${NAMESPACE}:${ref.key}; a secret reference must name a key of its own (the setting stays a setting)`, fix: `name a dedicated key, e.g. ${suggestKey(ref)}, and set it: pulumi config set --secret ${NAMESPACE}:${suggestKey(ref)} '<${ref.holds}>'` });
      continue;
    }
    const earlier = firstUse.get(ref.key);
    if (earlier !== undefined) {
      issues.push(earlier.holds === ref.holds
        ? { path: at, problem: `${NAMESPACE}:${ref.key} is already the ${ref.holds} key of ${fieldPath(earlier.path)}; two accounts would share one secret`, fix: `give each its own key, e.g. ${suggestKey(ref)}` }
        : { path: at, problem: `${NAMESPACE}:${ref.key} is the ${earlier.holds} key of ${fieldPath(earlier.path)}, but is used here for ${KINDS[ref.holds].one}`, fix: `keep ${KINDS[ref.holds].many} in keys of their own, e.g. ${suggestKey(ref)}` });
      continue;
    }
    firstUse.set(ref.key, ref);
    secretNames.add(ref.key);
  }
  const settings: Record<string, unknown> = {};
  for (const [key, value] of entries) {
    if (secretNames.has(key)) continue;
    const secret = raw.secretKeys.has(`${NAMESPACE}:${key}`);
    if (secret && !settingNames.includes(key)) {
      issues.push({ path: fieldPath([key]), problem: "is a secret that no mailbox refers to (a leftover, or a misspelled setting set with --secret)", fix: didYouMean(key, settingNames, `remove it (pulumi config rm ${NAMESPACE}:${key}) or refer to it from mailboxes[].passwordHashSecret`) });
      continue;
    }
    if (secret) {
      issues.push({ path: fieldPath([key]), problem: "is a setting stored as a secret; settings are plain text, read by the offline plan and the policy pack, which have no passphrase (value not shown)", fix: `store it in plain text: pulumi config set ${NAMESPACE}:${key} '<value>'` });
      continue;
    }
    settings[key] = value;
  }
  return { settings, secretNames, issues };
}

/** Every reference a stack file makes, whether or not post-deploy verify is enabled. */
function secretReferences(entries: ReadonlyMap<string, unknown>): SecretReference[] {
  const out: SecretReference[] = [];
  const collect = (list: unknown, base: PropertyKey[], field: string, holds: SecretReference["holds"]) => {
    if (!Array.isArray(list)) return;
    list.forEach((m: unknown, i) => {
      const key = isRecord(m) ? m[field] : undefined;
      const address = isRecord(m) && typeof m.address === "string" ? m.address : undefined;
      if (typeof key === "string") out.push({ path: [...base, i, field], key, holds, address });
    });
  };
  collect(entries.get("mailboxes"), ["mailboxes"], "passwordHashSecret", "password hash");
  const verify = entries.get("verifyAfterDeploy");
  collect(isRecord(verify) ? verify.mailboxes : undefined, ["verifyAfterDeploy", "mailboxes"], "passwordSecret", "mailbox password");
  const auth = entries.get("auth");
  collect(isRecord(auth) ? auth.serviceAppPasswords : undefined, ["auth", "serviceAppPasswords"], "passwordHashSecret", "app password hash");
  return out;
}

/** A key name in the stacks' own convention: alice-password (hash), alice-verify-password. */
function suggestKey(ref: SecretReference): string {
  const local = /^[a-z0-9](?:[a-z0-9-]{0,30})/.exec(ref.address?.split("@")[0]?.replace(/[._+]/g, "-") ?? "")?.[0] ?? `mailbox${String(ref.path[ref.path.length - 2])}`;
  return ref.holds === "password hash" ? `${local}-password` : ref.holds === "app password hash" ? `${local}-app-password` : `${local}-verify-password`;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
