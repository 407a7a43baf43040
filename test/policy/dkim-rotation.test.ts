// dns-dkim-rotation: the pack refuses a graph that signs with a key not published (or published
// for less than its TTL + margin), or that revokes or removes a key still signing or still in its
// grace period; it passes every step of a real rotation. The pack's own reading of selectors and
// of the recorded state agrees with the product's.
import { beforeAll, describe, expect, it } from "vitest";
import { dkimSelectorOf } from "../../infra/config";
import { type RotationState, parseRotationState, rotationStateText } from "../../infra/core/dkim-rotation";
import { dkimSigningText } from "../../infra/core/dkim-signing";
import { parameterNames } from "../../infra/core/parameters";
import { loadStack, runSynth } from "../../infra/synth";
import type { PolicyFacts } from "../../policy/facts";
import { ALL_POLICIES } from "../../policy/all";
import { dkimRotationPolicy, generationOfSelector, readRotationState, readSigningSelectors, signingParameterName } from "../../policy/policies/dkim-rotation";
import { runPolicies } from "../../policy/run";
import { snapshotFromSynth } from "../../plan/from-synth";
import { type Graph, clone, inputs, record, removeRecord } from "./mutate";

const STACK = `
config:
  mailfort:region: eu-west-1
  mailfort:environment: staging
  mailfort:hostname: mail.rotate.example
  mailfort:domains:
    - name: rotate.example
  mailfort:mailboxes:
    - address: owner@rotate.example
      passwordHashSecret: owner-password
  mailfort:owner-password:
    secure: v1:bm90LWRlY3J5cHRlZA==:bm90LWRlY3J5cHRlZA==
  mailfort:dkim:
    rotation:
      generation: 1
  mailfort:tls:
    mode: self-signed
`;
const T0 = "2026-12-01T10:00:00Z";
const STEPS: Record<string, { state: string; now: string }> = {
  // Each synthesized as the up that takes the step (the state before it, at the time it is due).
  published: { state: '{"v":1,"step":"steady","generation":0}', now: T0 },
  signing: { state: `{"v":1,"step":"published","from":0,"generation":1,"publishedAt":"${T0}"}`, now: "2026-12-01T12:00:00Z" },
  revoked: { state: `{"v":1,"step":"signing","from":0,"generation":1,"publishedAt":"${T0}","signingAt":"2026-12-01T12:00:00Z"}`, now: "2026-12-08T12:00:00Z" },
  steady: { state: `{"v":1,"step":"revoked","from":0,"generation":1,"publishedAt":"${T0}","signingAt":"2026-12-01T12:00:00Z","revokedAt":"2026-12-08T12:00:00Z"}`, now: "2026-12-08T14:00:00Z" },
};
const graphs = new Map<string, { facts: PolicyFacts; resources: Graph }>();

beforeAll(async () => {
  await Promise.all(Object.entries(STEPS).map(async ([step, { state, now }]) => {
    const r = await runSynth("rotate", { configText: STACK, dkimRotationState: state, now });
    expect(JSON.parse(r.dkimRotation.state).step).toBe(step);
    const snap = snapshotFromSynth(r);
    graphs.set(step, { facts: snap.facts, resources: [...snap.resources] });
  }));
}, 600_000);

async function violations(step: string, mutate: (g: Graph) => void = () => {}): Promise<string[]> {
  const { facts, resources } = graphs.get(step)!;
  const g = clone(resources);
  mutate(g);
  const [out] = await runPolicies(g, facts, [dkimRotationPolicy]);
  expect(out?.level).toBe("mandatory");
  return out?.violations.map((v) => v.message) ?? [];
}

const signingMap = (g: Graph) => inputs(g, "aws:ssm/parameter:Parameter", (r) => r.inputs.name === signingParameterName("rotate"));
const signWith = (selector: string) => (g: Graph) => {
  const p = signingMap(g);
  p.value = JSON.stringify({ ...JSON.parse(String(p.value)) as Record<string, string>, "rotate.example": selector });
};
const setState = (edit: (s: Record<string, unknown>) => void) => (g: Graph) => {
  const p = inputs(g, "aws:ssm/parameter:Parameter", (r) => String(r.inputs.name).endsWith("/state/dkim-rotation"));
  const s = JSON.parse(String(p.value)) as Record<string, unknown>;
  edit(s);
  p.value = JSON.stringify(s);
};

describe("dns-dkim-rotation", () => {
  it.each(Object.keys(STEPS))("passes the up that takes step %s (and so does every other policy)", async (step) => {
    expect(await violations(step)).toEqual([]);
    const { facts, resources } = graphs.get(step)!;
    const failed = (await runPolicies(resources, facts, ALL_POLICIES)).filter((o) => o.level === "mandatory" && o.violations.length > 0);
    expect(failed.map((o) => `${o.id}: ${o.violations[0]?.message}`)).toEqual([]);
  });

  it.each([
    ["published", "signing with the new key before the switch (its record not yet public for TTL + margin)", signWith("mail-g1"), /signs with generation 1 \(mail-g1\), but the rotation is at step published, which signs with generation 0/],
    ["published", "signing with a key that is not published at all", signWith("mail-g2"), /mail-g2\._domainkey\.rotate\.example is not published/],
    ["published", "the new key's record missing while it is being published", (g: Graph) => removeRecord(g, "mail-g1._domainkey.rotate.example", "TXT"), /step published, but mail-g1\._domainkey\.rotate\.example has no key/],
    ["signing", "a switch recorded 10 minutes after publishing", setState((s) => { s.signingAt = "2026-12-01T10:10:00Z"; }), /10 min after publishing it .* TTL \(3600 s\) \+ marginMinutes \(60\)/],
    ["signing", "the old key removed while still in its grace period", (g: Graph) => removeRecord(g, "mail._domainkey.rotate.example", "TXT"), /generation 0's key \(mail\._domainkey\.rotate\.example\) is not published at step signing/],
    ["signing", "the old key revoked while still in its grace period", (g: Graph) => { record(g, "mail._domainkey.rotate.example", "TXT").records = ['"v=DKIM1; p="']; }, /generation 0's key .* is not published at step signing/],
    ["signing", "the signing key revoked", (g: Graph) => { record(g, "mail-g1._domainkey.rotate.example", "TXT").records = ['"v=DKIM1; p="']; }, /signs with selector mail-g1, but mail-g1\._domainkey\.rotate\.example is revoked/],
    ["revoked", "revoked a day after the switch (grace 168 h)", setState((s) => { s.revokedAt = "2026-12-02T12:00:00Z"; }), /revoked generation 0 .* 24 h after the switch; graceHours is 168/],
    ["revoked", "still signing with the revoked key", signWith("mail"), /signs with selector mail, but mail\._domainkey\.rotate\.example is revoked/],
    ["steady", "the signing key's record removed", (g: Graph) => removeRecord(g, "mail-g1._domainkey.rotate.example", "TXT"), /mail-g1\._domainkey\.rotate\.example is not published/],
    ["steady", "a signing map with a foreign selector", signWith("other"), /signs with selector other, which is neither mail nor mail-g<N>/],
    ["steady", "no signing map for the host", (g: Graph) => { g.splice(g.indexOf(g.find((r) => r.inputs.name === signingParameterName("rotate"))!), 1); }, /no SSM parameter \/mailfort\/rotate\/dkim-signing tells the host which DKIM selector signs/],
    ["steady", "a signing map that is not JSON", (g: Graph) => { signingMap(g).value = "rotate.example mail-g1"; }, /\/mailfort\/rotate\/dkim-signing is not JSON/],
    ["steady", "a signing map without the sending domain", (g: Graph) => { signingMap(g).value = "{}"; }, /rotate\.example: \/mailfort\/rotate\/dkim-signing has no selector for it/],
    ["steady", "no recorded state", (g: Graph) => { g.splice(g.findIndex((r) => String(r.inputs.name).endsWith("/state/dkim-rotation")), 1); }, /no SSM parameter \/mailfort\/rotate\/state\/dkim-rotation/],
    ["steady", "a state that is not JSON", (g: Graph) => { inputs(g, "aws:ssm/parameter:Parameter", (r) => String(r.inputs.name).endsWith("/state/dkim-rotation")).value = "{"; }, /the DKIM rotation state is not JSON/],
  ])("refuses at step %s: %s", async (step, _what, mutate, expected) => {
    const found = await violations(step as string, mutate as (g: Graph) => void);
    expect(found).toEqual(expect.arrayContaining([expect.stringMatching(expected as RegExp)]));
  });

  it("reads selector names and recorded states as the product writes them", () => {
    for (const g of [0, 1, 2, 10, 9999]) expect(generationOfSelector("mail", dkimSelectorOf("mail", g))).toBe(g);
    expect(generationOfSelector("mail", "mail-g01")).toBeUndefined();
    expect(generationOfSelector("mail", "mailer")).toBeUndefined();
    const states: RotationState[] = [
      { v: 1, step: "steady", generation: 3 },
      { v: 1, step: "revoked", from: 2, generation: 3, publishedAt: T0, signingAt: "2026-12-01T12:00:00Z", revokedAt: "2026-12-08T12:00:00Z" },
    ];
    for (const s of states) {
      const text = rotationStateText(s);
      expect(parseRotationState(text, "x")).toEqual(s);
      const read = readRotationState(text);
      expect(read).toMatchObject({ step: s.step, generation: s.generation });
    }
    expect(signingParameterName("rotate")).toBe(parameterNames({ stack: "rotate" }).dkimSigning.name);
    expect(readSigningSelectors(dkimSigningText({ ...loadStack("rotate", { configText: STACK }).config, dkimLayout: { signing: 2, published: [1, 2], revoked: [] } })))
      .toEqual(new Map([["rotate.example", "mail-g2"]]));
    expect(readRotationState("{")).toBe("is not JSON");
    expect(readRotationState('{"v":1,"step":"signing","generation":1}')).toMatch(/lacks from, publishedAt, signingAt/);
  });
});
