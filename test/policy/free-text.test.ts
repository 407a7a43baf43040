// A policy.relax reason is the stack author's free text, printed by `npm run policy` and posted
// in pull-request comments: it must not drive the terminal, inject HTML or markdown, or notify
// people. Hostile reasons, each rendered by the real report functions.
import { describe, expect, it } from "vitest";
import { markdownCode, markdownText, terminalSafe } from "../../policy/lib/free-text";
import type { Relaxation } from "../../policy/facts";
import { formatMarkdown, formatText } from "../../policy/report";
import type { PolicyOutcome } from "../../policy/run";

const HOSTILE = [
  "ok \u001b[2J\u001b[31mALL POLICIES PASS\u001b[0m",
  "see <img src=x onerror=alert(1)> and <script>alert(1)</script>",
  "@everyone @mailfort/admins please approve",
  "[click](https://evil.example/phish) ![x](https://evil.example/t.png)",
  "pipe | breaks | the table\nand a newline",
  "bidi \u202etxet desrever\u202c and zero\u200bwidth",
  "backticks ``` `code` close the span",
  "x".repeat(5000),
];

const outcome = (reason: string): PolicyOutcome => ({
  id: "dns-spf", description: "SPF", area: "dns", level: "advisory",
  relaxation: { id: "dns-spf", reason, level: "advisory" },
  violations: [{ message: `[relaxed to advisory by stack dev: ${terminalSafe(reason)}] example.com: SPF does not end in -all` }],
});
const configRelax = (reason: string): Relaxation => ({ id: "config-wide-exemption", reason, level: "advisory" });

describe("free text in the terminal", () => {
  it.each(HOSTILE)("prints %j without control characters, capped", (reason) => {
    const text = formatText("dev", [outcome(reason)], [configRelax(reason)]);
    // eslint-disable-next-line no-control-regex -- control characters are what this looks for
    expect(text).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069]/);
    for (const line of text.split("\n")) expect(line.length).toBeLessThan(1200);
    expect(text).toContain("Config protections relaxed by the stack");
  });
});

/** Markdown with its inline code spans removed (a run of n backticks up to the next run of n). */
function withoutCodeSpans(md: string): string {
  let out = "";
  let i = 0;
  while (i < md.length) {
    const run = /^`+/.exec(md.slice(i))?.[0];
    if (run === undefined) { out += md[i]; i++; continue; }
    const close = new RegExp(`(?<!\`)${run}(?!\`)`, "g");
    close.lastIndex = i + run.length;
    const m = close.exec(md);
    if (m === null) { out += run; i += run.length; continue; }
    i = m.index + run.length;
  }
  return out;
}

describe("free text in a pull-request comment", () => {
  it.each(HOSTILE)("renders %j as inert text", (reason) => {
    const md = formatMarkdown([outcome(reason)], [configRelax(reason)]);
    const rows = md.split("\n").filter((l) => l.startsWith("| `"));
    expect(rows).toHaveLength(2);
    // Every table row keeps its four cells: no stray | or newline from the reason.
    for (const row of rows) expect(row.replace(/\\\|/g, "").split("|").length).toBe(6);
    // Outside code spans (where GitHub renders nothing): no HTML, no @mention, no link or image.
    const outsideCode = withoutCodeSpans(md);
    expect(outsideCode).not.toMatch(/<(img|script|a)\b/i);
    expect(outsideCode).not.toMatch(/@(everyone|mailfort)/);
    expect(outsideCode).not.toMatch(/(^|[^\\])\[[^\]]*\]\(/);
  });

  it("keeps the reason readable inside its code span", () => {
    expect(markdownCode("a legacy sender until March")).toBe("` a legacy sender until March `");
    expect(markdownCode("uses `x` here")).toBe("`` uses `x` here ``");
    expect(markdownText("@team <b>")).toBe("@&#8203;team &lt;b&gt;");
  });
});
