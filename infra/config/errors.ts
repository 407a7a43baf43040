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

/** Show a user value in a message without letting it spill newlines or huge blobs into logs. */
export function showValue(value: unknown): string {
  const text = typeof value === "string" ? value : JSON.stringify(value);
  const safe = JSON.stringify(text ?? String(value));
  return safe.length > 80 ? `${safe.slice(0, 77)}..."` : safe;
}
