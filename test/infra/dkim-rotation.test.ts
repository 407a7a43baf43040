// Rotation under mocks: each synthesized `pulumi up` of a rotation reads the state the last one
// recorded and takes the next step when it is due: the Route53 records, the DKIM keys and their
// SSM parameters, the host's signing map (an SSM parameter the host syncs) and the recorded state
// all follow, step by step, while the instance (its user data, the host bundle it pins) stays the same.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type SynthResult, runSynth } from "../../infra/synth";
import { ofType } from "./helpers";

const STACK = `
config:
  mailfort:region: eu-west-1
  mailfort:environment: staging
  mailfort:hostname: mail.rotate.example
  mailfort:domains:
    - name: rotate.example
    - name: parked.example
      sendsMail: false
  mailfort:dkim:
    rotation:
      generation: 1
      marginMinutes: 30
      graceHours: 120
  mailfort:mailboxes:
    - address: owner@rotate.example
      passwordHashSecret: owner-password
  mailfort:owner-password:
    secure: v1:bm90LWRlY3J5cHRlZA==:bm90LWRlY3J5cHRlZA==
  mailfort:tls:
    mode: self-signed
`;

/** One up: the recorded state in, at this time. */
const up = (state: string | undefined, now: string) => runSynth("rotate", { configText: STACK, now, ...(state !== undefined ? { dkimRotationState: state } : {}) });

const T0 = "2026-12-01T10:00:00Z";
const plus = (iso: string, hours: number) => new Date(Date.parse(iso) + hours * 3600_000).toISOString().replace(/\.000Z$/, "Z");

function dkimRecords(r: SynthResult): string[] {
  return r.records.filter((x) => x.zone === "rotate.example" && x.name.endsWith("._domainkey.rotate.example"))
    .map((x) => `${x.name.split(".")[0]} ${/p=[A-Za-z0-9+/]/.test(x.values.join("")) ? "key" : "revoked"}`).sort();
}
const routeDkim = (r: SynthResult) => ofType(r, "aws:route53/record:Record").map((x) => String(x.inputs.name)).filter((n) => n.includes("._domainkey.rotate.")).sort();
const keyParameters = (r: SynthResult) => r.parameters.filter((p) => p.name.includes("/dkim/")).map((p) => p.name).sort();
/** The signing map as the host syncs it (mailfort-secrets writes Rspamd's dkim_selectors.map from it). */
const SIGNING_MAP = "/mailfort/rotate/dkim-signing";
const signing = (r: SynthResult) => Object.entries(JSON.parse(r.parameters.find((p) => p.name === SIGNING_MAP)?.value ?? "{}") as Record<string, string>).map(([d, s]) => `${d} ${s}`);
const recorded = (r: SynthResult) => r.parameters.find((p) => p.name === "/mailfort/rotate/state/dkim-rotation")?.value;

describe("a rotation from generation 0 to 1, one up per step", () => {
  const ups: SynthResult[] = [];
  beforeAll(async () => {
    // up 1 at T0 (no state: generation 0 at rest, raised to 1), up 2 too early, then each when due.
    const times = [T0, plus(T0, 1.4), plus(T0, 1.5), plus(T0, 1.5 + 119.9), plus(T0, 1.5 + 120), plus(T0, 1.5 + 120 + 1.5)];
    let state: string | undefined;
    for (const now of times) {
      const r = await up(state, now);
      ups.push(r);
      state = recorded(r);
    }
  }, 600_000);

  it("walks publish -> (wait) -> sign -> (grace) -> revoke -> remove, in order", () => {
    expect(ups.map((r) => [r.dkimRotation.advanced, JSON.parse(r.dkimRotation.state).step])).toEqual([
      [true, "published"], [false, "published"], [true, "signing"], [false, "signing"], [true, "revoked"], [true, "steady"],
    ]);
  });

  it("publishes the new key before it signs with it, and keeps the old one until after the grace period", () => {
    expect(ups.map(dkimRecords)).toEqual([
      ["mail key", "mail-g1 key"], ["mail key", "mail-g1 key"], ["mail key", "mail-g1 key"], ["mail key", "mail-g1 key"],
      ["mail revoked", "mail-g1 key"], ["mail-g1 key"],
    ]);
    expect(ups.map(signing)).toEqual([
      ["rotate.example mail"], ["rotate.example mail"], ["rotate.example mail-g1"], ["rotate.example mail-g1"], ["rotate.example mail-g1"], ["rotate.example mail-g1"],
    ]);
    expect(routeDkim(ups[5]!)).toEqual(["mail-g1._domainkey.rotate.example"]);
  });

  it("never touches the instance: the user data, the host bundle and the instance's inputs are the same at every step", () => {
    // The ids the mocks hand out (AMI, subnet, security group) are random per synth, not per step.
    const instance = (r: SynthResult) => ofType(r, "aws:ec2/instance:Instance")
      .map((x) => JSON.parse(JSON.stringify(x.inputs).replace(/"(ami|subnet|sg)-[0-9a-f]+"/g, '"$1-<mock id>"')) as unknown);
    for (const r of ups.slice(1)) {
      expect(r.userData).toBe(ups[0]!.userData);
      expect(r.hostFiles.bundleSha256).toBe(ups[0]!.hostFiles.bundleSha256);
      expect(r.parameters.filter((p) => p.name.includes("/host/bundle/"))).toEqual(ups[0]!.parameters.filter((p) => p.name.includes("/host/bundle/")));
      expect(instance(r)).toEqual(instance(ups[0]!));
    }
    expect(instance(ups[0]!)).toHaveLength(1);
    expect(ups[0]!.hostFiles.bundle.map((f) => f.path)).not.toContain("/etc/rspamd/local.d/dkim_selectors.map");
  });

  it("the switch to the new key changes only the signing map and the recorded state among the host's public parameters", () => {
    // Not the self-signed chain: each synth makes it afresh (Pulumi's state keeps it, as it keeps
    // the DKIM keys; --keep-keys carries only those from one synth to the next).
    const strings = (r: SynthResult) => new Map(r.parameters.filter((p) => p.type === "String" && !/\/tls\/(cert|ca)$/.test(p.name)).map((p) => [p.name, p.value]));
    const changed = (a: SynthResult, b: SynthResult) => {
      const [x, y] = [strings(a), strings(b)];
      return [...new Set([...x.keys(), ...y.keys()])].filter((n) => x.get(n) !== y.get(n)).sort();
    };
    expect(changed(ups[1]!, ups[2]!)).toEqual([SIGNING_MAP, "/mailfort/rotate/state/dkim-rotation"]);
    expect(ups[1]!.parameters.find((p) => p.name === SIGNING_MAP)).toEqual({ name: SIGNING_MAP, type: "String", value: '{"rotate.example":"mail"}' });
    expect(ups[2]!.parameters.find((p) => p.name === SIGNING_MAP)?.value).toBe('{"rotate.example":"mail-g1"}');
    // An up that takes no step changes none of them.
    expect(changed(ups[0]!, ups[1]!)).toEqual([]);
    expect(changed(ups[2]!, ups[3]!)).toEqual([]);
  });

  it("holds a private key only for published generations: the revoked one's is gone", () => {
    expect(keyParameters(ups[0]!)).toEqual(["/mailfort/rotate/dkim/rotate.example/mail", "/mailfort/rotate/dkim/rotate.example/mail-g1"]);
    expect(keyParameters(ups[4]!)).toEqual(["/mailfort/rotate/dkim/rotate.example/mail-g1"]);
    // The same key resource across the steps: generation 1's key is made once, not per up.
    const keyNames = (r: SynthResult) => ofType(r, "tls:index/privateKey:PrivateKey").map((k) => k.name).filter((n) => n.includes("dkim")).sort();
    expect(keyNames(ups[2]!)).toEqual(keyNames(ups[0]!));
  });

  it("records each step's time and says when the next up may take the next", () => {
    expect(JSON.parse(recorded(ups[0]!) ?? "")).toEqual({ v: 1, step: "published", from: 0, generation: 1, publishedAt: T0 });
    expect(ups[1]!.dkimRotation.next).toMatchObject({ step: "signing", notBefore: "2026-12-01T11:30:00.000Z" });
    expect(ups[2]!.dkimRotation.next).toMatchObject({ step: "revoked", notBefore: "2026-12-06T11:30:00.000Z" });
    expect(recorded(ups[5]!)).toBe('{"v":1,"step":"steady","generation":1}');
  });

  it("the state parameter is written after every DNS record (a step whose records failed is not recorded)", () => {
    const state = ups[0]!.resources.find((r) => r.type === "aws:ssm/parameter:Parameter" && r.inputs.name === "/mailfort/rotate/state/dkim-rotation");
    const records = ofType(ups[0]!, "aws:route53/record:Record").map((r) => r.urn);
    expect(state?.options?.dependencies ?? []).toEqual(expect.arrayContaining(records));
  });
});

describe("a synth of the next up keeps the earlier up's keys (--keep-keys), as Pulumi's state does", () => {
  const dir = mkdtempSync(join(tmpdir(), "mailfort-dkim-keep-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const keyText = (r: SynthResult, selector: string) => r.records.find((x) => x.name === `${selector}._domainkey.rotate.example`)?.values.join("");

  it("publishes and signs with the same generation-0 and generation-1 keys step after step; a fresh synth makes new ones", async () => {
    const first = await runSynth("rotate", { configText: STACK, now: T0, secretsDir: join(dir, "1") });
    const second = await runSynth("rotate", { configText: STACK, now: plus(T0, 2), dkimRotationState: recorded(first) ?? "", keepKeysFrom: join(dir, "1"), secretsDir: join(dir, "2") });
    expect(JSON.parse(second.dkimRotation.state).step).toBe("signing");
    expect(keyText(second, "mail")).toBe(keyText(first, "mail"));
    expect(keyText(second, "mail-g1")).toBe(keyText(first, "mail-g1"));
    const fresh = await runSynth("rotate", { configText: STACK, now: T0 });
    expect(keyText(fresh, "mail-g1")).not.toBe(keyText(first, "mail-g1"));
    await expect(runSynth("rotate", { configText: STACK, now: T0, keepKeysFrom: join(dir, "none") })).rejects.toThrow(/keepKeysFrom: .* does not exist/);
  }, 300_000);
});
