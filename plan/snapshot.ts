// One synthesized stack as the plan and the offline check read it: the resource graph, the DNS
// records and the host files the instance receives, plus the facts the policies need.
import type { PolicyFacts } from "../policy/facts";
import { instanceHostFiles } from "../policy/lib/host-files";
import type { HostFile } from "../policy/lib/user-data";
import type { GraphResource } from "../policy/run";

export interface SnapshotRecord {
  readonly name: string;
  readonly type: string;
  readonly ttl?: number;
  readonly values: readonly string[];
  readonly purpose?: string;
}

export interface Snapshot {
  readonly stack: string;
  readonly facts: PolicyFacts;
  readonly resources: readonly GraphResource[];
  readonly records: readonly SnapshotRecord[];
  /** Where the DKIM rotation stands after this up and what the next up does (synths from before rotation have none). */
  readonly dkimRotation?: { readonly says: string; readonly advanced: boolean; readonly next: { readonly says: string; readonly notBefore?: string } };
  /** Ids the synth invented -> the resource each belongs to (plan/resource-ids.ts). */
  readonly resourceIds?: Readonly<Record<string, string>>;
}

const INSTANCE_TYPES = new Set(["aws:ec2/instance:Instance", "aws:ec2/launchTemplate:LaunchTemplate"]);

/** The files every instance gets (its user data's, then the host bundle's from SSM), keyed
 * "<instance>:<path>" when there are several instances. Where a file travels is not a change. */
export function hostFilesOf(s: Snapshot): Map<string, HostFile> {
  const out = new Map<string, HostFile>();
  const graph = s.resources.map((r) => ({ type: r.type, props: r.inputs }));
  const instances = s.resources.filter((r) => INSTANCE_TYPES.has(r.type));
  for (const r of instances) {
    for (const f of instanceHostFiles(r.inputs, graph, s.stack) ?? []) out.set(instances.length > 1 ? `${r.name}:${f.path}` : f.path, f);
  }
  return out;
}
