// The fleet runner's ORCHESTRATION, tested with an INJECTED stack runner (a fake standing in for
// the Pulumi Automation API, which needs the Pulumi CLI these machines cannot install). What is
// proven here: the parallelism bound, ordering (staging before prod on `up`), failure isolation,
// per-stack logs, the summary and the exit code. The adapter (fleet/automation.ts) has its own
// test (automation.test.ts); the program and pack it runs are tested in test/entry-points.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { generateCommand } from "../../fleet/commands";
import { runCommand } from "../../fleet/run-command";
import { type FleetStack, type StackRunRequest, type StackRunner, formatRunSummary, runFleet } from "../../fleet/runner";
import { stackFilePath } from "../../fleet/workspace";
import { tempProject } from "./helpers";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const logDir = () => mkdtempSync(join(tmpdir(), "fleet-logs-"));

/** A fake runner that records calls, measures its own concurrency, and fails chosen stacks. */
function fakeRunner(opts: { fail?: readonly string[]; delayMs?: (stack: string) => number } = {}) {
  let active = 0;
  const calls: Array<{ stack: string; start: number; end: number }> = [];
  const stats = { maxActive: 0 };
  let clock = 0;
  const runner: StackRunner = async (req: StackRunRequest) => {
    active++;
    stats.maxActive = Math.max(stats.maxActive, active);
    const start = clock++;
    req.log(`engine output for ${req.stack} (${req.operation})\n`);
    await sleep(opts.delayMs?.(req.stack) ?? 5);
    active--;
    calls.push({ stack: req.stack, start, end: clock++ });
    if (opts.fail?.includes(req.stack)) throw new Error(`error: ${req.stack} exploded\n  at some frame`);
    return { changes: { create: 3, same: 1 } };
  };
  return { runner, calls, stats };
}

const fleetOf = (n: number, envs: readonly string[] = ["prod"]): FleetStack[] =>
  Array.from({ length: n }, (_, i) => envs.map((e) => ({ stack: `c${i}-${e}`, customer: `c${i}`, environment: e }))).flat();

describe("fleet runner orchestration with an injected runner", () => {
  it("never runs more stacks at once than --parallel, and reaches the bound", async () => {
    for (const parallel of [1, 3, 8]) {
      const fake = fakeRunner({ delayMs: (s) => 3 + (s.length * 7) % 11 });
      const summary = await runFleet(fleetOf(12), "preview", fake.runner, { parallel, logDir: logDir() });
      expect(fake.calls).toHaveLength(12);
      expect(fake.stats.maxActive).toBe(parallel); // measured inside the runner itself
      expect(summary.maxConcurrent).toBe(parallel);
      expect(summary.ok).toBe(true);
    }
  });

  it("isolates a failure: the other stacks still run, the summary names it, ok is false", async () => {
    const fake = fakeRunner({ fail: ["c2-prod", "c5-prod"] });
    const dir = logDir();
    const summary = await runFleet(fleetOf(8), "up", fake.runner, { parallel: 2, logDir: dir });
    expect(fake.calls.map((c) => c.stack).sort()).toEqual(fleetOf(8).map((s) => s.stack).sort());
    expect(summary.results.filter((r) => r.status === "failed").map((r) => r.stack)).toEqual(["c2-prod", "c5-prod"]);
    expect(summary.results.filter((r) => r.status === "succeeded")).toHaveLength(6);
    expect(summary.results.find((r) => r.stack === "c2-prod")?.error).toBe("error: c2-prod exploded");
    expect(summary.ok).toBe(false);
    const text = formatRunSummary(summary);
    expect(text).toContain("up: 6 succeeded, 2 failed, 0 skipped, 0 blocked (of 8");
    expect(text).toContain(join(dir, "c5-prod.log"));
  });

  it("writes one log file per stack with the engine output, and the error for a failed one", async () => {
    const dir = logDir();
    await runFleet(fleetOf(3), "refresh", fakeRunner({ fail: ["c1-prod"] }).runner, { parallel: 3, logDir: dir });
    expect(readFileSync(join(dir, "c0-prod.log"), "utf8")).toContain("engine output for c0-prod (refresh)");
    expect(readFileSync(join(dir, "c0-prod.log"), "utf8")).toContain("# refresh succeeded");
    expect(readFileSync(join(dir, "c1-prod.log"), "utf8")).toMatch(/# refresh FAILED: Error: error: c1-prod exploded/);
  });

  it("on up, runs a customer's staging before its prod and skips prod when staging failed", async () => {
    const fake = fakeRunner({ fail: ["c1-staging"], delayMs: (s) => (s.endsWith("staging") ? 15 : 2) });
    const summary = await runFleet(fleetOf(3, ["prod", "staging"]), "up", fake.runner, { parallel: 6, logDir: logDir() });
    const at = (s: string) => fake.calls.find((c) => c.stack === s);
    for (const c of ["c0", "c2"]) expect((at(`${c}-prod`)?.start ?? -1)).toBeGreaterThan(at(`${c}-staging`)?.end ?? Infinity);
    expect(at("c1-prod")).toBeUndefined();
    expect(summary.results.find((r) => r.stack === "c1-prod")).toMatchObject({ status: "skipped", error: "c1-staging did not succeed" });
    // the order in the summary is environment order
    expect(summary.results.map((r) => r.environment)).toEqual(["staging", "staging", "staging", "prod", "prod", "prod"]);
  });

  it("on preview, does not gate prod on staging (nothing is changed, so all can run at once)", async () => {
    const fake = fakeRunner({ fail: ["c0-staging"] });
    const summary = await runFleet(fleetOf(2, ["staging", "prod"]), "preview", fake.runner, { parallel: 4, logDir: logDir() });
    expect(fake.calls).toHaveLength(4);
    expect(fake.stats.maxActive).toBe(4);
    expect(summary.results.find((r) => r.stack === "c0-prod")?.status).toBe("succeeded");
  });

  it("treats a runner that throws synchronously as one failed stack", async () => {
    const runner: StackRunner = (req) => {
      if (req.stack === "c0-prod") throw new Error("sync boom");
      return Promise.resolve({});
    };
    const summary = await runFleet(fleetOf(2), "up", runner, { parallel: 2, logDir: logDir() });
    expect(summary.results.map((r) => r.status)).toEqual(["failed", "succeeded"]);
  });

  it("runCommand: blocks stacks whose secrets are not set, runs the rest, exits 1, writes summary JSON", async () => {
    const ws = tempProject({
      defaults: { region: "eu-west-1", config: { tls: { mode: "acme", acmeEmail: "ops@msp.example.net" } } },
      customers: ["ready", "waiting", "broken"].map((name) => ({ name, environments: ["prod"], domains: [{ name: `${name}.example` }], mailboxes: [{ address: `ops@${name}.example`, passwordHashSecret: "ops-password" }] })),
    });
    generateCommand(ws, { force: false }, () => undefined);
    // The operator set the secret of "ready" (Pulumi writes it as a secure entry).
    const readyPath = stackFilePath(ws, "ready-prod");
    writeFileSync(readyPath, `${readFileSync(readyPath, "utf8")}  mailfort:ops-password:\n    secure: v1:AAAA\n`);
    const fake = fakeRunner({ fail: ["broken-prod"] });
    // "broken" also has its secret, but fails in the engine.
    const brokenPath = stackFilePath(ws, "broken-prod");
    writeFileSync(brokenPath, `${readFileSync(brokenPath, "utf8")}  mailfort:ops-password:\n    secure: v1:BBBB\n`);
    let out = "";
    const { code, summary } = await runCommand(ws, "up", { parallel: 2, runner: fake.runner, sink: { isTTY: false, write: (t) => (out += t) } });
    expect(code).toBe(1);
    expect(fake.calls.map((c) => c.stack).sort()).toEqual(["broken-prod", "ready-prod"]);
    expect(summary.results.find((r) => r.stack === "waiting-prod")).toMatchObject({ status: "blocked", error: expect.stringContaining("1 secret(s) not set") });
    expect(out).toMatch(/\[\d\/3\] ready-prod: succeeded/);
    expect(out).toContain("up: 1 succeeded, 1 failed, 0 skipped, 1 blocked (of 3");
    expect(existsSync(join(ws.projectDir, ".fleet/up-summary.json"))).toBe(true);
    expect(existsSync(join(ws.projectDir, ".fleet/logs/ready-prod.log"))).toBe(true);

    const seen: StackRunRequest[] = [];
    const recording: StackRunner = async (req) => { seen.push(req); return {}; };
    const onlyReady = await runCommand(ws, "preview", { customers: ["ready"], parallel: 2, runner: recording, sink: { isTTY: true, write: () => true } });
    expect(onlyReady.code).toBe(0);
    // The stack's policy relaxations reach the pack as a --policy-pack-config file.
    expect(seen.map((r) => r.policyPackConfig)).toEqual([join(ws.projectDir, ".fleet/policy-config/ready-prod.json")]);
    expect(JSON.parse(readFileSync(seen[0]?.policyPackConfig ?? "", "utf8"))).toEqual({});
    expect(onlyReady.summary.results.map((r) => r.stack)).toEqual(["ready-prod"]);
  });
});
