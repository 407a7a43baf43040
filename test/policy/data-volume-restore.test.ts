// The pack on a restore: the real synthesized graph of a restoring lab stack passes every policy;
// each way a restore could delete the current volume (restoring in place, dropping the volume it
// replaces, unprotecting it) or leave the stack's control (no own key) is refused by name.
import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { DATA_VOLUME_TAGS } from "../../infra/core/restore";
import { runSynth } from "../../infra/synth";
import { snapshotFromSynth } from "../../plan/from-synth";
import { ALL_POLICIES, policyById } from "../../policy/all";
import type { PolicyFacts } from "../../policy/facts";
import { RESTORE_TAGS } from "../../policy/policies/data-volume";
import { runPolicies, runPolicy } from "../../policy/run";
import { type Graph, clone, find } from "./mutate";

const SNAP = "snap-0123456789abcdef0";
const VOLUME = "aws:ebs/volume:Volume";
let facts: PolicyFacts;
let graph: Graph;

beforeAll(async () => {
  const text = `${readFileSync("stacks/Pulumi.lab.yaml", "utf8").trimEnd()}\n  mailfort:dataVolume:\n    restoreFrom: ${SNAP}\n  mailfort:backups:\n    crossRegionCopies: [{ region: us-east-1 }]\n`;
  const snap = snapshotFromSynth(await runSynth("lab", { configText: text, passphrase: "" }));
  facts = snap.facts;
  graph = [...snap.resources];
}, 240_000);

const restored = (g: Graph) => find(g, VOLUME, (r) => r.inputs.snapshotId === SNAP);
const original = (g: Graph) => find(g, VOLUME, (r) => r.name === "mailfort-lab-host-data");
const violations = async (id: string, g: Graph, f: PolicyFacts = facts) => (await runPolicy(policyById(id), g, f)).map((v) => v.message);

describe("a restoring stack", () => {
  it("passes every policy (the DLM key grant and the new keys included)", async () => {
    const failing = (await runPolicies(graph, facts)).filter((o) => o.violations.length > 0);
    expect(failing.map((o) => `${o.id}: ${o.violations.map((v) => v.message).join("; ")}`)).toEqual([]);
    expect(ALL_POLICIES.map((p) => p.name)).toContain("instance-data-volume-restore");
  });

  it("refuses a restore into the current volume in place (it would be replaced: deleted)", async () => {
    const g = clone(graph).filter((r) => !(r.type === VOLUME && r.inputs.snapshotId === SNAP));
    Object.assign(original(g).inputs, { snapshotId: SNAP, kmsKeyId: "arn:aws:kms:eu-west-1:123456789012:key/x" });
    expect(await violations("instance-data-volume-restore", g)).toEqual([expect.stringMatching(/mailfort-lab-host-data: is made from snap-0123456789abcdef0 but names no volume it supersedes .*replaces it, deleting the mail/)]);
  });

  it("refuses a restore that drops the volume it replaces from the stack", async () => {
    const g = clone(graph).filter((r) => r.name !== "mailfort-lab-host-data" || r.type !== VOLUME);
    expect(await violations("instance-data-volume-restore", g)).toEqual([expect.stringMatching(/restoring from snap-0123456789abcdef0 would delete the current data volume mailfort-lab-host-data/)]);
  });

  it("refuses the kept volume unprotected or not retained, and a restored one on the default key", async () => {
    const g = clone(graph);
    const kept = original(g);
    Object.assign(kept, { opts: { ...kept.opts, protect: false, retainOnDelete: false } });
    delete restored(g).inputs.kmsKeyId;
    expect(await violations("instance-data-volume-retained", g)).toEqual([expect.stringMatching(/not protected/), expect.stringMatching(/not retained on delete/)]);
    expect(await violations("instance-data-volume-restore", g)).toEqual([expect.stringMatching(/without kmsKeyId/)]);
  });

  it("refuses a graph that does not do the restore the stack file asks for", async () => {
    expect(await violations("instance-data-volume-restore", graph, { ...facts, restoreFrom: "snap-0fedcba9876543210" })).toEqual([expect.stringMatching(/restores from snap-0fedcba9876543210 .* but no data volume is made from it/)]);
  });

  it("keeps its own copy of the tag keys, and it agrees with the program's", () => {
    expect(RESTORE_TAGS).toEqual({ role: DATA_VOLUME_TAGS.role, restoredFrom: DATA_VOLUME_TAGS.restoredFrom, supersedes: DATA_VOLUME_TAGS.supersedes });
  });
});
