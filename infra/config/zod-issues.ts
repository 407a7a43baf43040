// Turn schema issues into ConfigIssues: a field path as the user writes it, the problem, a fix.
// A wrong type says what was expected and what was given (`messageSizeMb: 25MB` is text, not
// "missing"); an unknown key gets the closest known one; a value is shown capped and escaped.
import type { z } from "zod";
import { type ConfigIssue, showKey, showValue } from "./errors";
import { NAMESPACE } from "./raw";
import { FIX_SEP } from "./schema";
import { didYouMean, knownKeysAt, listNames } from "./suggest";

export function fieldPath(path: readonly PropertyKey[]): string {
  let out = NAMESPACE;
  path.forEach((part, i) => {
    if (typeof part === "number") out += `[${part}]`;
    else out += i === 0 ? `:${showKey(String(part))}` : `.${showKey(String(part))}`;
  });
  return out;
}

const REFERENCE = "see the configuration reference (docs/configuration.md)";

export function toConfigIssue(issue: z.core.$ZodIssue, schema: z.ZodType): ConfigIssue[] {
  const path = fieldPath(issue.path);
  if (issue.code === "unrecognized_keys") {
    const known = knownKeysAt(schema, issue.path);
    return issue.keys.slice(0, 200).map((key) => ({
      path: fieldPath([...issue.path, key]),
      problem: key === "<<" ? "is a YAML merge key, which stack files do not support" : "is not a known setting (it would be ignored)",
      fix: key === "<<" ? "write the merged settings out" : unknownKeyFix(key, known),
    }));
  }
  const given = issue.input !== undefined ? { value: issue.input } : undefined;
  if (issue.message.includes(FIX_SEP)) {
    const [problem, fix] = issue.message.split(FIX_SEP) as [string, string];
    return [{ path, problem: capEchoedInput(problem, given?.value), fix }];
  }
  switch (issue.code) {
    case "invalid_type":
      if (given === undefined) return [{ path, problem: "is required but missing", fix: `set it in the stack file (${REFERENCE})` }];
      return [{ path, problem: `must be ${expectedName(issue.expected)}, but is ${describeGiven(given.value)}`, fix: typeFix(issue.expected, given.value) }];
    case "invalid_value":
      return [{ path, problem: `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}, but is ${given === undefined ? "missing" : describeGiven(given.value)}`, fix: typeof given?.value === "string" ? didYouMean(given.value, issue.values.map(String), "pick one of those values") : "pick one of those values" }];
    case "too_small":
    case "too_big":
      return [{ path, problem: issue.message, fix: `keep it within the stated bound (${issue.code === "too_small" ? "minimum" : "maximum"} ${String(issue.code === "too_small" ? issue.minimum : issue.maximum)})` }];
    default:
      return [{ path, problem: capEchoedInput(issue.message, given?.value), fix: REFERENCE }];
  }
}

function unknownKeyFix(key: string, known: readonly string[]): string {
  // mailfort:limits.messageSizeMb: a nested setting written as a dotted key.
  const head = key.split(".")[0] ?? "";
  if (key.includes(".") && known.includes(head)) return `write it as a mapping under ${fieldPath([head])}, e.g. ${fieldPath([head])}: { ${showKey(key.slice(head.length + 1))}: ... }`;
  return didYouMean(key, known, known.length > 0 ? `known here: ${listNames(known)}` : REFERENCE);
}

/** Schema messages quote the whole input; a 100 KB value must not be echoed whole. */
function capEchoedInput(message: string, input: unknown): string {
  if (typeof input !== "string" || input.length <= 60) return message;
  return message.split(JSON.stringify(input)).join(showValue(input));
}

function expectedName(expected: string): string {
  switch (expected) {
    case "int": return "a whole number";
    case "number": return "a number";
    case "string": return "text";
    case "boolean": return "true or false";
    case "object": return "a mapping of settings";
    case "array": return "a list";
    default: return `a ${expected}`;
  }
}

/** What the user gave, in the user's terms (YAML), never more than a short excerpt. */
export function describeGiven(value: unknown): string {
  if (value === null) return "empty (null)";
  if (Array.isArray(value)) return `a list of ${value.length} item${value.length === 1 ? "" : "s"}`;
  switch (typeof value) {
    case "string": return `the text ${showValue(value)}`;
    case "number": return `the number ${String(value)}`;
    case "boolean": return String(value);
    case "object": return `a mapping (${listNames(Object.keys(value as object), 4) || "no keys"})`;
    default: return typeof value;
  }
}

function typeFix(expected: string, given: unknown): string {
  if (typeof given === "string" && (expected === "number" || expected === "int")) {
    const m = /^\s*(-?\d+(?:\.\d+)?)\s*[a-z%]+\s*$/i.exec(given);
    if (m) return `write the number alone, without a unit: ${m[1]}`;
    if (/^[-+]?\.(?:inf|nan)$/i.test(given)) return "write a finite number";
    return "write a number, e.g. 25";
  }
  if (typeof given === "number" && expected === "int") return `write a whole number, e.g. ${Math.round(given)}`;
  if (typeof given === "string" && expected === "boolean") {
    return /^(?:yes|no|on|off|y|n)$/i.test(given) ? `write true or false (YAML 1.2 reads ${showValue(given)} as text)` : "write true or false";
  }
  if (expected === "array") return Array.isArray(given) ? "write a list" : `write a list, e.g. [${typeof given === "string" ? showValue(given) : "..."}]`;
  if (expected === "object") return "write a mapping of settings (indented key: value lines), not a single value";
  if (expected === "string" && (typeof given === "number" || typeof given === "boolean")) return `quote it if you meant text: "${String(given)}"`;
  return `write ${expectedName(expected)} here`;
}
