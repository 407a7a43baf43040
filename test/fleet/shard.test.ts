// A fleet beyond one runner: `--shard k/n` splits the fleet by customer (every stack in exactly
// one shard, the same split on every run, a customer's environments together), each shard still
// validates the whole fleet, and `fleet merge` puts the shard reports together — failing when a
// shard is missing or doubled, so a CI wave stops there.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { generateCommand } from "../../fleet/commands";
import { generateFleet } from "../../fleet/generate";
import { parseInventory } from "../../fleet/inventory/load";
import { FleetError } from "../../fleet/issues";
import { type ShardReport, mergeShards, readShardReport } from "../../fleet/merge";
import { mergeCommand } from "../../fleet/merge-command";
import type { FleetPlan, PlanEngine } from "../../fleet/plan";
import { planCommand } from "../../fleet/plan-command";
import { runCommand } from "../../fleet/run-command";
import type { StackRunner } from "../../fleet/runner";
import { type Shard, parseShard, shardOfCustomer } from "../../fleet/shard";
import { stackFilePath } from "../../fleet/workspace";
import { generatedInventory, tempProject } from "./helpers";

const quiet = { isTTY: false, write: () => true };
const engine: PlanEngine = {
  async evaluate(stack) {
    return { resources: [{ type: "aws:ec2/instance:Instance", name: `${stack}-host` }], policy: { total: 1, passed: 1, mandatoryFailed: [], advisoryFailed: [], relaxed: [] } };
  },
};

/** n customers with staging and prod each (the staging stacks under a domain prefix). */
function twoEnvInventory(n: number) {
  const inv = generatedInventory(n);
  for (const c of inv.customers as Array<{ environments: unknown }>) c.environments = [{ name: "staging", domainPrefix: "staging" }, "prod"];
  return inv;
}

const shards = (n: number): Shard[] => Array.from({ length: n }, (_, i) => ({ index: i + 1, count: n }));

describe("--shard k/n", () => {
  it("parses k/n and names the flag and the fix for anything else", () => {
    expect(parseShard("2/4")).toEqual({ index: 2, count: 4 });
    expect(parseShard(" 1/1 ")).toEqual({ index: 1, count: 1 });
    for (const bad of ["0/4", "5/4", "2/0", "a/b", "3", "1/2/3", "-1/2"]) {
      expect(() => parseShard(bad), bad).toThrow(FleetError);
      expect(() => parseShard(bad), bad).toThrow(/--shard: .* is not a shard k\/n/);
    }
  });

  it("puts every stack in exactly one shard, a customer's environments together, for any n", () => {
    const gens = generateFleet(parseInventory(JSON.stringify(twoEnvInventory(60)), "inv"));
    for (const n of [1, 2, 3, 4, 7, 16]) {
      const owner = new Map<string, number>();
      for (const g of gens) {
        const k = shardOfCustomer(g.customer, n);
        expect(k).toBeGreaterThanOrEqual(1);
        expect(k).toBeLessThanOrEqual(n);
        expect(owner.has(g.stack)).toBe(false);
        owner.set(g.stack, k);
      }
      expect(owner.size).toBe(gens.length);
      for (const g of gens) expect(owner.get(g.stack), g.stack).toBe(owner.get(`${g.customer}-prod`));
    }
  });

  it("is the same split on every run and every machine (pinned), and a new customer moves no one", () => {
    // A change of the hash would move stacks between runners in the middle of a rollout: pinned.
    expect(["customer001", "customer002", "customer003", "lawfirm", "bakery", "ü-café"].map((c) => shardOfCustomer(c, 4))).toEqual([2, 3, 1, 3, 1, 2]);
    const before = Array.from({ length: 40 }, (_, i) => `c${i}`).map((c) => shardOfCustomer(c, 5));
    const after = [...Array.from({ length: 40 }, (_, i) => `c${i}`), "newcomer"].map((c) => shardOfCustomer(c, 5));
    expect(after.slice(0, 40)).toEqual(before);
  });

  it("spreads customers evenly enough to be worth the runners", () => {
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 400; i++) counts[shardOfCustomer(`customer${i}`, 4) - 1]++;
    for (const c of counts) expect(c).toBeGreaterThan(70);
  });
});

describe("sharded fleet plan, merged", () => {
  it("plans each stack once across the shards, and the merge equals the unsharded plan", async () => {
    const ws = tempProject(twoEnvInventory(12));
    expect(generateCommand(ws, { force: false }, () => undefined)).toBe(0);
    const whole = await planCommand(ws, { parallel: 2, engine, sink: quiet, outDir: "out/whole" });
    const reports: ShardReport[] = [];
    for (const shard of shards(3)) {
      const r = await planCommand(ws, { parallel: 2, engine, sink: quiet, shard, outDir: `out/shard-${shard.index}` });
      expect(r.plan.shard).toEqual({ ...shard, fleetStacks: 24 });
      expect(readFileSync(r.markdownPath, "utf8")).toContain(`# Fleet plan (offline), shard ${shard.index}/3`);
      reports.push(readShardReport(readFileSync(r.jsonPath, "utf8"), r.jsonPath));
    }
    const merged = mergeShards(reports);
    expect(merged.problems).toEqual([]);
    expect(merged.kind).toBe("plan");
    if (merged.kind !== "plan") return;
    expect(merged.plan.ok).toBe(true);
    expect(merged.plan.stacks.map((s) => s.stack)).toEqual(whole.plan.stacks.map((s) => s.stack).sort());
    expect(merged.plan.notes.join(" ")).toMatch(/Merged from 3 shard report\(s\) run side by side: shard 1\/3: \d+ stack\(s\)/);
  });

  it("keeps the fleet-wide checks: a domain claimed twice is found although the claims sit in different shards", async () => {
    const inv = generatedInventory(8);
    // customer008 also claims customer001's domain; find a shard count that separates them.
    (inv.customers[7] as { domains: unknown[] }).domains.push({ name: "customer1.example" });
    const ws = tempProject(inv);
    generateCommand(ws, { force: false }, () => undefined);
    const n = [2, 3, 4, 5].find((k) => shardOfCustomer("customer001", k) !== shardOfCustomer("customer008", k)) as number;
    const plans = await Promise.all(shards(n).map((shard) => planCommand(ws, { parallel: 1, engine, sink: quiet, shard, outDir: `out/${shard.index}` })));
    // The second claim is the error (as without shards), although the first sits in another shard.
    const flagged = plans.flatMap((p) => p.plan.stacks).filter((s) => s.errors.some((e) => /domain customer1\.example is already served by customer customer001/.test(e))).map((s) => s.stack);
    expect(flagged).toEqual(["customer008-prod"]);
    expect(plans.filter((p) => p.code === 1).map((p) => p.plan.shard?.index)).toEqual([shardOfCustomer("customer008", n)]);
  });
});

describe("waves: --environments", () => {
  it("runs only the wave's environments (staging first, prod in a later wave) and names an unknown one", async () => {
    const ws = tempProject({ ...twoEnvInventory(3), defaults: { region: "eu-west-1", config: { tls: { mode: "self-signed" } } } });
    generateCommand(ws, { force: false }, () => undefined);
    const runner: StackRunner = async () => ({});
    const { summary } = await runCommand(ws, "preview", { parallel: 2, environments: ["staging"], runner, sink: quiet });
    // (Blocked: their mailbox secrets are not set; what matters here is which stacks the wave has.)
    expect(summary.results.map((r) => r.stack).sort()).toEqual(["customer001-staging", "customer002-staging", "customer003-staging"]);
    const plan = await planCommand(ws, { parallel: 1, environments: ["prod"], engine, sink: quiet });
    expect(plan.plan.stacks.map((s) => s.stack).sort()).toEqual(["customer001-prod", "customer002-prod", "customer003-prod"]);
    await expect(planCommand(ws, { parallel: 1, environments: ["qa"], engine, sink: quiet })).rejects.toThrow(/--environments: "qa" is not an environment/);
  });
});

describe("fleet merge", () => {
  const plan = (shard: Shard | undefined, stacks: string[], ok = true): FleetPlan => ({
    generatedAt: "2026-12-01T00:00:00Z", base: undefined, parallel: 2, maxConcurrent: 2, wallMs: 1000, notes: [], ok,
    stacks: stacks.map((stack) => ({ stack, customer: stack.split("-")[0] ?? "", environment: "prod", status: "planned", durationMs: 1, resourceCount: 1, resourcesByType: {}, policy: undefined, changes: undefined, pendingSecrets: [], errors: [] })),
    ...(shard === undefined ? {} : { shard: { ...shard, fleetStacks: 4 } }),
  });
  const report = (p: FleetPlan, source = `shard-${p.shard?.index ?? 0}.json`): ShardReport => ({ source, kind: "plan", plan: p });

  it("fails when a shard did not report, reported twice, or a stack is in two shards", () => {
    expect(mergeShards([report(plan({ index: 1, count: 2 }, ["a-prod", "b-prod"]))]).problems).toEqual([
      expect.stringMatching(/^shard 2\/2 did not report \(its job failed before writing its report/),
    ]);
    const twice = mergeShards([report(plan({ index: 1, count: 2 }, ["a-prod", "b-prod"]), "x.json"), report(plan({ index: 1, count: 2 }, ["c-prod", "d-prod"]), "y.json")]);
    expect(twice.problems).toContain("shard 1/2 reported twice (x.json, y.json)");
    expect(twice.problems).toContainEqual(expect.stringMatching(/^shard 2\/2 did not report/));
    const overlap = mergeShards([report(plan({ index: 1, count: 2 }, ["a-prod", "b-prod"])), report(plan({ index: 2, count: 2 }, ["b-prod", "c-prod"]))]);
    expect(overlap.problems).toEqual(["stack b-prod is in two shards (shard-1.json and shard-2.json)"]);
    const short = mergeShards([report(plan({ index: 1, count: 2 }, ["a-prod"])), report(plan({ index: 2, count: 2 }, ["c-prod"]))]);
    expect(short.problems).toEqual(["the shards hold 2 stacks, but the fleet has 4"]);
    for (const m of [twice, overlap, short]) expect(m.kind === "plan" && m.plan.ok).toBe(false);
  });

  it("refuses reports of different splits or kinds, and none at all", () => {
    expect(mergeShards([report(plan({ index: 1, count: 2 }, ["a-prod", "b-prod"])), report(plan({ index: 2, count: 3 }, ["c-prod", "d-prod"]))]).problems).toEqual([expect.stringMatching(/different splits/)]);
    const run: ShardReport = { source: "up.json", kind: "run", summary: { operation: "up", parallel: 1, maxConcurrent: 1, results: [], ok: true, shard: { index: 2, count: 2, fleetStacks: 4 } } };
    expect(mergeShards([report(plan({ index: 1, count: 2 }, ["a-prod", "b-prod"])), run]).problems).toEqual([expect.stringMatching(/different kinds \(fleet plan, fleet up\)/)]);
    expect(mergeShards([]).problems).toEqual([expect.stringMatching(/no shard reported/)]);
    expect(() => readShardReport("{}", "odd.json")).toThrow(/odd\.json: neither a fleet plan/);
    expect(() => readShardReport("not json", "bad.json")).toThrow(/bad\.json: not JSON/);
  });

  it("carries a failing stack through: the merged summary is not ok", () => {
    const m = mergeShards([report(plan({ index: 1, count: 2 }, ["a-prod", "b-prod"])), report(plan({ index: 2, count: 2 }, ["c-prod", "d-prod"], false))]);
    expect(m.problems).toEqual([]);
    expect(m.kind === "plan" && m.plan.ok).toBe(false);
  });

  it("merges sharded `up` runs from CI artifact directories and stops the wave on a failure", async () => {
    const ws = tempProject({
      defaults: { region: "eu-west-1", config: { tls: { mode: "acme", acmeEmail: "ops@msp.example.net" } } },
      customers: ["alpha", "bravo", "charlie", "delta", "echo"].map((name) => ({ name, environments: ["prod"], domains: [{ name: `${name}.example` }], mailboxes: [{ address: `ops@${name}.example`, passwordHashSecret: "ops-password" }] })),
    });
    generateCommand(ws, { force: false }, () => undefined);
    for (const c of ["alpha", "bravo", "charlie", "delta", "echo"]) {
      const path = stackFilePath(ws, `${c}-prod`);
      writeFileSync(path, `${readFileSync(path, "utf8")}  mailfort:ops-password:\n    secure: v1:AAAA\n`);
    }
    const runs = async (fail: string | undefined) => {
      const root = join(ws.projectDir, `artifacts-${fail ?? "ok"}`);
      for (const shard of shards(2)) {
        const runner: StackRunner = async (req) => {
          if (req.stack === fail) throw new Error("stderr: the update failed");
          return { changes: { same: 40 } };
        };
        const { summary } = await runCommand(ws, "up", { parallel: 1, shard, runner, sink: quiet });
        // As actions/download-artifact lays them out: one directory per shard's artifact.
        mkdirSync(join(root, `fleet-up-shard-${shard.index}`), { recursive: true });
        writeFileSync(join(root, `fleet-up-shard-${shard.index}`, "up-summary.json"), JSON.stringify(summary));
      }
      return mergeCommand([root], join(root, "merged"), quiet);
    };
    const ok = await runs(undefined);
    expect(ok.code).toBe(0);
    expect(ok.merged.kind === "run" && ok.merged.summary.results.map((r) => r.stack)).toEqual(["alpha-prod", "bravo-prod", "charlie-prod", "delta-prod", "echo-prod"]);
    expect(readFileSync(ok.markdownPath, "utf8")).toContain("**Every stack succeeded.**");
    const failed = await runs("charlie-prod");
    expect(failed.code).toBe(1);
    expect(readFileSync(failed.markdownPath, "utf8")).toContain("this wave stops here");
    expect(readFileSync(failed.markdownPath, "utf8")).toMatch(/charlie-prod\s+failed/);
    // One shard's artifact missing (its runner died): the merge fails and says which.
    const lost = mergeCommand([join(ws.projectDir, "artifacts-ok", "fleet-up-shard-1")], join(ws.projectDir, "lost"), quiet);
    expect(lost.code).toBe(1);
    expect(lost.merged.problems).toEqual([expect.stringMatching(/^shard 2\/2 did not report/)]);
  });
});
