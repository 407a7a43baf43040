// Specification of the DKIM rotation's step machine (infra/core/dkim-rotation.ts): every
// transition, the timing edges (a step one second early is not taken, at the second it is),
// one step per up, refusals, the recorded state's parser, and what each step publishes and signs.
import { describe, expect, it } from "vitest";
import { ConfigError, type DkimLayout, domainDkim, dkimSelectorOf } from "../../infra/config";
import {
  INITIAL_STATE, type RotationState, type RotationTiming, decideRotation, layoutOf, parseRotationState, rotationStateText,
} from "../../infra/core/dkim-rotation";
import { dkimSigningSelectors } from "../../infra/core/dkim-signing";
import { buildRecordSet } from "../../infra/core/dns";
import { hostView } from "../../infra/core/host/view";
import { inputsFor, mailConfig } from "./dns-fixtures";

const timing: RotationTiming = { ttlSeconds: 3600, marginMinutes: 60, graceHours: 168 };
const T0 = "2026-12-01T10:00:00Z";
const at = (iso: string, plusSeconds = 0) => new Date(Date.parse(iso) + plusSeconds * 1000);
const HOUR = 3600;

describe("the step machine, one up at a time", () => {
  it("a stack with no recorded state is at rest at generation 0 and records that (no time in it: nothing to flap)", () => {
    const d = decideRotation(undefined, 0, timing, at(T0));
    expect(d.state).toEqual(INITIAL_STATE);
    expect(d.advanced).toBe(true);
    expect(d.layout).toEqual({ signing: 0, published: [0], revoked: [] });
    expect(d.next.step).toBe("start");
    expect(rotationStateText(d.state)).toBe('{"v":1,"step":"steady","generation":0}');
  });

  it("at rest, an unchanged generation takes no step, whatever the time", () => {
    const s: RotationState = { v: 1, step: "steady", generation: 3 };
    for (const now of [at(T0), at(T0, 400 * 24 * HOUR)]) {
      const d = decideRotation(s, 3, timing, now);
      expect(d.state).toBe(s);
      expect(d.advanced).toBe(false);
    }
  });

  it("raising the generation publishes the new key at once, beside the old one, which still signs", () => {
    const d = decideRotation({ v: 1, step: "steady", generation: 0 }, 1, timing, at(T0));
    expect(d.state).toEqual({ v: 1, step: "published", from: 0, generation: 1, publishedAt: T0 });
    expect(d.layout).toEqual({ signing: 0, published: [0, 1], revoked: [] });
    expect(d.next).toMatchObject({ step: "signing", notBefore: at(T0, HOUR + 60 * 60) });
  });

  it("signs with the new key only once its record has been public for TTL + margin (edge: one second early)", () => {
    const s: RotationState = { v: 1, step: "published", from: 0, generation: 1, publishedAt: T0 };
    const due = HOUR + 60 * 60;
    const early = decideRotation(s, 1, timing, at(T0, due - 1));
    expect(early.state).toBe(s);
    expect(early.advanced).toBe(false);
    expect(early.layout.signing).toBe(0);
    const onTime = decideRotation(s, 1, timing, at(T0, due));
    expect(onTime.state).toEqual({ ...s, step: "signing", signingAt: "2026-12-01T12:00:00Z" });
    expect(onTime.layout).toEqual({ signing: 1, published: [0, 1], revoked: [] });
  });

  it("the margin and the TTL both count", () => {
    const s: RotationState = { v: 1, step: "published", from: 0, generation: 1, publishedAt: T0 };
    const slow = { ttlSeconds: 7200, marginMinutes: 30, graceHours: 168 };
    expect(decideRotation(s, 1, slow, at(T0, 7200 + 1800 - 1)).advanced).toBe(false);
    expect(decideRotation(s, 1, slow, at(T0, 7200 + 1800)).state.step).toBe("signing");
  });

  it("keeps the old key published through the grace period, then revokes it (edge: one second early)", () => {
    const s: RotationState = { v: 1, step: "signing", from: 0, generation: 1, publishedAt: T0, signingAt: "2026-12-01T12:00:00Z" };
    const grace = 168 * HOUR;
    expect(decideRotation(s, 1, timing, at(s.signingAt, grace - 1)).state).toBe(s);
    const d = decideRotation(s, 1, timing, at(s.signingAt, grace));
    expect(d.state).toEqual({ ...s, step: "revoked", revokedAt: "2026-12-08T12:00:00Z" });
    expect(d.layout).toEqual({ signing: 1, published: [1], revoked: [0] });
  });

  it("removes the revoked record TTL + margin after revoking (edge: one second early), and is at rest at the new generation", () => {
    const s: RotationState = { v: 1, step: "revoked", from: 0, generation: 1, publishedAt: T0, signingAt: "2026-12-01T12:00:00Z", revokedAt: "2026-12-08T12:00:00Z" };
    expect(decideRotation(s, 1, timing, at(s.revokedAt, 2 * HOUR - 1)).state).toBe(s);
    const d = decideRotation(s, 1, timing, at(s.revokedAt, 2 * HOUR));
    expect(d.state).toEqual({ v: 1, step: "steady", generation: 1 });
    expect(d.layout).toEqual({ signing: 1, published: [1], revoked: [] });
  });

  it("walks the whole rotation in order, one step per up even when every step is long overdue", () => {
    let state: RotationState | undefined;
    const steps: string[] = [];
    for (let up = 0; up < 6; up++) {
      const d = decideRotation(state, 2, timing, at(T0, up * 30 * 24 * HOUR));
      steps.push(d.state.step);
      state = d.state;
    }
    expect(steps).toEqual(["published", "signing", "revoked", "steady", "steady", "steady"]);
    expect(state).toEqual({ v: 1, step: "steady", generation: 2 });
  });

  it("a generation raised again mid-rotation waits for the running rotation to finish, then starts", () => {
    const s: RotationState = { v: 1, step: "revoked", from: 0, generation: 1, publishedAt: T0, signingAt: T0, revokedAt: T0 };
    const finished = decideRotation(s, 2, timing, at(T0, 10 * HOUR));
    expect(finished.state).toEqual({ v: 1, step: "steady", generation: 1 });
    expect(finished.next.step).toBe("published");
    expect(decideRotation(finished.state, 2, timing, at(T0, 10 * HOUR)).state).toMatchObject({ step: "published", from: 1, generation: 2 });
  });

  it("refuses to go back a generation, naming the setting and the fix", () => {
    expect(() => decideRotation({ v: 1, step: "steady", generation: 2 }, 1, timing, at(T0))).toThrow(ConfigError);
    expect(() => decideRotation({ v: 1, step: "steady", generation: 2 }, 1, timing, at(T0))).toThrow(/mailfort:dkim\.rotation\.generation: is 1, but generation 2 is already signing[\s\S]*fix: set it to 2/);
    expect(() => decideRotation({ v: 1, step: "published", from: 0, generation: 1, publishedAt: T0 }, 0, timing, at(T0))).toThrow(/being rolled out[\s\S]*set it to 1/);
  });

  it("a second up at the same time as the step it took does nothing more (the next step's time starts at this one)", () => {
    const first = decideRotation({ v: 1, step: "steady", generation: 0 }, 1, timing, at(T0));
    expect(decideRotation(first.state, 1, timing, at(T0)).advanced).toBe(false);
  });

  it("the same recorded state and time give the same answer (a preview does not flap)", () => {
    const s: RotationState = { v: 1, step: "published", from: 0, generation: 1, publishedAt: T0 };
    const a = decideRotation(s, 1, timing, at(T0, 60));
    const b = decideRotation(s, 1, timing, at(T0, 120));
    expect(rotationStateText(a.state)).toBe(rotationStateText(b.state));
  });

  it("never signs with a generation that is not published, in any step", () => {
    const states: RotationState[] = [
      { v: 1, step: "steady", generation: 4 },
      { v: 1, step: "published", from: 4, generation: 5, publishedAt: T0 },
      { v: 1, step: "signing", from: 4, generation: 5, publishedAt: T0, signingAt: T0 },
      { v: 1, step: "revoked", from: 4, generation: 5, publishedAt: T0, signingAt: T0, revokedAt: T0 },
    ];
    for (const s of states) {
      const l = layoutOf(s);
      expect(l.published).toContain(l.signing);
      expect(l.revoked).not.toContain(l.signing);
    }
  });
});

describe("the recorded state", () => {
  const where = "SSM parameter /mailfort/t/state/dkim-rotation";
  it("round-trips every step", () => {
    const states: RotationState[] = [
      { v: 1, step: "steady", generation: 0 },
      { v: 1, step: "published", from: 0, generation: 1, publishedAt: T0 },
      { v: 1, step: "signing", from: 0, generation: 1, publishedAt: T0, signingAt: T0 },
      { v: 1, step: "revoked", from: 0, generation: 1, publishedAt: T0, signingAt: T0, revokedAt: T0 },
    ];
    for (const s of states) expect(parseRotationState(rotationStateText(s), where)).toEqual(s);
    expect(parseRotationState(undefined, where)).toBeUndefined();
  });

  it.each([
    ["not JSON", "{", /is not JSON/],
    ["another format", '{"v":2,"step":"steady","generation":0}', /format 2/],
    ["an unknown step", '{"v":1,"step":"switching","generation":0}', /step is "switching"/],
    ["a fractional generation", '{"v":1,"step":"steady","generation":1.5}', /generation is 1.5/],
    ["a local time", '{"v":1,"step":"published","from":0,"generation":1,"publishedAt":"2026-12-01 10:00"}', /publishedAt/],
    ["a backward rotation", '{"v":1,"step":"published","from":2,"generation":1,"publishedAt":"2026-12-01T10:00:00Z"}', /not forward/],
    ["times out of order", '{"v":1,"step":"signing","from":0,"generation":1,"publishedAt":"2026-12-02T10:00:00Z","signingAt":"2026-12-01T10:00:00Z"}', /before publishedAt/],
    ["an extra field", '{"v":1,"step":"steady","generation":0,"signing":5}', /unknown fields signing/],
  ])("refuses %s, saying how to recover", (_what, text, why) => {
    expect(() => parseRotationState(text, where)).toThrow(why);
    expect(() => parseRotationState(text, where)).toThrow(/written by `pulumi up` only/);
  });
});

describe("what each step publishes and signs", () => {
  const cfg = mailConfig({ domains: [{ name: "example.com" }, { name: "example.org", sendsMail: false }] });
  const withLayout = (layout: DkimLayout) => ({ ...cfg, dkimLayout: layout });
  const dkimTxt = (c: ReturnType<typeof withLayout>) => buildRecordSet(c, inputsFor(c)).filter((r) => r.zone === "example.com" && r.name.endsWith("._domainkey.example.com"))
    .map((r) => `${r.name.split(".")[0]}: ${r.values.join("").includes('p="') || /p=\S/.test(r.values.join("")) ? "key" : "revoked"}`);

  it("selectors: generation 0 keeps the configured one (stacks from before rotation keep their key), N adds -gN", () => {
    expect(dkimSelectorOf("mail", 0)).toBe("mail");
    expect(dkimSelectorOf("mail", 7)).toBe("mail-g7");
    expect(domainDkim({ dkimSelector: "s2026" }, { signing: 3, published: [2, 3], revoked: [] })).toEqual({ signing: "s2026-g3", published: ["s2026-g2", "s2026-g3"], revoked: [] });
  });

  it("each step's records and signing selector", () => {
    expect(dkimTxt(withLayout(layoutOf({ v: 1, step: "published", from: 0, generation: 1, publishedAt: T0 })))).toEqual(["mail: key", "mail-g1: key"]);
    // Which key signs is the synced parameter's (dkim-signing), never the host files': the view has no selector.
    expect(dkimSigningSelectors(withLayout(layoutOf({ v: 1, step: "published", from: 0, generation: 1, publishedAt: T0 })))).toEqual({ "example.com": "mail" });
    expect(dkimSigningSelectors(withLayout(layoutOf({ v: 1, step: "signing", from: 0, generation: 1, publishedAt: T0, signingAt: T0 })))).toEqual({ "example.com": "mail-g1" });
    expect(hostView(withLayout(layoutOf({ v: 1, step: "signing", from: 0, generation: 1, publishedAt: T0, signingAt: T0 }))).domains).toEqual([{ name: "example.com" }]);
    const revoked = withLayout(layoutOf({ v: 1, step: "revoked", from: 0, generation: 1, publishedAt: T0, signingAt: T0, revokedAt: T0 }));
    const records = buildRecordSet(revoked, inputsFor(revoked)).filter((r) => r.name === "mail._domainkey.example.com");
    expect(records.map((r) => [r.values.join(""), r.purpose])).toEqual([['"v=DKIM1; p="', "DKIM (revoked)"]]);
    expect(dkimTxt(withLayout(layoutOf({ v: 1, step: "steady", generation: 1 })))).toEqual(["mail-g1: key"]);
  });

  it("refuses a key the layout does not publish (a revoked generation has no key)", () => {
    const revoked = withLayout(layoutOf({ v: 1, step: "revoked", from: 0, generation: 1, publishedAt: T0, signingAt: T0, revokedAt: T0 }));
    const input = inputsFor(revoked);
    expect(() => buildRecordSet(revoked, { ...input, dkim: [...input.dkim, { ...input.dkim[0]!, selector: "mail" }] })).toThrow(/selectors mail, which the DKIM layout does not publish/);
  });
});
