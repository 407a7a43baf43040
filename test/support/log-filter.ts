// A matcher for CloudWatch Logs space-delimited filter patterns ([a, b = "x", c = 25, ...]),
// of the test suite's own, to run the flow-log metric filter over sample flow records. It knows
// what the product's patterns use: bare field names, and `=` / `!=` against a quoted string
// (exact) or a number (numeric); anything else throws rather than guessing.

interface FieldTerm { readonly name: string; readonly op?: "=" | "!="; readonly value?: string | number }

export function parseSpaceDelimitedPattern(pattern: string): FieldTerm[] {
  const m = /^\[(.*)\]$/s.exec(pattern.trim());
  if (m === null) throw new Error(`log-filter matcher: not a space-delimited pattern: ${pattern}`);
  return (m[1] ?? "").split(",").map((raw) => {
    const t = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(?:(=|!=)\s*(?:"([^"]*)"|(-?\d+(?:\.\d+)?)))?\s*$/.exec(raw);
    if (t === null) throw new Error(`log-filter matcher: unsupported term ${JSON.stringify(raw)}`);
    const [, name = "", op, str, num] = t;
    if (op === undefined) return { name };
    return { name, op: op as "=" | "!=", value: str !== undefined ? str : Number(num) };
  });
}

/** Whether the filter counts this log event (one flow record). */
export function lineMatches(pattern: string, line: string): boolean {
  const terms = parseSpaceDelimitedPattern(pattern);
  const fields = line.trim().split(/\s+/);
  if (fields.length !== terms.length) return false;
  return terms.every((t, i) => {
    if (t.op === undefined) return true;
    const field = fields[i] as string;
    const equal = typeof t.value === "number" ? field.trim() !== "" && Number(field) === t.value : field === t.value;
    return t.op === "=" ? equal : !equal;
  });
}
