// Human-readable results of an offline policy run: grouped mandatory / advisory / relaxed, as
// plain text for the terminal or markdown for a PR comment.
import type { PolicyOutcome } from "./run";

function groups(outcomes: readonly PolicyOutcome[]) {
  const failing = outcomes.filter((o) => o.violations.length > 0);
  return {
    mandatory: failing.filter((o) => o.level === "mandatory" && !o.relaxation),
    advisory: failing.filter((o) => o.level === "advisory" && !o.relaxation),
    relaxed: outcomes.filter((o) => o.relaxation),
    passed: outcomes.filter((o) => o.violations.length === 0 && o.level !== "disabled"),
  };
}

export function formatText(stack: string, outcomes: readonly PolicyOutcome[]): string {
  const g = groups(outcomes);
  const lines: string[] = [`mailfort policy check, stack ${stack}: ${outcomes.length} policies, ${g.passed.length} pass`];
  const section = (title: string, list: readonly PolicyOutcome[]) => {
    if (list.length === 0) return;
    lines.push("", `${title}:`);
    for (const o of list) {
      lines.push(`  [${o.id}] ${o.level}${o.relaxation ? ` (relaxed: ${o.relaxation.reason})` : ""}`);
      for (const v of o.violations) lines.push(`    - ${v.message}`);
      if (o.relaxation && o.violations.length === 0) lines.push(`    (no violations${o.level === "disabled" ? "; policy disabled" : ""})`);
    }
  };
  section("MANDATORY violations", g.mandatory);
  section("Advisory violations", g.advisory);
  section("Relaxed by stack config", g.relaxed);
  lines.push("", g.mandatory.length > 0 ? `FAIL: ${g.mandatory.length} mandatory ${g.mandatory.length === 1 ? "policy" : "policies"} violated` : "OK: no mandatory violations");
  return lines.join("\n");
}

export function formatMarkdown(outcomes: readonly PolicyOutcome[]): string {
  const g = groups(outcomes);
  const esc = (s: string) => s.replace(/\|/g, "\\|").replace(/\n/g, " ");
  const rows = outcomes.map((o) => {
    const status = o.level === "disabled" ? "disabled" : o.violations.length === 0 ? "pass" : o.level === "mandatory" ? "**FAIL**" : "warn";
    const detail = [o.relaxation ? `relaxed (${o.relaxation.level}): ${o.relaxation.reason}` : "", ...o.violations.map((v) => v.message)].filter(Boolean).map(esc).join("<br>");
    return `| \`${o.id}\` | ${o.level} | ${status} | ${detail} |`;
  });
  return [
    `${g.mandatory.length > 0 ? ":x:" : ":white_check_mark:"} ${g.passed.length}/${outcomes.length} policies pass; ${g.mandatory.length} mandatory, ${g.advisory.length} advisory violated; ${g.relaxed.length} relaxed.`,
    "",
    "| policy | level | result | details |",
    "|---|---|---|---|",
    ...rows,
  ].join("\n");
}
