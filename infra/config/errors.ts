// A user-facing configuration error: every problem at once, each naming the field path (as the
// user writes it in Pulumi.<stack>.yaml), what is wrong, and how to fix it.

export interface ConfigIssue {
  /** Field path as written in the stack file, e.g. `mailfort:domains[1].name`. */
  readonly path: string;
  /** What is wrong, including the offending value where that is safe to show. */
  readonly problem: string;
  /** How to fix it. */
  readonly fix: string;
}

export class ConfigError extends Error {
  readonly issues: readonly ConfigIssue[];

  constructor(issues: readonly ConfigIssue[], source = "stack configuration") {
    super(formatIssues(issues, source));
    this.name = "ConfigError";
    this.issues = issues;
  }
}

export function formatIssues(issues: readonly ConfigIssue[], source: string): string {
  const lines = issues.map((i) => `  - ${i.path}: ${i.problem}\n      fix: ${i.fix}`);
  const n = issues.length;
  return `${source} has ${n} error${n === 1 ? "" : "s"}; nothing was created:\n${lines.join("\n")}`;
}

/** Characters that must never reach a terminal or a log as they are: C0/C1 controls (ANSI escapes,
 * NUL), zero-width and bidirectional overrides, line and paragraph separators, BOM. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/g;

/** Text with every unprintable character written as \u{...}. */
export function escapeUnprintable(text: string): string {
  return text.replace(UNPRINTABLE, (c) => `\\u{${(c.codePointAt(0) ?? 0).toString(16)}}`);
}

export function hasUnprintable(text: string): boolean {
  return new RegExp(UNPRINTABLE.source).test(text);
}

/** Show a user value in a message without letting it spill newlines, escapes or huge blobs into logs. */
export function showValue(value: unknown, max = 80): string {
  const text = typeof value === "string" ? value : (JSON.stringify(value) ?? String(value));
  const safe = escapeUnprintable(JSON.stringify(text.length > max * 2 ? text.slice(0, max * 2) : text));
  return safe.length > max ? `${safe.slice(0, max - 4)}..."` : safe;
}

/** A user-written key as it may appear in a field path: escaped and capped. */
export function showKey(key: string, max = 64): string {
  const safe = escapeUnprintable(key);
  return safe.length > max ? `${safe.slice(0, max - 1)}…` : safe;
}
