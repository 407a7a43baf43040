// A schema failure as one refusal that names every bad field path (up to a few), in the
// report's own field names, e.g. "feedback.record[2].row.source_ip: not an IP address".
import type { z } from "zod";
import { refuse } from "./refusal";

const SHOWN = 8;

function fieldPath(root: string, path: ReadonlyArray<PropertyKey>): string {
  return path.reduce<string>((at, key) => (typeof key === "number" ? `${at}[${key}]` : `${at}.${String(key)}`), root);
}

export function parseOrRefuse<S extends z.ZodType>(schema: S, value: unknown, name: string, root: string, fix: string): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues = result.error.issues;
  const lines = issues.slice(0, SHOWN).map((i) => `  ${fieldPath(root, i.path)}: ${i.message}`);
  if (issues.length > SHOWN) lines.push(`  ... and ${issues.length - SHOWN} more`);
  refuse("schema", `${name}: not a valid ${fix}:\n${lines.join("\n")}`);
}
