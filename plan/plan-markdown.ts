// A PlanDiff as markdown fit for a pull-request comment: summary first, details folded.
import { formatMarkdown } from "../policy/report";
import type { PolicyOutcome } from "../policy/run";
import { dataVolumeMarkdown } from "./data-volume";
import type { PlanDiff } from "./plan-diff";

const fence = (lang: string, body: string) => `\`\`\`${lang}\n${body.replace(/```/g, "ʼʼʼ").trimEnd()}\n\`\`\``;
const details = (summary: string, body: string) => `<details><summary>${summary}</summary>\n\n${body}\n\n</details>`;

function failing(outcomes: readonly PolicyOutcome[]): Set<string> {
  return new Set(outcomes.filter((o) => o.violations.length > 0 && o.level !== "disabled").map((o) => o.id));
}

export function planMarkdown(d: PlanDiff, refs: { readonly base: string; readonly head: string }): string {
  const count = (k: string) => d.resources.filter((r) => r.kind === k).length;
  const out: string[] = [];
  out.push(`## mailfort plan: stack \`${d.stack}\``, "");
  out.push(`Offline synth of \`${refs.base}\` vs \`${refs.head}\` (Pulumi mocks, no cloud credentials). Mock ids, keys and certificates are masked; a real \`pulumi preview\` may also show replacements caused by provider defaults.`, "");
  out.push(`**Resources:** ${count("added")} to add, ${count("changed")} to change, ${count("removed")} to remove (${d.resourceCounts.base} -> ${d.resourceCounts.head}).  `);
  out.push(`**DNS records:** +${d.records.added.length} / -${d.records.removed.length}.  `);
  out.push(`**Open ports:** ${d.ports.added.length + d.ports.removed.length === 0 ? "unchanged" : `+${d.ports.added.length} / -${d.ports.removed.length}`}.  `);
  if (d.dkimRotation !== undefined) {
    const r = d.dkimRotation;
    out.push(`**DKIM rotation:** ${r.advanced ? "this up takes a step: " : ""}${r.says}; next \`pulumi up\`: ${r.next.says}${r.next.notBefore !== undefined ? `, not before ${r.next.notBefore}` : ""}.  `);
  }
  out.push(`**Host files:** ${d.files.length === 0 ? "unchanged" : `${d.files.length} changed`}${d.files.length > 0 ? " (the instance is replaced: the user data pins the host files; the data volume re-attaches)" : ""}.`, "");

  // The one change a reviewer must not miss: where the mail lives.
  if (d.dataVolume !== undefined) out.push(...dataVolumeMarkdown(d.dataVolume));

  const baseFail = failing(d.policies.base);
  const headFail = failing(d.policies.head);
  const newly = [...headFail].filter((id) => !baseFail.has(id));
  const fixed = [...baseFail].filter((id) => !headFail.has(id));
  out.push("### Policies", "");
  if (newly.length > 0) out.push(`:warning: newly failing: ${newly.map((x) => `\`${x}\``).join(", ")}`, "");
  if (fixed.length > 0) out.push(`:tada: fixed: ${fixed.map((x) => `\`${x}\``).join(", ")}`, "");
  out.push(formatMarkdown(d.policies.head), "");

  if (d.resources.length > 0) {
    const rows = d.resources.map((r) => `| ${r.kind === "added" ? "+ add" : r.kind === "removed" ? "- remove" : "~ change"} | \`${r.type}\` | \`${r.name}\` | ${r.keys.map((k) => `\`${k}\``).join(", ")} |`);
    out.push("### Resources", "", "| | type | name | changed inputs |", "|---|---|---|---|", ...rows, "");
  }
  if (d.records.added.length + d.records.removed.length > 0) {
    out.push("### DNS records", "", fence("diff", [...d.records.removed.map((r) => `- ${r}`), ...d.records.added.map((r) => `+ ${r}`)].join("\n")), "");
  }
  out.push("### Open ports (inbound)", "");
  if (d.ports.added.length + d.ports.removed.length > 0) out.push(fence("diff", [...d.ports.removed.map((p) => `- ${p}`), ...d.ports.added.map((p) => `+ ${p}`)].join("\n")), "");
  out.push(details(`${d.ports.head.length} inbound rules after this change`, fence("", d.ports.head.join("\n") || "(none)")), "");
  const head = out.join("\n");
  if (d.files.length === 0) return head;
  const files = (full: boolean) => ["### Host settings (rendered files: the user data's bootstrap and the SSM host bundle)", "", ...d.files.flatMap((f) => [
    details(`${f.kind} <code>${f.path}</code>`, full || f.kind === "changed"
      ? fence(f.kind === "changed" ? "diff" : "", f.patch)
      : `(${f.patch.split("\n").length} lines; see the plan artifact or \`npm run synth\`)`),
    "",
  ])].join("\n");
  // GitHub refuses comments over 65,536 characters: shorten added/removed files first, then cut.
  for (const text of [`${head}\n${files(true)}`, `${head}\n${files(false)}`]) if (text.length <= COMMENT_BUDGET) return text;
  return `${`${head}\n${files(false)}`.slice(0, COMMENT_BUDGET - 200)}\n\n… (truncated to fit a PR comment; run \`npm run plan\` locally for the whole plan)\n`;
}

/** Leaves room under GitHub's 65,536-character comment limit for the sticky-comment header. */
const COMMENT_BUDGET = 60_000;
