// The synth process's start-up (infra/synth/startup.ts): source maps off unless asked for, and
// Pulumi's closure serializer (TypeScript, npm's Arborist) loaded on first use instead of on
// import, with the stand-ins forwarding to the real modules. A Pulumi upgrade that changes what
// those modules export fails here, not in a synth.
import { execFileSync } from "node:child_process";
import { createRequire } from "node:module";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DEFERRED_MODULES, PROMISE_MODULE } from "../../infra/synth/startup";

const ROOT = join(__dirname, "..", "..");
const PROBE = join(__dirname, "fixtures", "synth-startup-probe.ts");

interface Probe {
  sourceMaps: boolean;
  before: { typescript: boolean; arborist: boolean };
  aws: { root: boolean; ec2: boolean };
  promiseStack: { captured: string | null; limitRestored: boolean };
  typescriptVersion: string;
  createSourceFile: string;
  computeCodePaths: string;
  after: { typescript: boolean; arborist: boolean };
}

function probe(env: NodeJS.ProcessEnv = {}): Probe {
  const out = execFileSync(process.execPath, ["--import", "tsx", PROBE], { cwd: ROOT, env: { ...process.env, NODE_OPTIONS: "", ...env }, encoding: "utf8" });
  return JSON.parse(out.trim().split("\n").pop() ?? "") as Probe;
}

describe("synth start-up", () => {
  let started: Probe | undefined;
  /** The probe as a synth starts (no options): one child process for the tests that read it. */
  const plain = (): Probe => (started ??= probe());

  it("loads @pulumi/pulumi without TypeScript and Arborist, and loads them when used", () => {
    const p = plain();
    expect(p.before).toEqual({ typescript: false, arborist: false });
    const real = createRequire(join(ROOT, "package.json"));
    expect(p.typescriptVersion).toBe((real("typescript") as { version: string }).version);
    expect(p.createSourceFile).toBe("function");
    expect(p.computeCodePaths).toBe("function");
    expect(p.after).toEqual({ typescript: true, arborist: true });
  }, 60_000);

  it("loads the AWS services the program uses, never the provider's root index of all ~300", () => {
    expect(plain().aws).toEqual({ root: false, ec2: true });
  }, 60_000);

  it("turns source maps off, unless NODE_OPTIONS asks for them", () => {
    expect(plain().sourceMaps).toBe(false);
    expect(probe({ NODE_OPTIONS: "--enable-source-maps" }).sourceMaps).toBe(true);
  }, 60_000);

  it("captures no stack trace for Pulumi's promises, unless PULUMI_DEBUG_PROMISE_LEAKS asks to print them", () => {
    expect(plain().promiseStack).toEqual({ captured: "Error", limitRestored: true });
    const debugging = probe({ PULUMI_DEBUG_PROMISE_LEAKS: "1" }).promiseStack;
    expect(debugging.limitRestored).toBe(true);
    expect(debugging.captured).toMatch(/^Error\n\s+at /);
    expect(debugging.captured).toContain("synth-startup-probe");
  }, 60_000);

  it("forwards every function the deferred modules export, and nothing else is exported", () => {
    const pulumiRequire = createRequire(join(ROOT, "node_modules", "@pulumi", "pulumi", "index.js"));
    for (const [file, how] of Object.entries(DEFERRED_MODULES)) {
      const real = pulumiRequire(`./${file}`) as Record<string, unknown>;
      if (how === "namespace") {
        expect(typeof real.createSourceFile, file).toBe("function");
        continue;
      }
      const exported = Object.keys(real).filter((k) => k !== "__esModule").sort();
      expect(exported, `${file}: update DEFERRED_MODULES in infra/synth/startup.ts`).toEqual([...how].sort());
      for (const name of how) expect(typeof real[name], `${file} ${name}`).toBe("function");
    }
    const promises = pulumiRequire(`./${PROMISE_MODULE}`) as Record<string, unknown>;
    expect(typeof promises.debuggablePromise, `${PROMISE_MODULE}: update withoutPromiseStacks in infra/synth/startup.ts`).toBe("function");
    expect(typeof promises.debugPromiseLeaks, PROMISE_MODULE).toBe("boolean");
  });
});
