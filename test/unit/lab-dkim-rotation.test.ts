// The lab's DKIM rotation phase (lab/dkim-rotation-phase.ts), the parts that run without the lab:
// the stack file it synthesizes, and what it pushes to the emulator at each step, computed from
// real synths of the lab stack walked through a rotation (keys kept from step to step, as
// Pulumi's state keeps them): each step puts, deletes and edits exactly the rotation's parameters
// and DKIM records, SecureStrings under the loaded stack's KMS key, and nothing else.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseStackFile } from "../../infra/config";
import { type SynthResult, synthInProcess } from "../../infra/synth";
import { type EmulatorPlan, emulatorPlan } from "../../lab/aws/plan";
import { type RotationPush, afterPush, dkimSignatures, isRotationParameter, parseSigningMap, rotationPush, rotationStackText, withStepDkimRecords } from "../../lab/dkim-rotation-phase";

const LAB_FILE = join(__dirname, "..", "..", "stacks", "Pulumi.lab.yaml");
const labText = readFileSync(LAB_FILE, "utf8");
const planOf = (r: SynthResult): EmulatorPlan => emulatorPlan({ resources: r.resources, values: new Map(r.parameters.map((p) => [p.name, p.value])), addressMap: {} });
const P = "/mailfort/lab";

describe("the rotation's stack file", () => {
  it("raises dkim.rotation.generation and changes nothing else", () => {
    const text = rotationStackText(labText, 1);
    const values = parseStackFile(text, "rotating.yaml").values;
    expect(JSON.parse(values["mailfort:dkim"] ?? "")).toEqual({ rotation: { generation: 1 } });
    expect({ ...values, "mailfort:dkim": undefined }).toEqual({ ...parseStackFile(labText, "lab.yaml").values, "mailfort:dkim": undefined });
    expect(() => rotationStackText(text, 2)).toThrow(/already sets mailfort:dkim/);
  });

  it("reads the host's signing map as Rspamd does: domain and selector a line, comments skipped", () => {
    expect(parseSigningMap("# written by mailfort-secrets\nmailfort.test mail-g1\nsecond.test  lab2026-g1\n")).toEqual({ "mailfort.test": "mail-g1", "second.test": "lab2026-g1" });
    expect(isRotationParameter(`${P}/dkim-signing`, "lab")).toBe(true);
    expect(isRotationParameter(`${P}/dkim/mailfort.test/mail-g1`, "lab")).toBe(true);
    expect(isRotationParameter(`${P}/tls/cert`, "lab")).toBe(false);
    expect(isRotationParameter(`${P}/host/bundle/000`, "lab")).toBe(false);
  });

  it("reads which key signed a delivered message: d= and s= of each DKIM-Signature, folded or not, body ignored", () => {
    const message = [
      "Return-Path: <alice@mailfort.test>",
      "DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=MailFort.test;",
      "\ts=mail; t=1764700000; h=from:to:subject;",
      "\tbh=abc=; b=xyz",
      "dkim-signature: v=1; a=ed25519-sha256; d=second.test; s=lab2026-g1; bh=a; b=b",
      "Subject: queued",
      "",
      "DKIM-Signature: v=1; d=body.test; s=not-a-header",
      "",
    ].join("\r\n");
    expect(dkimSignatures(message)).toEqual([{ domain: "mailfort.test", selector: "mail" }, { domain: "second.test", selector: "lab2026-g1" }]);
    expect(dkimSignatures("Subject: unsigned\n\nbody\n")).toEqual([]);
  });
});

describe("what each step pushes to the emulator, from synths of the lab stack", () => {
  const dir = mkdtempSync(join(tmpdir(), "mailfort-lab-rotation-"));
  const rotating = rotationStackText(labText, 1);
  const pushes: RotationPush[] = [];
  const loadedPlans: EmulatorPlan[] = [];
  const steps: SynthResult[] = [];
  let booted: SynthResult;
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  beforeAll(async () => {
    // The lab as booted: generation 0, nothing recorded. Then one up per step, each when due.
    booted = await synthInProcess("lab", { configText: labText, secretsDir: join(dir, "0") });
    let loaded = planOf(booted);
    let state = booted.parameters.find((p) => p.name === `${P}/state/dkim-rotation`)?.value ?? "";
    let now = "2026-12-01T10:00:00Z";
    for (let n = 1; n <= 4; n++) {
      const r = await synthInProcess("lab", { configText: rotating, dkimRotationState: state, now, keepKeysFrom: join(dir, String(n - 1)), secretsDir: join(dir, String(n)) });
      steps.push(r);
      loadedPlans.push(loaded);
      const push = rotationPush(loaded, planOf(r), "lab");
      pushes.push(push);
      loaded = afterPush(loaded, push);
      state = r.dkimRotation.state;
      now = r.dkimRotation.next.notBefore ?? now;
    }
  }, 600_000);

  const names = (p: RotationPush) => p.putParameters.map((x) => x.name).sort();
  const edits = (p: RotationPush) => Object.values(p.records).flat().map((e) => `${e.action} ${e.name} ${e.type}${e.values ? ` ${/p=;?"?$/.test(e.values.join("")) ? "revoked" : "key"}` : ""}`).sort();

  it("walks published, signing, revoked, steady", () => {
    expect(steps.map((s) => (JSON.parse(s.dkimRotation.state) as { step: string }).step)).toEqual(["published", "signing", "revoked", "steady"]);
  });

  it("published: the new keys and their records, and the state; the signing map stays", () => {
    expect(names(pushes[0]!)).toEqual([`${P}/dkim/mailfort.test/mail-g1`, `${P}/dkim/second.test/lab2026-g1`, `${P}/state/dkim-rotation`]);
    expect(pushes[0]!.deleteParameters).toEqual([]);
    expect(edits(pushes[0]!)).toEqual(["UPSERT lab2026-g1._domainkey.second.test TXT key", "UPSERT mail-g1._domainkey.mailfort.test TXT key"]);
    // SecureStrings under the KMS key the emulator was loaded with (each synth mints its own mock id).
    const stackKey = loadedPlans[0]!.kmsKeys.find((k) => k.aliases.includes("alias/mailfort-lab"))!.ref;
    const keyRefs = pushes[0]!.putParameters.filter((p) => p.type === "SecureString").map((p) => p.keyRef);
    expect(keyRefs).toHaveLength(2);
    for (const ref of keyRefs) expect(ref).toBe(loadedPlans[0]!.parameters.find((p) => p.name === `${P}/dkim/mailfort.test/mail`)!.keyRef);
    expect(keyRefs[0]).toContain(stackKey);
  });

  it("signing: only the signing map and the state", () => {
    expect(names(pushes[1]!)).toEqual([`${P}/dkim-signing`, `${P}/state/dkim-rotation`]);
    expect(JSON.parse(pushes[1]!.putParameters.find((p) => p.name === `${P}/dkim-signing`)!.value)).toEqual({ "mailfort.test": "mail-g1", "second.test": "lab2026-g1" });
    expect(pushes[1]!.deleteParameters).toEqual([]);
    expect(pushes[1]!.records).toEqual({});
  });

  it("revoked: the old private keys deleted, their records revoked (empty p=)", () => {
    expect(names(pushes[2]!)).toEqual([`${P}/state/dkim-rotation`]);
    expect(pushes[2]!.deleteParameters).toEqual([`${P}/dkim/mailfort.test/mail`, `${P}/dkim/second.test/lab2026`]);
    expect(edits(pushes[2]!)).toEqual(["UPSERT lab2026._domainkey.second.test TXT revoked", "UPSERT mail._domainkey.mailfort.test TXT revoked"]);
  });

  it("steady: the revoked records removed", () => {
    expect(names(pushes[3]!)).toEqual([`${P}/state/dkim-rotation`]);
    expect(edits(pushes[3]!)).toEqual(["DELETE lab2026._domainkey.second.test TXT", "DELETE mail._domainkey.mailfort.test TXT"]);
  });

  it("verify's record list follows the DKIM records of the step, and keeps every other record", () => {
    const served = steps[0]!.records.filter((r) => !r.name.includes("._domainkey.")).concat(booted.records.filter((r) => r.name.includes("._domainkey.")));
    const dkim = (rs: readonly { name: string }[]) => rs.map((r) => r.name).filter((n) => n.includes("._domainkey.")).sort();
    const after = withStepDkimRecords(served, steps[3]!.records);
    expect(dkim(after)).toEqual(["*._domainkey.parked.test", "lab2026-g1._domainkey.second.test", "mail-g1._domainkey.mailfort.test"]);
    expect(after.filter((r) => !r.name.includes("._domainkey."))).toEqual(served.filter((r) => !r.name.includes("._domainkey.")));
  });

  it("never the instance: every step's user data is the booted one's", () => {
    expect(new Set([booted, ...steps].map((s) => s.userData)).size).toBe(1);
  });
});
