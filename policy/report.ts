// Human-readable results of an offline policy run: grouped mandatory / advisory / relaxed, as
// plain text for the terminal or markdown for a PR comment.
import type { Relaxation } from "./facts";
import { markdownCode, markdownText, terminalSafe } from "./lib/free-text";
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

/** Relaxations of config protections (ids config-...): the config allowed a setting it would refuse. */
function configRelaxations(relax: readonly Relaxation[]): Relaxation[] {
  return relax.filter((r) => r.id.startsWith("config-"));
}

export function formatText(stack: string, outcomes: readonly PolicyOutcome[], relax: readonly Relaxation[] = []): string {
  const g = groups(outcomes);
  const lines: string[] = [`mailfort policy check, stack ${terminalSafe(stack)}: ${outcomes.length} policies, ${g.passed.length} pass`];
  const section = (title: string, list: readonly PolicyOutcome[]) => {
    if (list.length === 0) return;
    lines.push("", `${title}:`);
    for (const o of list) {
      lines.push(`  [${o.id}] ${o.level}${o.relaxation ? ` (relaxed: ${terminalSafe(o.relaxation.reason)})` : ""}`);
      for (const v of o.violations) lines.push(`    - ${terminalSafe(v.message)}`);
      if (o.relaxation && o.violations.length === 0) lines.push(`    (no violations${o.level === "disabled" ? "; policy disabled" : ""})`);
    }
  };
  section("MANDATORY violations", g.mandatory);
  section("Advisory violations", g.advisory);
  section("Relaxed by stack config", g.relaxed);
  const config = configRelaxations(relax);
  if (config.length > 0) {
    lines.push("", "Config protections relaxed by the stack (settings the config would otherwise refuse):");
    for (const r of config) lines.push(`  [${terminalSafe(r.id)}] ${terminalSafe(r.reason)}`);
  }
  lines.push("", g.mandatory.length > 0 ? `FAIL: ${g.mandatory.length} mandatory ${g.mandatory.length === 1 ? "policy" : "policies"} violated` : "OK: no mandatory violations");
  return lines.join("\n");
}

export function formatMarkdown(outcomes: readonly PolicyOutcome[], relax: readonly Relaxation[] = []): string {
  const g = groups(outcomes);
  const rows = outcomes.map((o) => {
    const status = o.level === "disabled" ? "disabled" : o.violations.length === 0 ? "pass" : o.level === "mandatory" ? "**FAIL**" : "warn";
    // The reason is the stack author's free text: a code span, where nothing renders or pings.
    const detail = [o.relaxation ? `relaxed (${o.relaxation.level}): ${markdownCode(o.relaxation.reason)}` : "", ...o.violations.map((v) => markdownText(v.message))].filter(Boolean).join("<br>");
    return `| \`${o.id}\` | ${o.level} | ${status} | ${detail} |`;
  });
  const config = configRelaxations(relax).map((r) => `| \`${markdownText(r.id)}\` | config | relaxed | ${markdownCode(r.reason)} |`);
  return [
    `${g.mandatory.length > 0 ? ":x:" : ":white_check_mark:"} ${g.passed.length}/${outcomes.length} policies pass; ${g.mandatory.length} mandatory, ${g.advisory.length} advisory violated; ${g.relaxed.length} relaxed.`,
    "",
    "| policy | level | result | details |",
    "|---|---|---|---|",
    ...rows,
    ...config,
  ].join("\n");
}
