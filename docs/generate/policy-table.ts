// The policy table of docs/policy-pack.md, from the policy objects themselves (policy/all.ts):
// id, area, level, what it checks and why, in the order the pack runs them.
import { ALL_POLICIES } from "../../policy/all";
import { table } from "./blocks";

export function policyTable(): string {
  const rows = ALL_POLICIES.map((p) => [`\`${p.name}\``, p.area, p.enforcementLevel, p.description, p.why]);
  return `${ALL_POLICIES.length} policies.\n\n${table(["id", "area", "level", "what it checks", "why"], rows)}`;
}
