// The dev, prod and lab stacks synthesized once per test file (one child process each, in
// parallel), as the policy pack sees them: the resource graph and the stack's facts.
import { beforeAll } from "vitest";
import { runSynth } from "../../infra/synth";
import type { PolicyFacts } from "../../policy/facts";
import { snapshotFromSynth } from "../../plan/from-synth";
import type { Graph } from "./mutate";

export const STACKS = ["dev", "prod", "lab"] as const;
export type StackName = (typeof STACKS)[number];

/** Register the synth in a beforeAll; the returned function gives a stack's graph and facts. */
export function synthesizedStacks(timeoutMs = 300_000): (s: StackName) => { facts: PolicyFacts; resources: Graph } {
  const graphs = new Map<StackName, { facts: PolicyFacts; resources: Graph }>();
  beforeAll(async () => {
    const results = await Promise.all(STACKS.map((s) => runSynth(s)));
    for (const r of results) {
      const snap = snapshotFromSynth(r);
      graphs.set(r.stack as StackName, { facts: snap.facts, resources: [...snap.resources] });
    }
  }, timeoutMs);
  return (s) => {
    const g = graphs.get(s);
    if (!g) throw new Error(`stack ${s} was not synthesized`);
    return g;
  };
}
