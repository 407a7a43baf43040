// Checks of how clients authenticate: app passwords need somewhere to come from (the webmail, or
// declared ones), and a declared app password belongs to a mailbox of the stack, has a name of its
// own there, and is a strong hash kept as a secret, like a mailbox password.
import type { ConfigIssue } from "./errors";
import { PASSWORD_HASH_FIX, isStrongPasswordHash } from "./password-hash";
import { NAMESPACE, type RawStackConfig } from "./raw";
import type { ParsedMailConfig } from "./schema";
import { fieldPath } from "./zod-issues";

export function authIssues(cfg: ParsedMailConfig, raw: RawStackConfig): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const at = (...path: PropertyKey[]) => fieldPath(["auth", ...path]);
  if (cfg.auth.appPasswords === true && !cfg.features.webmail && cfg.auth.serviceAppPasswords.length === 0) {
    issues.push({ path: at("appPasswords"), problem: "is on, but there is no webmail to make app passwords in and none is declared, so no client could sign in", fix: "turn features.webmail on, declare auth.serviceAppPasswords, or turn auth.appPasswords off" });
  }
  const mailboxes = new Set(cfg.mailboxes.map((m) => m.address));
  const seen = new Set<string>();
  cfg.auth.serviceAppPasswords.forEach((p, i) => {
    if (!mailboxes.has(p.address)) issues.push({ path: at("serviceAppPasswords", i, "address"), problem: `${p.address} is not a mailbox of this stack`, fix: "use an address listed under mailfort:mailboxes" });
    if (seen.has(`${p.address} ${p.name}`)) issues.push({ path: at("serviceAppPasswords", i, "name"), problem: `${p.address} already has an app password named ${p.name}`, fix: "give each of a mailbox's app passwords its own name" });
    seen.add(`${p.address} ${p.name}`);
    const key = `${NAMESPACE}:${p.passwordHashSecret}`;
    const value = raw.values[key];
    if (value === undefined) {
      issues.push({ path: at("serviceAppPasswords", i, "passwordHashSecret"), problem: `refers to ${key}, which is not set`, fix: PASSWORD_HASH_FIX.replace("<key>", key) });
      return;
    }
    if (!raw.secretKeys.has(key) && cfg.environment !== "lab") issues.push({ path: key, problem: "holds an app password hash in plain text in the stack file", fix: `re-set it encrypted: pulumi config set --secret ${key} '<hash>'` });
    if (!isStrongPasswordHash(value)) issues.push({ path: key, problem: "is not an ARGON2ID or BLF-CRYPT hash with its {SCHEME} prefix (value not shown)", fix: PASSWORD_HASH_FIX.replace("<key>", key) });
  });
  return issues;
}
