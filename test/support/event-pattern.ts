// A small EventBridge event-pattern matcher of the test suite's own, for judging the findings
// rule's pattern as data against sample events. It follows EventBridge's documented rules for
// what mailfort's patterns use: every key of the pattern must match; a list of values matches
// when the event's value (or, for an array, any element) equals one of them or meets a
// `numeric` condition; arrays of objects in the event are matched element by element; `$or`
// takes any of its alternatives. Anything else throws rather than guessing.

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const COMPARE: Record<string, (a: number, b: number) => boolean> = {
  "=": (a, b) => a === b, "<": (a, b) => a < b, "<=": (a, b) => a <= b, ">": (a, b) => a > b, ">=": (a, b) => a >= b,
};

function leafMatches(value: Json, condition: unknown): boolean {
  if (typeof condition === "string" || typeof condition === "number" || condition === null) return value === condition;
  if (typeof condition === "object" && condition !== null && !Array.isArray(condition)) {
    const keys = Object.keys(condition);
    if (keys.length === 1 && keys[0] === "numeric") {
      const terms = (condition as { numeric: unknown[] }).numeric;
      if (typeof value !== "number") return false;
      for (let i = 0; i < terms.length; i += 2) {
        const op = COMPARE[String(terms[i])];
        if (op === undefined || typeof terms[i + 1] !== "number") throw new Error(`event-pattern matcher: unsupported numeric term ${JSON.stringify(terms)}`);
        if (!op(value, terms[i + 1] as number)) return false;
      }
      return true;
    }
  }
  throw new Error(`event-pattern matcher: unsupported condition ${JSON.stringify(condition)}`);
}

function valueMatches(value: Json | undefined, pattern: unknown): boolean {
  if (value === undefined) return false;
  if (Array.isArray(pattern)) {
    const values = Array.isArray(value) ? value : [value];
    return values.some((v) => pattern.some((c) => leafMatches(v, c)));
  }
  if (typeof pattern === "object" && pattern !== null) {
    // Arrays of objects in the event: any element may satisfy the nested pattern.
    if (Array.isArray(value)) return value.some((v) => valueMatches(v, pattern));
    return typeof value === "object" && value !== null && objectMatches(value, pattern as Record<string, unknown>);
  }
  throw new Error(`event-pattern matcher: a pattern value must be a list or an object, got ${JSON.stringify(pattern)}`);
}

function objectMatches(event: { [key: string]: Json }, pattern: Record<string, unknown>): boolean {
  return Object.entries(pattern).every(([key, sub]) => {
    if (key === "$or") {
      if (!Array.isArray(sub) || sub.length < 2) throw new Error("event-pattern matcher: $or needs a list of at least two patterns");
      return sub.some((alt) => objectMatches(event, alt as Record<string, unknown>));
    }
    return valueMatches(event[key], sub);
  });
}

/** Whether EventBridge would deliver `event` to a rule with `pattern`. */
export function eventMatches(pattern: unknown, event: unknown): boolean {
  if (typeof pattern !== "object" || pattern === null || Array.isArray(pattern)) throw new Error("event-pattern matcher: the pattern must be an object");
  if (typeof event !== "object" || event === null || Array.isArray(event)) return false;
  return objectMatches(event as { [key: string]: Json }, pattern as Record<string, unknown>);
}
