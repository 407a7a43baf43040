// The offline fleet plan. First with a fake engine (fast: status handling, base comparison,
// summary), then the REAL synth + policy pack over a generated 20-customer inventory.
import { existsSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { generateCommand } from "../../fleet/commands";
import { type FleetPlan, type PlanEngine, countByType } from "../../fleet/plan";
import { planCommand } from "../../fleet/plan-command";
import { realPlanEngine, withSecretPlaceholders } from "../../fleet/plan-engine";
import { formatPlanMarkdown } from "../../fleet/plan-report";
import { generatedInventory, tempProject } from "./helpers";

const quiet = { isTTY: false, write: () => true };

function fakeEngine(opts: { failOn?: string; baseMissing?: string } = {}): PlanEngine & { active: number; maxActive: number } {
  const state = { active: 0, maxActive: 0 };
  return Object.assign(state, {
    async evaluate(stack: string, configText: string) {
      state.active++;
      state.maxActive = Math.max(state.maxActive, state.active);
      await new Promise((r) => setTimeout(r, 5));
      state.active--;
      if (stack === opts.failOn) throw new Error("synth exploded");
      expect(configText).toContain("mailfort:hostname");
      return { resources: [{ type: "aws:ec2/instance:Instance", name: `${stack}-host` }, { type: "aws:route53/zone:Zone", name: "z1" }, { type: "aws:route53/zone:Zone", name: "z2" }], policy: { total: 3, passed: 3, mandatoryFailed: [], advisoryFailed: [], relaxed: [] } };
    },
    async evaluateBase(stack: string) {
      return stack === opts.baseMissing ? undefined : { resources: [], policy: undefined };
    },
    diff() {
      return [{ type: "aws:ec2/instance:Instance", name: "host", kind: "changed" as const, keys: ["instanceType"] }];
    },
  });
}

describe("fleet plan with a fake engine", () => {
  it("plans every stack within the worker bound, isolates a synth failure and reports invalid stacks", async () => {
    const inv = generatedInventory(7);
    (inv.customers[6] as { overrides: unknown }).overrides = { tls: { mode: "acme", acmeEmail: "ops@msp.example.net" }, features: { clamav: true } }; // clamav on a small type: invalid
    const ws = tempProject(inv);
    generateCommand(ws, { force: false }, () => undefined);
    const engine = fakeEngine({ failOn: "customer002-prod", baseMissing: "customer003-prod" });
    const { code, plan, markdownPath, jsonPath } = await planCommand(ws, { parallel: 2, base: "main", engine, sink: quiet });
    expect(code).toBe(1);
    expect(engine.maxActive).toBe(2);
    expect(plan.maxConcurrent).toBeLessThanOrEqual(2);
    const byStack = Object.fromEntries(plan.stacks.map((s) => [s.stack, s]));
    expect(byStack["customer001-prod"]).toMatchObject({ status: "planned", resourceCount: 3, resourcesByType: { "aws:ec2/instance:Instance": 1, "aws:route53/zone:Zone": 2 } });
    expect(byStack["customer002-prod"]).toMatchObject({ status: "failed", errors: ["synth exploded"] });
    expect(byStack["customer003-prod"]?.changes).toBe("new");
    expect(byStack["customer004-prod"]?.changes).toEqual([expect.objectContaining({ kind: "changed", keys: ["instanceType"] })]);
    expect(byStack["customer007-prod"]).toMatchObject({ status: "invalid", errors: [expect.stringContaining("mailfort:features.clamav")] });
    expect(byStack["customer001-prod"]?.pendingSecrets).toEqual(["pw-alice-at-customer1-example", "pw-bob-at-customer1-example"]);
    const md = readFileSync(markdownPath, "utf8");
    expect(md).toContain("| customer004 | prod | planned | 3 | ~1 | pass 3/3 | 2 |");
    expect(md).toContain("| customer002 | prod | **failed** |");
    expect(md).toContain("compared with `main`");
    expect((JSON.parse(readFileSync(jsonPath, "utf8")) as FleetPlan).stacks).toHaveLength(7);
  });

  it("fills secrets the operator has not set yet with secure placeholders (and keeps set ones)", () => {
    const text = "config:\n  mailfort:a: 1\n  mailfort:pw-x:\n    secure: v1:real\n";
    const out = withSecretPlaceholders(text, ["pw-x", "pw-y"]);
    expect(out).toContain("secure: v1:real");
    expect(out).toMatch(/mailfort:pw-y:\n\s+secure: fleet-plan-placeholder/);
  });

  it("counts resources by type in a stable order", () => {
    expect(Object.keys(countByType([{ type: "b" }, { type: "a" }, { type: "b" }]))).toEqual(["a", "b"]);
  });
});

describe("fleet plan, real synth and policy pack", () => {
  it("plans a generated 20-customer inventory with 2 workers", { timeout: 900_000 }, async () => {
    const ws = tempProject(generatedInventory(20));
    expect(generateCommand(ws, { force: false }, () => undefined)).toBe(0);
    const started = Date.now();
    const engine = realPlanEngine({ workers: 2 });
    const { code, plan, markdownPath } = await planCommand(ws, { parallel: 2, engine, sink: quiet }).finally(() => engine.close());
    const seconds = (Date.now() - started) / 1000;
    console.warn(`fleet plan, 20 customers, real synth, 2 workers: ${seconds.toFixed(1)} s`);
    expect(plan.stacks.filter((s) => s.status !== "planned").map((s) => `${s.stack}: ${s.errors.join("; ")}`)).toEqual([]);
    expect(code).toBe(0);
    expect(plan.stacks).toHaveLength(20);
    expect(plan.maxConcurrent).toBe(2);
    for (const s of plan.stacks) {
      expect(s.resourcesByType["aws:ec2/instance:Instance"]).toBe(1);
      expect(s.resourcesByType["aws:route53/zone:Zone"]).toBe(1);
      expect(s.resourceCount).toBeGreaterThan(30);
      expect(s.policy?.mandatoryFailed).toEqual([]);
      expect(s.policy?.total).toBeGreaterThan(10);
    }
    expect(existsSync(markdownPath)).toBe(true);
    expect(formatPlanMarkdown(plan)).toContain("| customer020 | prod | planned |");
  });
});

describe("fleet plan --base, real synth on both sides", () => {
  it("lists the resources a tier change touches and marks a new customer's stack as new", { timeout: 900_000 }, async () => {
    // A throwaway clone of this repository's HEAD is the project: the base side is synthesized
    // by the ref's own tools/synth.ts, the head side by this working tree's synth.
    const { execFileSync } = await import("node:child_process");
    const { mkdtempSync, symlinkSync, writeFileSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const { join, resolve } = await import("node:path");
    const { dump } = await import("js-yaml");
    const { checkoutBase } = await import("../../fleet/base-ref");
    const { openWorkspace } = await import("../../fleet/workspace");
    const dir = join(mkdtempSync(join(tmpdir(), "fleet-base-test-")), "repo");
    execFileSync("git", ["clone", "--quiet", "--depth", "1", `file://${resolve(".")}`, dir]);
    symlinkSync(resolve("node_modules"), join(dir, "node_modules"), "dir");
    const git = (...args: string[]) => execFileSync("git", ["-c", "user.email=fleet@test", "-c", "user.name=fleet test", ...args], { cwd: dir });
    const inv = generatedInventory(2);
    writeFileSync(join(dir, "fleet/inventory.yaml"), dump(inv));
    const ws = openWorkspace(dir);
    generateCommand(ws, { force: false }, () => undefined);
    git("add", "-f", "fleet/inventory.yaml", "stacks");
    git("commit", "--quiet", "-m", "base fleet");
    // The change under review: customer001 small -> large, and a new customer.
    (inv.customers[0] as { tier: string }).tier = "large";
    inv.customers.push({ ...(inv.customers[1] as object), name: "newcomer", domains: [{ name: "newcomer.example" }], mailboxes: [{ address: "ops@newcomer.example" }] });
    writeFileSync(join(dir, "fleet/inventory.yaml"), dump(inv));
    generateCommand(ws, { force: false }, () => undefined);

    const base = checkoutBase(dir, "HEAD", ws.stacksDir);
    try {
      const engine = realPlanEngine({ workers: 2, base });
      const { plan } = await planCommand(ws, { customers: ["customer001", "newcomer"], parallel: 2, base: base.ref, engine, sink: quiet }).finally(() => engine.close());
      const byStack = Object.fromEntries(plan.stacks.map((s) => [s.stack, s]));
      expect(byStack["newcomer-prod"]?.changes).toBe("new");
      const changes = byStack["customer001-prod"]?.changes;
      expect(Array.isArray(changes), JSON.stringify(byStack["customer001-prod"])).toBe(true);
      expect(changes).toContainEqual(expect.objectContaining({ type: "aws:ec2/instance:Instance", kind: "changed", keys: expect.arrayContaining(["instanceType"]) }));
      expect(changes).toContainEqual(expect.objectContaining({ type: "aws:ebs/volume:Volume", kind: "changed", keys: expect.arrayContaining(["size"]) }));
      expect(plan.base).toMatch(/^HEAD \([0-9a-f]{10}\)$/);
    } finally {
      base.remove();
    }
  });
});
