// The largest stack the config model allows (MAX_DOMAINS generated domains), synthesized whole:
// the user data stays the small fixed bootstrap, the per-domain files travel in the SSM host
// bundle (standard-tier parameters the instance role already reads), the ACME permissions fit
// IAM's limits, and the policy pack passes it, host files judged from the bundle it decodes.
import { beforeAll, describe, expect, it } from "vitest";
import { MAX_DOMAINS } from "../../infra/config/schema";
import { type SynthResult, runSynth } from "../../infra/synth";
import { snapshotFromSynth } from "../../plan/from-synth";
import { ALL_POLICIES } from "../../policy/all";
import { runPolicies } from "../../policy/run";
import { generatedStack, list, ofType, roleStatements } from "./helpers";

let r: SynthResult;
let seconds = 0;

beforeAll(async () => {
  const started = Date.now();
  r = await runSynth(`scale${MAX_DOMAINS}`, { configText: generatedStack(MAX_DOMAINS) });
  seconds = (Date.now() - started) / 1000;
  const userData = Buffer.from(r.userData, "base64").length;
  console.log(`synth of a ${MAX_DOMAINS}-domain stack: ${seconds.toFixed(1)} s; user data ${userData} bytes (gzip, of EC2's 16384); `
    + `host bundle ${r.hostFiles.bundleParameters} SSM parameters, ${r.hostFiles.bundleChars} characters, ${r.hostFiles.bundle.length} files`);
}, 900_000);

describe(`a generated ${MAX_DOMAINS}-domain stack (the config's cap)`, () => {
  it("keeps the user data to the bootstrap, within 8 KiB", () => {
    expect(r.config.domains).toHaveLength(MAX_DOMAINS);
    expect(Buffer.from(r.userData, "base64").length).toBeLessThanOrEqual(8192);
    expect(r.hostFiles.bootstrap.map((f) => f.path)).toEqual(["/etc/mailfort/mailfort.env", "/usr/local/sbin/mailfort-host-files"]);
  });

  it("carries every domain's files in standard-tier String parameters the user data pins", () => {
    expect(r.hostFiles.bundle.filter((f) => f.path.startsWith("/var/www/mailfort/mta-sts/"))).toHaveLength(MAX_DOMAINS);
    const parts = ofType(r, "aws:ssm/parameter:Parameter").filter((p) => String(p.inputs.name).startsWith(`/mailfort/${r.stack}/host/bundle/`));
    expect(parts).toHaveLength(r.hostFiles.bundleParameters);
    for (const p of parts) {
      expect(p.inputs.type).toBe("String");
      expect(p.inputs.tier ?? "Standard").toBe("Standard");
      expect(String(p.inputs.value).length).toBeLessThanOrEqual(4096);
    }
    expect(r.cloudConfig).toContain(`MAILFORT_HOST_BUNDLE_PARTS=${parts.length}\n`);
  });

  it("grants the instance role the stack's own SSM path only, and ACME challenge names of every zone within IAM's limits", () => {
    const role = `mailfort-${r.stack}-role`;
    const ssm = roleStatements(r, role).filter((s) => list(s.Action).some((a) => a.startsWith("ssm:Get")));
    for (const resource of ssm.flatMap((s) => list(s.Resource))) expect(resource).toMatch(new RegExp(`:parameter/mailfort/${r.stack}(/|$)`));
    // The installer's own grant: the bundle's parts, by name.
    expect(ssm.find((s) => s.Sid === "ReadHostBundle")?.Resource).toMatch(new RegExp(`:parameter/mailfort/${r.stack}/host/bundle/\\*$`));
    const acme = roleStatements(r, role).filter((s) => s.Sid?.startsWith("AcmeChallenge"));
    const names = acme.flatMap((s) => s.Condition?.["ForAllValues:StringEquals"]?.["route53:ChangeResourceRecordSetsNormalizedRecordNames"] as string[]);
    expect(names).toHaveLength(1 + 3 * MAX_DOMAINS);
    // The instance role's own (the flow-log delivery role has its own budget).
    const inline = ofType(r, "aws:iam/rolePolicy:RolePolicy").filter((p) => p.inputs.role === `mailfort-${r.stack}-role`).map((p) => String(p.inputs.policy).length);
    expect(inline.length).toBeGreaterThan(0);
    expect(inline.reduce((a, b) => a + b, 0)).toBeLessThan(10_240);
    const managed = ofType(r, "aws:iam/policy:Policy");
    expect(managed.length).toBeLessThanOrEqual(10); // managed policies per role (AWS quota)
    for (const p of managed) expect(String(p.inputs.policy).replace(/\s/g, "").length).toBeLessThanOrEqual(6144);
  });

  it("passes every mandatory policy, the host files judged from the bundle", async () => {
    const snap = snapshotFromSynth(r);
    const outcomes = await runPolicies([...snap.resources], snap.facts, ALL_POLICIES);
    const failing = outcomes.filter((o) => o.level === "mandatory" && o.violations.length > 0);
    expect(failing.map((o) => `${o.id}: ${o.violations.map((v) => v.message).join("; ")}`)).toEqual([]);
    expect(outcomes.find((o) => o.id === "host-files-pinned")?.violations).toEqual([]);
  }, 120_000);
});
