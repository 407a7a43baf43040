// The difference between two synthesized stacks (base ref vs working tree), as data: resources
// added/changed/removed, DNS records, open ports, host files and policy results.
import { createTwoFilesPatch } from "diff";
import { decodeUserDataText } from "../policy/lib/user-data";
import { ingressOf } from "../policy/policies/network";
import { type PolicyOutcome, runPolicies } from "../policy/run";
import { type DataVolumeChange, dataVolumeChange } from "./data-volume";
import { normalizeText, normalizeValue, stableJson } from "./normalize";
import { nameIds } from "./resource-ids";
import { type Snapshot, hostFilesOf } from "./snapshot";

export interface ResourceChange {
  readonly type: string;
  readonly name: string;
  readonly kind: "added" | "removed" | "changed";
  /** Top-level input keys that differ (changed only). */
  readonly keys: readonly string[];
}

export interface ListDiff {
  readonly added: readonly string[];
  readonly removed: readonly string[];
}

export interface FileChange {
  readonly path: string;
  readonly kind: "added" | "removed" | "changed";
  /** Unified diff (changed), or the file (added/removed). */
  readonly patch: string;
}

export interface PlanDiff {
  readonly stack: string;
  readonly resources: readonly ResourceChange[];
  readonly resourceCounts: { readonly base: number; readonly head: number };
  readonly records: ListDiff;
  readonly ports: ListDiff & { readonly head: readonly string[] };
  readonly files: readonly FileChange[];
  /** A restore, or a data volume leaving the stack (undefined: the volumes are as they were). */
  readonly dataVolume?: DataVolumeChange;
  readonly policies: { readonly base: readonly PolicyOutcome[]; readonly head: readonly PolicyOutcome[] };
  /** The head's DKIM rotation: this up's step and the next (docs/dkim-rotation.md). */
  readonly dkimRotation?: NonNullable<Snapshot["dkimRotation"]>;
}

const key = (r: { type: string; name: string }) => `${r.type}::${r.name}`;

/** An input as compared: user data decoded first (its gzip+base64 bytes would mask as one blob),
 * ids of the synth's own resources named, every other invented value masked. */
function comparable(name: string, value: unknown, ids: Readonly<Record<string, string>>): string {
  if ((name === "userData" || name === "userDataBase64") && typeof value === "string") return normalizeText(decodeUserDataText(value, name === "userDataBase64"));
  return stableJson(normalizeValue(nameIds(value, ids)));
}

export function diffResources(base: Snapshot, head: Snapshot): ResourceChange[] {
  const b = new Map(base.resources.map((r) => [key(r), r]));
  const h = new Map(head.resources.map((r) => [key(r), r]));
  const out: ResourceChange[] = [];
  for (const [k, r] of h) {
    const old = b.get(k);
    if (!old) { out.push({ type: r.type, name: r.name, kind: "added", keys: [] }); continue; }
    const names = [...new Set([...Object.keys(old.inputs), ...Object.keys(r.inputs)])].sort();
    const changed = names.filter((n) => comparable(n, old.inputs[n], base.resourceIds ?? {}) !== comparable(n, r.inputs[n], head.resourceIds ?? {}));
    const optsChanged = stableJson(old.opts ?? {}) !== stableJson(r.opts ?? {}) ? ["(options)"] : [];
    if (changed.length + optsChanged.length > 0) out.push({ type: r.type, name: r.name, kind: "changed", keys: [...changed, ...optsChanged] });
  }
  for (const [k, r] of b) if (!h.has(k)) out.push({ type: r.type, name: r.name, kind: "removed", keys: [] });
  const order = { removed: 0, changed: 1, added: 2 };
  return out.sort((x, y) => order[x.kind] - order[y.kind] || key(x).localeCompare(key(y)));
}

function listDiff(base: readonly string[], head: readonly string[]): ListDiff {
  const b = new Set(base);
  const h = new Set(head);
  return { added: [...h].filter((x) => !b.has(x)).sort(), removed: [...b].filter((x) => !h.has(x)).sort() };
}

function recordLines(s: Snapshot): string[] {
  return s.records.flatMap((r) => r.values.map((v) => normalizeText(`${r.name} ${r.ttl ?? ""} ${r.type} ${v}`.replace(/\s+/g, " "))));
}

function openPorts(s: Snapshot): string[] {
  const out = new Set<string>();
  for (const r of s.resources) {
    for (const rule of ingressOf(r.type, r.inputs)) {
      if (rule.sources.length === 0) continue;
      const ports = rule.from === rule.to ? `${rule.from}` : `${rule.from}-${rule.to}`;
      for (const src of rule.sources) out.add(`${rule.protocol}/${ports} from ${src}`);
    }
  }
  return [...out].sort((a, b) => (parseInt(a.split("/")[1] ?? "0", 10) - parseInt(b.split("/")[1] ?? "0", 10)) || a.localeCompare(b));
}

function diffFiles(base: Snapshot, head: Snapshot): FileChange[] {
  const b = hostFilesOf(base);
  const h = hostFilesOf(head);
  const out: FileChange[] = [];
  for (const path of [...new Set([...b.keys(), ...h.keys()])].sort()) {
    const old = b.get(path)?.content;
    const now = h.get(path)?.content;
    if (old === undefined && now !== undefined) out.push({ path, kind: "added", patch: now });
    else if (old !== undefined && now === undefined) out.push({ path, kind: "removed", patch: old });
    else if (old !== undefined && now !== undefined && normalizeText(old) !== normalizeText(now)) {
      out.push({ path, kind: "changed", patch: createTwoFilesPatch(`a${path}`, `b${path}`, normalizeText(old), normalizeText(now), "base", "head", { context: 2 }) });
    }
  }
  return out;
}

export async function planDiff(base: Snapshot, head: Snapshot): Promise<PlanDiff> {
  const headPorts = openPorts(head);
  return {
    stack: head.stack,
    resources: diffResources(base, head),
    resourceCounts: { base: base.resources.length, head: head.resources.length },
    records: listDiff(recordLines(base), recordLines(head)),
    ports: { ...listDiff(openPorts(base), headPorts), head: headPorts },
    files: diffFiles(base, head),
    ...withDataVolume(dataVolumeChange(base, head)),
    ...(head.dkimRotation !== undefined ? { dkimRotation: head.dkimRotation } : {}),
    policies: { base: await runPolicies(base.resources, base.facts), head: await runPolicies(head.resources, head.facts) },
  };
}

const withDataVolume = (c: DataVolumeChange | undefined) => (c !== undefined ? { dataVolume: c } : {});
