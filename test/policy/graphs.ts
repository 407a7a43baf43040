// The dev, prod and lab stacks synthesized once per test file (one child process each, in
// parallel), as the policy pack sees them: the resource graph and the stack's facts. The lab
// stack runs ACME; "lab-self-signed" is it with tls.mode self-signed (quick runs, previews), the
// only stack whose graph holds the stack-made certificate.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll } from "vitest";
import { runSynth } from "../../infra/synth";
import type { PolicyFacts } from "../../policy/facts";
import { snapshotFromSynth } from "../../plan/from-synth";
import { selfSignedLabText } from "../infra/helpers";
import type { Graph } from "./mutate";

export const STACKS = ["dev", "prod", "lab", "lab-self-signed"] as const;
export type StackName = (typeof STACKS)[number];

function synth(s: StackName) {
  if (s !== "lab-self-signed") return runSynth(s);
  return runSynth("lab", { configText: selfSignedLabText(readFileSync(join(__dirname, "..", "..", "stacks", "Pulumi.lab.yaml"), "utf8")) });
}

/** Register the synth in a beforeAll; the returned function gives a stack's graph and facts. */
export function synthesizedStacks(timeoutMs = 300_000, stacks: readonly StackName[] = STACKS): (s: StackName) => { facts: PolicyFacts; resources: Graph } {
  const graphs = new Map<StackName, { facts: PolicyFacts; resources: Graph }>();
  beforeAll(async () => {
    const results = await Promise.all(stacks.map(synth));
    results.forEach((r, i) => {
      const snap = snapshotFromSynth(r);
      graphs.set(stacks[i]!, { facts: snap.facts, resources: [...snap.resources] });
    });
  }, timeoutMs);
  return (s) => {
    const g = graphs.get(s);
    if (!g) throw new Error(`stack ${s} was not synthesized`);
    return g;
  };
}
