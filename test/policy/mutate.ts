// Helpers for the bad-variant table: find a resource in a synthesized graph and change it the way
// a careless edit would. Every helper fails loudly when what it edits is missing, so a row can
// never pass because its mutation silently did nothing.
import { gzipSync } from "node:zlib";
import { dump, load } from "js-yaml";
import { decodeUserDataText } from "../../policy/lib/user-data";
import type { GraphResource } from "../../policy/run";

export type Graph = GraphResource[];
type Inputs = Record<string, unknown>;

export function clone(g: readonly GraphResource[]): Graph {
  return structuredClone(g) as Graph;
}

export function find(g: Graph, type: string, pred: (r: GraphResource) => boolean = () => true): GraphResource {
  const r = g.find((x) => x.type === type && pred(x));
  if (!r) throw new Error(`test graph has no ${type} matching the row's predicate`);
  return r;
}

export function inputs(g: Graph, type: string, pred?: (r: GraphResource) => boolean): Inputs {
  return find(g, type, pred).inputs;
}

export function setOpts(g: Graph, type: string, opts: GraphResource["opts"]): void {
  const i = g.findIndex((x) => x.type === type);
  if (i < 0) throw new Error(`test graph has no ${type}`);
  const r = g[i] as GraphResource;
  g[i] = { ...r, opts: { ...r.opts, ...opts } };
}

export const RECORD = "aws:route53/record:Record";

/** The Route53 record resource with this name and type. */
export function record(g: Graph, name: string, type: string): Inputs {
  return inputs(g, RECORD, (r) => r.inputs.name === name && r.inputs.type === type);
}

export function removeRecord(g: Graph, name: string, type: string): void {
  const i = g.findIndex((r) => r.type === RECORD && r.inputs.name === name && r.inputs.type === type);
  if (i < 0) throw new Error(`test graph has no ${type} record ${name}`);
  g.splice(i, 1);
}

interface CloudConfig { write_files: { path: string; content?: string; encoding?: string }[] }

/** Rewrite one file the instance's user data writes, re-encoding the user data as it was (gzip+base64). */
export function editHostFile(g: Graph, path: string, edit: (content: string) => string): void {
  const inst = inputs(g, "aws:ec2/instance:Instance");
  const field = typeof inst.userDataBase64 === "string" ? "userDataBase64" : "userData";
  if (typeof inst[field] !== "string") throw new Error("the instance has no user data");
  const text = decodeUserDataText(String(inst[field]), field === "userDataBase64");
  const doc = load(text) as CloudConfig;
  const f = doc.write_files.find((x) => x.path === path);
  if (!f) throw new Error(`user data writes no ${path}`);
  const before = f.content ?? "";
  f.content = edit(before);
  delete f.encoding;
  if (f.content === before) throw new Error(`the edit of ${path} changed nothing`);
  inst[field] = gzipSync(`#cloud-config\n${dump(doc, { lineWidth: -1 })}`).toString("base64");
}

/** Replace a `name = value` line (the first match) in a config text; fails if absent. */
export function setLine(re: RegExp, line: string): (content: string) => string {
  return (content) => {
    if (!re.test(content)) throw new Error(`no line matching ${re} to replace`);
    return content.replace(re, line);
  };
}

type Statement = Record<string, unknown>;
const IAM_DOCS = new Set(["aws:iam/rolePolicy:RolePolicy", "aws:iam/policy:Policy"]);

/** Apply an edit to every statement of the stack's IAM documents; fails if it touched none. */
export function editStatements(g: Graph, edit: (s: Statement) => boolean): void {
  let touched = 0;
  for (const r of g) {
    if (!IAM_DOCS.has(r.type)) continue;
    const doc = (typeof r.inputs.policy === "string" ? JSON.parse(r.inputs.policy) : r.inputs.policy) as { Statement: Statement[] };
    for (const st of doc.Statement) if (edit(st)) touched++;
    r.inputs.policy = JSON.stringify(doc);
  }
  if (touched === 0) throw new Error("no IAM statement matched the edit");
}

/** The instance role's inline policy document, parsed, edited, and written back. */
export function editRolePolicy(g: Graph, edit: (doc: { Statement: Statement[] }) => void): void {
  const rp = inputs(g, "aws:iam/rolePolicy:RolePolicy");
  const doc = (typeof rp.policy === "string" ? JSON.parse(rp.policy) : rp.policy) as { Statement: Statement[] };
  edit(doc);
  rp.policy = JSON.stringify(doc);
}
