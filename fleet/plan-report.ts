// The fleet plan as a reviewer reads it (markdown, e.g. a PR comment) and as tools read it (JSON).
import type { FleetPlan, ResourceChangeLike, StackPlan } from "./plan";

const esc = (s: string) => s.replace(/\|/g, "\\|").replace(/\n/g, " ");

function changesCell(c: StackPlan["changes"]): string {
  if (c === undefined) return "";
  if (c === "new") return "new stack";
  if (c.length === 0) return "no changes";
  const n = (k: ResourceChangeLike["kind"]) => c.filter((x) => x.kind === k).length;
  return [["+", n("added")], ["~", n("changed")], ["-", n("removed")]].filter(([, v]) => Number(v) > 0).map(([s, v]) => `${String(s)}${String(v)}`).join(" ");
}

function policyCell(s: StackPlan): string {
  const p = s.policy;
  if (s.status !== "planned") return "";
  if (p === undefined) return "not checked";
  if (p.mandatoryFailed.length > 0) return `**FAIL** ${p.mandatoryFailed.join(", ")}`;
  const extra = [p.advisoryFailed.length > 0 ? `warn ${p.advisoryFailed.join(", ")}` : "", p.relaxed.length > 0 ? `relaxed ${p.relaxed.join(", ")}` : ""].filter(Boolean).join("; ");
  return `pass ${p.passed}/${p.total}${extra ? `; ${extra}` : ""}`;
}

export function formatPlanMarkdown(plan: FleetPlan): string {
  const lines: string[] = [];
  const failing = plan.stacks.filter((s) => s.status !== "planned" || (s.policy?.mandatoryFailed.length ?? 0) > 0);
  lines.push(plan.shard === undefined ? "# Fleet plan (offline)" : `# Fleet plan (offline), shard ${plan.shard.index}/${plan.shard.count}`, "");
  lines.push(`${plan.stacks.length} stack(s)${plan.shard === undefined ? "" : ` of ${plan.shard.fleetStacks} in the fleet`}${plan.base ? `, compared with \`${plan.base}\`` : ""}; ${plan.ok ? "**all planned, no mandatory policy violated**" : `**${failing.length} stack(s) need attention**`}. ` +
    `Wall time ${(plan.wallMs / 1000).toFixed(1)} s with at most ${plan.maxConcurrent} worker(s) at once (limit ${plan.parallel}).`, "");
  for (const n of plan.notes) lines.push(`> ${n}`);
  if (plan.notes.length > 0) lines.push("");
  lines.push(`| customer | env | status | resources |${plan.base ? " changes vs base |" : ""} policy | secrets pending | time |`);
  lines.push(`|---|---|---|---:|${plan.base ? "---|" : ""}---|---:|---:|`);
  for (const s of plan.stacks) {
    lines.push(`| ${s.customer} | ${s.environment} | ${s.status === "planned" ? "planned" : `**${s.status}**`} | ${s.resourceCount} |${plan.base ? ` ${changesCell(s.changes)} |` : ""} ${esc(policyCell(s))} | ${s.pendingSecrets.length} | ${(s.durationMs / 1000).toFixed(1)} s |`);
  }
  const errors = plan.stacks.filter((s) => s.errors.length > 0);
  if (errors.length > 0) {
    lines.push("", "## Errors", "");
    for (const s of errors) {
      lines.push(`### ${s.stack}`, "", "```", ...s.errors, "```", "");
    }
  }
  const changed = plan.stacks.filter((s) => Array.isArray(s.changes) && s.changes.length > 0);
  if (changed.length > 0) {
    lines.push("", "## Changes against the base", "");
    for (const s of changed) {
      lines.push(`<details><summary>${s.stack}: ${changesCell(s.changes)}</summary>`, "");
      for (const c of s.changes as readonly ResourceChangeLike[]) lines.push(`- ${c.kind === "added" ? "+" : c.kind === "removed" ? "-" : "~"} \`${c.type}\` ${c.name}${c.keys && c.keys.length > 0 ? ` (${c.keys.join(", ")})` : ""}`);
      lines.push("", "</details>");
    }
  }
  lines.push("", "## Resources by type", "");
  for (const s of plan.stacks.filter((x) => x.status === "planned")) {
    lines.push(`<details><summary>${s.stack}: ${s.resourceCount} resources</summary>`, "", "| type | count |", "|---|---:|");
    for (const [type, n] of Object.entries(s.resourcesByType)) lines.push(`| \`${type}\` | ${n} |`);
    lines.push("", "</details>");
  }
  return `${lines.join("\n")}\n`;
}

/** One-line state per stack for the terminal. */
export function planLine(s: StackPlan): string {
  const policy = policyCell(s).replace(/\*\*/g, "");
  return `${s.stack}: ${s.status}, ${s.resourceCount} resources${policy ? `, policy ${policy}` : ""}${s.changes !== undefined ? `, ${changesCell(s.changes)}` : ""}`;
}
