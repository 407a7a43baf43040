// The mutation table (mutations.cases.ts): every insecure change to a good synthesized graph is
// caught by a mandatory policy with its own message, while the unmutated graph passes it. The
// pack's own lists are held to the product's in independent-lists.test.ts.
import { describe, expect, it } from "vitest";
import { ALL_POLICIES } from "../../policy/all";
import { runPolicies } from "../../policy/run";
import { synthesizedStacks } from "./graphs";
import { clone } from "./mutate";
import { MUTATIONS } from "./mutations.cases";

// The mutations are of the dev, prod and lab stacks only.
const stack = synthesizedStacks(300_000, ["dev", "prod", "lab"]);

describe("the mutation table", () => {
  it("holds at least 40 mutations across the instance, volumes, both directions of the security group, IAM, SSM, DNS and every host file", () => {
    expect(MUTATIONS.length).toBeGreaterThanOrEqual(40);
    expect(new Set(MUTATIONS.map((m) => `${m.stack} ${m.bad}`)).size).toBe(MUTATIONS.length);
    const ids = new Set(MUTATIONS.map((m) => m.id));
    for (const needed of ["instance-imdsv2", "instance-volume-encryption", "network-ingress", "network-egress", "iam-least-privilege", "iam-instance-scope", "secrets-securestring", "host-local-lists",
      "dns-mx", "dns-spf", "dns-dkim", "dns-dkim-rotation", "dns-dmarc", "dns-mta-sts-tlsrpt", "dns-caa", "dns-dnssec-dane", "dns-ptr-hostname", "dns-srv-tls-only", "dns-txt-length"]) {
      expect(ids, needed).toContain(needed);
    }
    console.log(`policy mutations: ${MUTATIONS.length}, caught by ${ids.size} policies`);
  });

  it.each(MUTATIONS)("$id catches on $stack: $bad", async (row) => {
    const { facts, resources } = stack(row.stack);
    const g = clone(resources);
    row.mutate(g);
    const outcomes = await runPolicies(g, facts);
    const caught = outcomes.find((o) => o.id === row.id);
    expect(caught?.level, `${row.id} runs at this level on ${row.stack}`).toBe("mandatory");
    expect(caught?.violations.map((v) => v.message)).toEqual(expect.arrayContaining([expect.stringMatching(row.expect)]));
    // The violation is the mutation's doing: the same policy passes the unmutated graph.
    const before = (await runPolicies(resources, facts, ALL_POLICIES.filter((p) => p.name === row.id)))[0];
    expect(before?.violations).toEqual([]);
  });
});
