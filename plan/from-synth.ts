// The offline synth's result (infra/synth) as a policy Snapshot: resources with the options the
// engine would see (protect, retainOnDelete), the DNS record set, and the facts from its config.
import type { SynthResult } from "../infra/synth";
import { factsFromConfig } from "../policy/facts";
import type { GraphResource } from "../policy/run";
import { resourceIds } from "./resource-ids";
import type { Snapshot } from "./snapshot";

export function snapshotFromSynth(result: SynthResult): Snapshot {
  const resources: GraphResource[] = result.resources.map((r) => ({
    type: r.type,
    name: r.name,
    ...(r.urn ? { urn: r.urn } : {}),
    inputs: r.inputs,
    ...(r.options ? { opts: { protect: r.options.protect, retainOnDelete: r.options.retainOnDelete, ...(r.options.parent ? { parent: r.options.parent } : {}) } } : {}),
  }));
  return {
    stack: result.stack,
    facts: factsFromConfig(result.config),
    resources,
    records: result.records.map((r) => ({ name: r.name, type: r.type, ttl: r.ttl, values: r.values, purpose: r.purpose })),
    resourceIds: resourceIds(result.resources),
    ...(result.dkimRotation !== undefined ? { dkimRotation: { says: result.dkimRotation.says, advanced: result.dkimRotation.advanced, next: result.dkimRotation.next } } : {}),
  };
}
