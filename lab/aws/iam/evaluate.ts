// A small IAM evaluator for the lab: does a set of identity policies allow a request, as AWS's
// evaluation logic decides within one account (explicit Deny wins, then any matching Allow,
// otherwise implicit deny)? It covers what mailfort's instance role uses: Action/NotAction with
// wildcards (case-insensitive), Resource/NotResource ARN wildcards, and the condition operators
// below with ForAllValues:/ForAnyValue: and ...IfExists. Anything else is refused loudly rather
// than guessed. Moto judges actions only (it matches every Resource against "*" and ignores
// conditions); this is what judges the rest, over the emulator's request log.

export type ContextValue = string | readonly string[];

export interface IamRequest {
  /** e.g. "ssm:GetParametersByPath". */
  readonly action: string;
  /** The resource ARN the action is authorized against ("*" for actions without resource-level permissions). */
  readonly resource: string;
  readonly context: Readonly<Record<string, ContextValue>>;
}

export interface IamStatement {
  readonly Sid?: string;
  readonly Effect: "Allow" | "Deny";
  readonly Action?: string | readonly string[];
  readonly NotAction?: string | readonly string[];
  readonly Resource?: string | readonly string[];
  readonly NotResource?: string | readonly string[];
  readonly Condition?: Readonly<Record<string, Readonly<Record<string, string | boolean | readonly string[]>>>>;
}

export interface NamedPolicy {
  /** Where the document comes from, for reports (e.g. "inline mailfort-lab-role-scoped"). */
  readonly name: string;
  readonly document: { readonly Statement: IamStatement | readonly IamStatement[] };
}

export interface StatementRef {
  readonly policy: string;
  readonly index: number;
  readonly sid?: string;
}

export interface Decision {
  readonly allowed: boolean;
  readonly reason: "allowed" | "explicit-deny" | "implicit-deny";
  /** The Allow statements that matched (empty unless allowed). */
  readonly matched: readonly StatementRef[];
}

const list = <T>(v: T | readonly T[] | undefined): readonly T[] => (v === undefined ? [] : Array.isArray(v) ? (v as readonly T[]) : [v as T]);

/** IAM's wildcards: `*` any run of characters, `?` one character; everything else literal. */
export function wildcardMatch(pattern: string, value: string, ignoreCase = false): boolean {
  const re = pattern.split("").map((c) => (c === "*" ? ".*" : c === "?" ? "." : c.replace(/[.+^${}()|[\]\\]/g, "\\$&"))).join("");
  return new RegExp(`^${re}$`, ignoreCase ? "is" : "s").test(value);
}

function matchesAny(patterns: readonly string[], value: string, ignoreCase: boolean): boolean {
  return patterns.some((p) => wildcardMatch(p, value, ignoreCase));
}

type Compare = (actual: string, expected: string) => boolean;

const OPERATORS: Readonly<Record<string, Compare>> = {
  StringEquals: (a, e) => a === e,
  StringNotEquals: (a, e) => a !== e,
  StringEqualsIgnoreCase: (a, e) => a.toLowerCase() === e.toLowerCase(),
  StringNotEqualsIgnoreCase: (a, e) => a.toLowerCase() !== e.toLowerCase(),
  StringLike: (a, e) => wildcardMatch(e, a),
  StringNotLike: (a, e) => !wildcardMatch(e, a),
  ArnEquals: (a, e) => a === e,
  ArnLike: (a, e) => wildcardMatch(e, a),
  ArnNotEquals: (a, e) => a !== e,
  ArnNotLike: (a, e) => !wildcardMatch(e, a),
  Bool: (a, e) => a.toLowerCase() === e.toLowerCase(),
};

/** Negated operators hold when the value matches none of the listed ones, not merely one. */
const NEGATED = new Set(["StringNotEquals", "StringNotEqualsIgnoreCase", "StringNotLike", "ArnNotEquals", "ArnNotLike"]);

function valueMatches(op: string, compare: Compare, actual: string, expected: readonly string[]): boolean {
  return NEGATED.has(op) ? expected.every((e) => compare(actual, e)) : expected.some((e) => compare(actual, e));
}

/** One condition block entry, e.g. "ForAllValues:StringEquals": { key: [values] }. */
export function conditionHolds(operator: string, key: string, expectedRaw: string | boolean | readonly string[], context: Readonly<Record<string, ContextValue>>): boolean {
  const expected = list(expectedRaw).map(String);
  const [qualifier, rest] = operator.includes(":") ? (operator.split(":", 2) as [string, string]) : ["", operator];
  const ifExists = rest.endsWith("IfExists");
  const op = ifExists ? rest.slice(0, -"IfExists".length) : rest;
  // Context keys are case-insensitive in IAM.
  const found = Object.entries(context).find(([k]) => k.toLowerCase() === key.toLowerCase());
  const actual = found ? list(found[1]) : undefined;
  if (op === "Null") {
    const isNull = actual === undefined || actual.length === 0;
    return expected.every((e) => (e.toLowerCase() === "true") === isNull);
  }
  const compare = OPERATORS[op];
  if (!compare) throw new Error(`IAM evaluator: condition operator ${operator} is not supported; extend lab/aws/iam/evaluate.ts before using it`);
  if (qualifier === "ForAllValues") {
    // AWS: true when the key is absent or empty (the documented trap), else every value must match.
    return actual === undefined || actual.every((a) => valueMatches(op, compare, a, expected));
  }
  if (qualifier === "ForAnyValue") return actual !== undefined && actual.some((a) => valueMatches(op, compare, a, expected));
  if (qualifier !== "") throw new Error(`IAM evaluator: condition qualifier ${qualifier} is not supported`);
  if (actual === undefined) return ifExists;
  if (actual.length !== 1) throw new Error(`IAM evaluator: key ${key} has ${actual.length} values; a single-valued operator (${operator}) cannot judge it, use ForAllValues/ForAnyValue`);
  return valueMatches(op, compare, actual[0], expected);
}

export function statementApplies(s: IamStatement, req: IamRequest): boolean {
  const actionOk = s.Action !== undefined ? matchesAny(list(s.Action), req.action, true) : !matchesAny(list(s.NotAction), req.action, true);
  if (!actionOk) return false;
  const resourceOk = s.Resource !== undefined ? matchesAny(list(s.Resource), req.resource, false) : !matchesAny(list(s.NotResource), req.resource, false);
  if (!resourceOk) return false;
  return Object.entries(s.Condition ?? {}).every(([op, keys]) => Object.entries(keys).every(([key, v]) => conditionHolds(op, key, v, req.context)));
}

export function evaluate(policies: readonly NamedPolicy[], req: IamRequest): Decision {
  const statements = policies.flatMap((p) => list(p.document.Statement).map((s, index) => ({ s, ref: { policy: p.name, index, ...(s.Sid ? { sid: s.Sid } : {}) } })));
  if (statements.some(({ s }) => s.Effect === "Deny" && statementApplies(s, req))) return { allowed: false, reason: "explicit-deny", matched: [] };
  const matched = statements.filter(({ s }) => s.Effect === "Allow" && statementApplies(s, req)).map(({ ref }) => ref);
  return matched.length > 0 ? { allowed: true, reason: "allowed", matched } : { allowed: false, reason: "implicit-deny", matched: [] };
}
