// The fake engine itself: its pure parts (URNs, wire values, replay, the host's conventions), and
// a tiny plain-JavaScript program (fixtures/tiny) run through the real @pulumi/pulumi/cmd/run
// against it, so every claim the entry-point tests rest on is checked on a program small enough
// to know by heart.
import { beforeAll, describe, expect, it } from "vitest";
import { join } from "node:path";
import { hostVerdict, legacyConfigKeys, runProgram, type ProgramResult } from "../support/fake-engine/language-host";
import { programLocation } from "../support/fake-engine/project";
import { canonicalJson, replayAnswers } from "../support/fake-engine/replay";
import { type FakeEngine, startFakeEngine } from "../support/fake-engine/server";
import type { Answers, Registration } from "../support/fake-engine/types";
import { ROOT_STACK_TYPE, engineUrn, parseUrn } from "../support/fake-engine/urn";
import { UNKNOWN, isSecret, keepInputSecrets, markSecret, secret, unknownPaths } from "../support/fake-engine/wire";
import { liftSecrets } from "./graph";

const TINY = join(__dirname, "fixtures", "tiny");

describe("URNs as the Go engine builds them", () => {
  it("start a fresh type chain under the root stack and extend the parent's whole chain below it", () => {
    const stack = engineUrn("dev", "p", "", ROOT_STACK_TYPE, "p-dev");
    expect(stack).toBe("urn:pulumi:dev::p::pulumi:pulumi:Stack::p-dev");
    const top = engineUrn("dev", "p", stack, "a:b:C", "c");
    expect(top).toBe("urn:pulumi:dev::p::a:b:C::c");
    const grandchild = engineUrn("dev", "p", engineUrn("dev", "p", top, "a:b:D", "d"), "aws:ec2/vpc:Vpc", "v");
    expect(grandchild).toBe("urn:pulumi:dev::p::a:b:C$a:b:D$aws:ec2/vpc:Vpc::v");
    expect(parseUrn(grandchild)).toEqual({ stack: "dev", project: "p", qualifiedType: "a:b:C$a:b:D$aws:ec2/vpc:Vpc", type: "aws:ec2/vpc:Vpc", name: "v" });
    expect(() => parseUrn("arn:aws:iam::1:role/x")).toThrow(/not a Pulumi URN/);
  });
});

describe("wire values", () => {
  it("keep an input's secrecy on the output of the same name, and make additionalSecretOutputs secret", () => {
    const out = keepInputSecrets({ pw: secret("x"), size: 1 }, { pw: "x", size: 1, id: "i" });
    expect(isSecret(out.pw)).toBe(true);
    expect(out.size).toBe(1);
    expect(markSecret({ key: "k", pub: "p" }, ["key"])).toEqual({ key: secret("k"), pub: "p" });
  });

  it("find unknowns at any depth, inside secrets too", () => {
    expect(unknownPaths({ a: UNKNOWN, b: [1, { c: UNKNOWN }], d: secret(UNKNOWN) })).toEqual(["a", "b[1].c", "d"]);
  });

  it("lift secrecy to the enclosing object or array as the SDK's deserializer does", () => {
    expect(liftSecrets({ A: secret("1"), B: "2" })).toEqual(secret({ A: "1", B: "2" }));
    expect(liftSecrets(["x", [secret("y")]])).toEqual(secret(["x", ["y"]]));
    expect(liftSecrets({ c: [1, { d: "plain" }] })).toEqual({ c: [1, { d: "plain" }] });
  });
});

describe("the language host's conventions", () => {
  it("judges exit codes as execRuntime does: 0 ok, 32 already reported (bail), anything else an error", () => {
    expect(hostVerdict(0)).toEqual({ error: "", bail: false });
    expect(hostVerdict(32)).toEqual({ error: "", bail: true });
    expect(hostVerdict(1)).toEqual({ error: "Program exited with non-zero exit code: 1", bail: false });
  });

  it("hands config over in the old <ns>:config:<key> form", () => {
    expect(legacyConfigKeys({ "mailfort:domains": "[]", "aws:region": "eu-west-1" })).toEqual({ "mailfort:config:domains": "[]", "aws:config:region": "eu-west-1" });
    expect(() => legacyConfigKeys({ bare: "x" })).toThrow(/no namespace/);
  });

  it("reads main as the engine's getPwdMain does: a file becomes its directory plus its name", () => {
    expect(programLocation(TINY)).toMatchObject({ name: "tiny", programDir: TINY, entryPoint: "index.cjs", typescript: false, nodeArgs: ["--import", "tsx", "--import", "../../../../infra/error-inspect-guard.ts"] });
  });
});

describe("replay answers", () => {
  const answers = replayAnswers({
    resources: { "t:i:R::r": { id: "r-1", state: { out: 1 } } },
    invokes: [{ token: "t:i:f", args: { b: 2, a: 1 }, result: { ok: true } }],
  });
  const reg = (type: string, name: string) => ({ type, name }) as Registration;

  it("answer a resource by type and name, a function by token and arguments in any key order", async () => {
    await expect(answers.resource(reg("t:i:R", "r"))).resolves.toEqual({ id: "r-1", outputs: { out: 1 } });
    await expect(answers.invoke("t:i:f", { a: 1, b: 2 }, "")).resolves.toEqual({ ok: true });
    expect(canonicalJson({ b: [2, { d: 1, c: 0 }], a: null })).toBe('{"a":null,"b":[2,{"c":0,"d":1}]}');
  });

  it("refuse loudly what the recording never saw", async () => {
    await expect(answers.resource(reg("t:i:R", "other"))).rejects.toThrow(/never saw/);
    await expect(answers.invoke("t:i:f", { a: 2 }, "")).rejects.toThrow(/no recorded answer/);
  });
});

describe("a tiny program through the real cmd/run", () => {
  const answers: Answers = {
    resource: async (r) => ({ id: `${r.name}-id`, outputs: { ...r.inputs, answer: 42 } }),
    invoke: async (token, args) => ({ found: `${token}:${String(args.query)}` }),
  };
  const config = { "tiny:greeting": "hello", "tiny:secret-greeting": "psst-do-not-print-1234" };
  let up: { engine: FakeEngine; result: ProgramResult };
  let preview: { engine: FakeEngine; result: ProgramResult };
  let failing: { engine: FakeEngine; result: ProgramResult };

  async function run(dryRun: boolean, extra: Record<string, string> = {}) {
    const engine = await startFakeEngine({ stack: "dev", project: "tiny", dryRun, answers });
    const result = await runProgram({ projectDir: TINY, stack: "dev", config: { ...config, ...extra }, secretKeys: ["tiny:secret-greeting"], dryRun, engineAddress: engine.address, timeoutMs: 60_000 });
    await engine.close();
    return { engine, result };
  }

  beforeAll(async () => {
    [up, preview, failing] = await Promise.all([run(false), run(true), run(false, { "tiny:fail": "yes" })]);
  }, 120_000);

  const byName = (e: FakeEngine, name: string) => e.registrations.find((r) => r.name === name) as Registration;

  it("registers the root stack, then the component under it and the child under the component, with engine URNs", () => {
    expect(up.result, up.result.stderr).toMatchObject({ exitCode: 0, error: "", bail: false });
    expect(up.engine.registrations.map((r) => r.urn)).toEqual([
      "urn:pulumi:dev::tiny::pulumi:pulumi:Stack::tiny-dev",
      "urn:pulumi:dev::tiny::tiny:index:Box::box",
      "urn:pulumi:dev::tiny::tiny:index:Box$tiny:index:Thing::box-thing",
    ]);
    expect(byName(up.engine, "box").parent).toBe("urn:pulumi:dev::tiny::pulumi:pulumi:Stack::tiny-dev");
    expect(byName(up.engine, "box-thing")).toMatchObject({ custom: true, protect: true, parent: "urn:pulumi:dev::tiny::tiny:index:Box::box" });
    expect(up.engine.rootResource).toBe("urn:pulumi:dev::tiny::pulumi:pulumi:Stack::tiny-dev");
    expect(up.engine.shutdownSignalled).toBe(true);
  });

  it("receives a secret input as a secret, plain inputs plain", () => {
    const { inputs } = byName(up.engine, "box-thing");
    expect(inputs.password).toEqual(secret("tiny-secret-value-0123"));
    expect(inputs.size).toBe(3);
  });

  it("hands answers back: ids, outputs, the secrecy of secret inputs; config, invokes and logs flow through", () => {
    const outputs = byName(up.engine, "tiny-dev").registeredOutputs ?? {};
    expect(outputs).toMatchObject({ greeting: "hello", thingId: "box-thing-id", answer: 42, looked: "tiny:index:lookup:hello" });
    expect(isSecret(outputs.password)).toBe(true);
    expect(outputs.secretGreeting).toEqual(secret("psst-do-not-print-1234"));
    expect(up.engine.invokes).toEqual([{ token: "tiny:index:lookup", args: { query: "hello" } }]);
    expect(up.engine.logs).toContainEqual(expect.objectContaining({ severity: "info", message: "tiny: registered the box" }));
  });

  it("in a preview answers no ids and no computed outputs: the program sees unknowns", () => {
    expect(preview.result, preview.result.stderr).toMatchObject({ exitCode: 0, error: "" });
    const thing = byName(preview.engine, "box-thing");
    expect(thing.id).toBe("");
    const outputs = byName(preview.engine, "tiny-dev").registeredOutputs ?? {};
    expect(outputs.thingId).toBe(UNKNOWN);
    expect(outputs.answer).toBe(UNKNOWN);
    expect(outputs.greeting).toBe("hello");
  });

  it("reports a program that throws a RunError as the engine shows it: its message as one error log, exit 32, nothing registered past the stack", () => {
    expect(failing.result).toMatchObject({ exitCode: 32, bail: true, error: "" });
    const errors = failing.engine.logs.filter((l) => l.severity === "error");
    expect(errors).toHaveLength(1);
    expect(errors[0]?.message).toBe("tiny: failing on purpose");
    expect(failing.engine.registrations.map((r) => r.type)).toEqual([ROOT_STACK_TYPE]);
  });
});
