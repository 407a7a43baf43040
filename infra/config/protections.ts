// Settings that would switch a protection of the security model off are refused, each with the
// reason. Where an operator truly needs one (a wide office range, a big instance family not in
// the table), the rule is relaxable: `policy.relax` names the rule's id with a written reason,
// the same mechanism that relaxes a policy of the pack. A relaxation nothing needs is refused
// too, so a stale one cannot silently allow the next bad edit.
import type { ConfigIssue } from "./errors";
import { IP_LIST_PROTECTIONS } from "./protections-ip";
import { ANTISPAM_PROTECTIONS } from "./protections-antispam";
import { LIMIT_PROTECTIONS } from "./protections-limits";
import { INSTANCE_PROTECTIONS } from "./protections-instance";
import type { ParsedMailConfig } from "./schema";
import { closest } from "./suggest";
import { fieldPath } from "./zod-issues";

export interface Protection {
  /** Stable id; relaxable ones are named in policy.relax (ids start with "config-"). */
  readonly id: string;
  /** What is refused, in one line (the configuration reference lists these). */
  readonly refuses: string;
  /** Why: the protection it would switch off. */
  readonly why: string;
  readonly relaxable: boolean;
  readonly check: (cfg: ParsedMailConfig) => ConfigIssue[];
}

export const PROTECTIONS: readonly Protection[] = [...IP_LIST_PROTECTIONS, ...ANTISPAM_PROTECTIONS, ...LIMIT_PROTECTIONS, ...INSTANCE_PROTECTIONS];

export const RELAXABLE_PROTECTION_IDS: readonly string[] = PROTECTIONS.filter((p) => p.relaxable).map((p) => p.id);

/** Prefix that marks a policy.relax entry as a config protection rather than a pack policy. */
export const CONFIG_RELAX_PREFIX = "config-";

export function protectionIssues(cfg: ParsedMailConfig): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const relaxed = new Map<string, number>();
  cfg.policy.relax.forEach((r, i) => {
    if (!relaxed.has(r.id)) relaxed.set(r.id, i);
  });
  const used = new Set<string>();
  for (const p of PROTECTIONS) {
    const found = p.check(cfg);
    if (found.length === 0) continue;
    if (p.relaxable && relaxed.has(p.id)) {
      used.add(p.id);
      continue;
    }
    const relax = p.relaxable ? `; if it is truly needed: policy: { relax: [{ id: ${p.id}, reason: <why this stack needs it> }] }` : "";
    issues.push(...found.map((f) => ({ ...f, fix: `${f.fix}${relax}` })));
  }
  cfg.policy.relax.forEach((r, i) => {
    const path = fieldPath(["policy", "relax", i, "id"]);
    if (relaxed.get(r.id) !== i) {
      issues.push({ path, problem: `relaxes ${r.id} a second time`, fix: "keep one entry per id" });
    } else if (!r.id.startsWith(CONFIG_RELAX_PREFIX)) {
      return;
    } else if (!RELAXABLE_PROTECTION_IDS.includes(r.id)) {
      const near = closest(r.id, RELAXABLE_PROTECTION_IDS);
      issues.push({ path, problem: `${r.id} is not a relaxable config protection`, fix: near !== undefined ? `did you mean ${near}?` : `relaxable ids: ${RELAXABLE_PROTECTION_IDS.join(", ")}` });
    } else if (!used.has(r.id)) {
      issues.push({ path, problem: `relaxes ${r.id}, but nothing in this stack needs it`, fix: "remove the relaxation, so it cannot silently allow a later change" });
    }
  });
  return issues;
}
