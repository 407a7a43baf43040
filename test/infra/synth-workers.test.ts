// Synth workers (infra/synth/workers.ts): one process serves stack after stack, and each result
// is what a fresh process gives (no config, resource or secret carried over from the stack
// before); a bad config or a stuck synth costs one answer, not the pool.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigError } from "../../infra/config";
import { type SynthResult, runSynth, startSynthWorkers } from "../../infra/synth";
import { snapshotFromSynth } from "../../plan/from-synth";
import { diffResources } from "../../plan/plan-diff";

const noChange = (a: SynthResult, b: SynthResult) => diffResources(snapshotFromSynth(a), snapshotFromSynth(b));

describe("one worker, several stacks", () => {
  const workers = startSynthWorkers({ size: 1, synthsPerWorker: 10 });
  const results: SynthResult[] = [];
  let fresh: { lab: SynthResult; dev: SynthResult };
  let badConfig: unknown;

  beforeAll(async () => {
    // passphrase "": secure values stay opaque whatever the caller's environment holds.
    results.push(await workers.synth("lab", { passphrase: "" }));
    results.push(await workers.synth("dev", { passphrase: "" }));
    badConfig = await workers.synth("lab", { configText: "config:\n  mailfort:region: mars-1\n" }).catch((e: unknown) => e);
    results.push(await workers.synth("lab", { passphrase: "" }));
    fresh = { lab: await runSynth("lab", { passphrase: "" }), dev: await runSynth("dev", { passphrase: "" }) };
  }, 300_000);
  afterAll(() => workers.close());

  it("loads the program once", () => {
    expect(workers.started).toBe(1);
  });

  it("gives each stack what a fresh process gives: same resources and inputs, nothing from the stack before", () => {
    const [lab1, dev, lab2] = results as [SynthResult, SynthResult, SynthResult];
    expect(noChange(fresh.lab, lab1)).toEqual([]);
    expect(noChange(fresh.dev, dev)).toEqual([]);
    expect(noChange(lab1, lab2)).toEqual([]);
    expect(dev.config.hostname).not.toBe(lab1.config.hostname);
    expect(dev.opaqueSecrets).toEqual(fresh.dev.opaqueSecrets);
    // Each run made its own keys: the DKIM parameters differ in the real view, never carried over.
    expect(lab2.records.find((r) => r.type === "TXT" && r.name.includes("_domainkey"))?.values).not.toEqual(lab1.records.find((r) => r.type === "TXT" && r.name.includes("_domainkey"))?.values);
  });

  it("answers a bad config with every issue and keeps serving", () => {
    expect(badConfig).toBeInstanceOf(ConfigError);
    expect((badConfig as ConfigError).issues.map((i) => i.path).join(" ")).toMatch(/region/);
    expect(results).toHaveLength(3);
  });
});

describe("the pool", () => {
  it("replaces a worker after its quota, never runs more workers than its size", async () => {
    const workers = startSynthWorkers({ size: 2, synthsPerWorker: 1 });
    try {
      const done = await Promise.all(["lab", "dev", "prod"].map((s) => workers.synth(s, { passphrase: "" })));
      expect(done.map((r) => r.stack)).toEqual(["lab", "dev", "prod"]);
      expect(workers.started).toBe(3);
    } finally {
      await workers.close();
    }
  }, 300_000);

  it("kills a synth that overruns its time, and the next synth gets a fresh worker", async () => {
    const workers = startSynthWorkers({ size: 1, timeoutMs: 50 });
    try {
      await expect(workers.synth("lab", { passphrase: "" })).rejects.toThrow(/synth of lab did not finish within 50 ms and was stopped/);
      await expect(workers.synth("lab", { passphrase: "" })).rejects.toThrow(/did not finish/);
      expect(workers.started).toBe(2);
    } finally {
      await workers.close();
    }
    await expect(workers.synth("lab")).rejects.toThrow(/closed/);
  }, 60_000);
});
