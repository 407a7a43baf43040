// A fleet problem: which customer (and stack) it belongs to, the field, what is wrong, the fix.
// Fleet commands collect every problem first and report them all at once, like the stack config.

export interface FleetIssue {
  /** The customer's name, when the problem belongs to one. */
  readonly customer?: string;
  /** The stack (`<customer>-<env>`), when the problem belongs to one environment. */
  readonly stack?: string;
  /** Field path: in the inventory (`customers[2].domains[0].name`) or a stack (`mailfort:hostname`). */
  readonly path: string;
  readonly problem: string;
  readonly fix: string;
}

export class FleetError extends Error {
  readonly issues: readonly FleetIssue[];
  constructor(issues: readonly FleetIssue[], what: string) {
    super(formatFleetIssues(issues, what));
    this.name = "FleetError";
    this.issues = issues;
  }
}

function issueSubject(i: FleetIssue): string {
  const who = i.customer === undefined ? "fleet" : `customer ${i.customer}`;
  return i.stack === undefined ? who : `${who} (stack ${i.stack})`;
}

export function formatFleetIssues(issues: readonly FleetIssue[], what: string): string {
  const n = issues.length;
  const lines = issues.map((i) => `  - ${issueSubject(i)}: ${i.path}: ${i.problem}\n      fix: ${i.fix}`);
  return `${what} has ${n} error${n === 1 ? "" : "s"}:\n${lines.join("\n")}`;
}
