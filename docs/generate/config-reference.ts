// The configuration reference of docs/configuration.md, from the zod schema itself
// (infra/config): every key path with its type, bounds, default and description. The schema's
// JSON Schema form (zod's toJSONSchema, input side: defaults shown as written) is walked, so a
// new key, bound or default shows up here without anyone restating it.
import { z } from "zod";
import { mailConfigSchema } from "../../infra/config";
import { table } from "./blocks";

interface Node {
  readonly type?: string | readonly string[];
  readonly description?: string;
  readonly default?: unknown;
  readonly enum?: readonly unknown[];
  readonly format?: string;
  readonly pattern?: string;
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly minItems?: number;
  readonly maxItems?: number;
  readonly properties?: Readonly<Record<string, Node>>;
  readonly required?: readonly string[];
  readonly items?: Node;
  readonly anyOf?: readonly Node[];
}

const code = (v: string) => `\`${v}\``;

function bounds(lo: number | undefined, hi: number | undefined): string {
  if (lo !== undefined && hi !== undefined) return `${lo}–${hi}`;
  if (lo !== undefined) return `at least ${lo}`;
  return hi !== undefined ? `at most ${hi}` : "";
}

function typeOf(n: Node): string {
  if (n.enum !== undefined) return n.enum.map((v) => code(String(v))).join(" | ");
  if (n.type === "array") {
    const count = bounds(n.minItems, n.maxItems);
    const item = n.items?.type === "object" ? "objects" : typeOf(n.items ?? {});
    return `list of ${item}${count ? ` (${count})` : ""}`;
  }
  if (n.type === "integer" || n.type === "number") return `${n.type === "integer" ? "integer" : "number"}${bounds(n.minimum, n.maximum) ? ` ${bounds(n.minimum, n.maximum)}` : ""}`;
  if (n.type === "string") {
    const length = bounds(n.minLength, n.maxLength);
    return n.format ?? (n.pattern !== undefined ? `string ${code(n.pattern)}` : `string${length ? ` of ${length} characters` : ""}`);
  }
  if (n.type === "boolean" || n.type === "object") return n.type;
  return "not allowed";
}

/** A default as an admin would write it: scalars as code, lists item by item. */
function defaultText(v: unknown): string {
  if (Array.isArray(v)) return v.length === 0 ? code("[]") : v.map((x) => (typeof x === "object" && x !== null ? Object.values(x).join(" ") : String(x))).map(code).join(", ");
  if (typeof v === "object" && v !== null) return "";
  return code(String(v));
}

function rows(n: Node, path: string, required: boolean): string[][] {
  const here = n.type === "object" && n.description === undefined ? [] : [[
    code(path), typeOf(n), n.default !== undefined ? defaultText(n.default) : typeOf(n) === "not allowed" ? "—" : required ? "required" : "optional", n.description ?? "",
  ]];
  const props = n.type === "object" ? n.properties : n.type === "array" && n.items?.type === "object" ? n.items.properties : undefined;
  const inner = n.type === "array" ? n.items : n;
  const prefix = n.type === "array" ? `${path}[].` : `${path}.`;
  return [...here, ...Object.entries(props ?? {}).flatMap(([k, child]) => rows(child, `${prefix}${k}`, inner?.required?.includes(k) ?? false))];
}

export function configReference(): string {
  const root = z.toJSONSchema(mailConfigSchema, { io: "input", unrepresentable: "any" }) as Node;
  const all = Object.entries(root.properties ?? {}).flatMap(([k, n]) => rows(n, k, root.required?.includes(k) ?? false));
  return table(["key (under mailfort:)", "type", "default", "what it is"], all);
}
