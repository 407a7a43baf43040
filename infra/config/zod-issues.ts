// Turn schema issues into ConfigIssues: a field path as the user writes it, the problem, a fix.
import type { z } from "zod";
import { FIX_SEP } from "./schema";
import type { ConfigIssue } from "./errors";
import { NAMESPACE } from "./raw";

export function fieldPath(path: readonly PropertyKey[]): string {
  let out = NAMESPACE;
  path.forEach((part, i) => {
    if (typeof part === "number") out += `[${part}]`;
    else out += i === 0 ? `:${String(part)}` : `.${String(part)}`;
  });
  return out;
}

export function toConfigIssue(issue: z.core.$ZodIssue): ConfigIssue[] {
  const path = fieldPath(issue.path);
  if (issue.message.includes(FIX_SEP)) {
    const [problem, fix] = issue.message.split(FIX_SEP) as [string, string];
    return [{ path, problem, fix }];
  }
  switch (issue.code) {
    case "unrecognized_keys":
      return issue.keys.map((key) => ({
        path: fieldPath([...issue.path, key]),
        problem: "is not a known setting",
        fix: "remove it or correct its spelling (see the configuration reference in README.md)",
      }));
    case "invalid_type":
      return [{
        path,
        problem: issue.input === undefined ? "is required but missing" : `must be ${article(issue.expected)} (${issue.message})`,
        fix: issue.input === undefined ? "set it in the stack file (see README.md, Configuration)" : `write ${article(issue.expected)} here`,
      }];
    case "invalid_value":
      return [{ path, problem: `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}`, fix: "pick one of those values" }];
    case "too_small":
    case "too_big":
      return [{ path, problem: issue.message, fix: `keep it within the stated bound (${issue.code === "too_small" ? "minimum" : "maximum"} ${String(issue.code === "too_small" ? issue.minimum : issue.maximum)})` }];
    default:
      return [{ path, problem: issue.message, fix: "see README.md, Configuration" }];
  }
}

function article(type: string): string {
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}
