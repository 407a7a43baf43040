// Helpers for the bad-variant table: find a resource in a synthesized graph and change it the way
// a careless edit would. Every helper fails loudly when what it edits is missing, so a row can
// never pass because its mutation silently did nothing.
import { gzipSync } from "node:zlib";
import { dump, load } from "js-yaml";
import { type HostFile, packHostBundle, unpackHostBundle } from "../../infra/core/host";
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
function editUserDataFile(g: Graph, path: string, edit: (content: string) => string): boolean {
  const inst = inputs(g, "aws:ec2/instance:Instance");
  const field = typeof inst.userDataBase64 === "string" ? "userDataBase64" : "userData";
  if (typeof inst[field] !== "string") throw new Error("the instance has no user data");
  const text = decodeUserDataText(String(inst[field]), field === "userDataBase64");
  const doc = load(text) as CloudConfig;
  const f = doc.write_files.find((x) => x.path === path);
  if (!f) return false;
  const before = f.content ?? "";
  f.content = edit(before);
  delete f.encoding;
  if (f.content === before) throw new Error(`the edit of ${path} changed nothing`);
  inst[field] = gzipSync(`#cloud-config\n${dump(doc, { lineWidth: -1 })}`).toString("base64");
  return true;
}

const BUNDLE_PART = /^\/mailfort\/[^/]+\/host\/bundle\/(\d{3})$/;
const SSM_PARAMETER = "aws:ssm/parameter:Parameter";

/** The host bundle's part parameters, in order. */
export function bundleParts(g: Graph): GraphResource[] {
  const parts = g.filter((r) => r.type === SSM_PARAMETER && BUNDLE_PART.test(String(r.inputs.name)));
  if (parts.length === 0) throw new Error("the graph has no host bundle parameters");
  return parts.sort((a, b) => String(a.inputs.name).localeCompare(String(b.inputs.name)));
}

/** Replace the bundle's files, re-packed into as many part parameters as they need. */
function setBundleFiles(g: Graph, files: HostFile[]): { sha256: string; parts: number } {
  const parts = bundleParts(g);
  const packed = packHostBundle(files);
  const prefix = String(parts[0]?.inputs.name).replace(/\d{3}$/, "");
  for (const old of parts.slice(packed.chunks.length)) g.splice(g.indexOf(old), 1);
  packed.chunks.forEach((value, n) => {
    const name = `${prefix}${String(n).padStart(3, "0")}`;
    const existing = parts[n];
    if (existing) existing.inputs.value = value;
    else g.push({ ...structuredClone(parts[0] as GraphResource), name: `${parts[0]?.name}-${n}`, urn: undefined, inputs: { ...parts[0]?.inputs, name, value } } as GraphResource);
  });
  return { sha256: packed.sha256, parts: packed.chunks.length };
}

/**
 * Rewrite one file the host gets, wherever it travels: in the user data (re-encoded as it was),
 * or in the SSM host bundle (re-packed, and re-pinned in the user data unless `repin` is false,
 * the way a careless edit of configs/ renders both).
 */
export function editHostFile(g: Graph, path: string, edit: (content: string) => string, opts: { repin?: boolean } = {}): void {
  if (editUserDataFile(g, path, edit)) return;
  const files = unpackHostBundle(bundleParts(g).map((p) => String(p.inputs.value))).files;
  const f = files.find((x) => x.path === path);
  if (!f) throw new Error(`neither the user data nor the host bundle writes ${path}`);
  const before = f.content;
  const after = edit(before);
  if (after === before) throw new Error(`the edit of ${path} changed nothing`);
  const { sha256, parts } = setBundleFiles(g, files.map((x) => (x.path === path ? { ...x, content: after } : x)));
  if (opts.repin === false) return;
  editUserDataFile(g, "/etc/mailfort/mailfort.env", (env) => {
    const pinned = setLine(/^MAILFORT_HOST_BUNDLE_SHA256=.*$/m, `MAILFORT_HOST_BUNDLE_SHA256=${sha256}`)(env);
    return pinned.replace(/^MAILFORT_HOST_BUNDLE_PARTS=.*$/m, `MAILFORT_HOST_BUNDLE_PARTS=${parts}`);
  });
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
