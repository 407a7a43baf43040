// The GitHub workflows parse, and say what the README promises: PR = npm ci + npm test + offline
// plan/policy per stack (no secrets) + credentialed preview with the policy pack; main = pulumi up
// dev then prod behind environments; the fleet = shards side by side, merged after each matrix,
// a failed or missing shard stopping the next wave. Every `npm run <script>` they call exists.
import { readFileSync, readdirSync } from "node:fs";
import * as path from "node:path";
import { load } from "js-yaml";
import { describe, expect, it } from "vitest";

const dir = path.resolve(__dirname, "../../.github/workflows");
interface Step { uses?: string; run?: string; with?: Record<string, unknown>; if?: string }
interface Job { steps: Step[]; needs?: string | string[]; environment?: string; if?: string; strategy?: { "fail-fast"?: boolean; matrix?: { stack?: string[]; shard?: number[] } }; permissions?: Record<string, string>; env?: Record<string, string> }
interface Workflow { name: string; on: Record<string, unknown>; jobs: Record<string, Job>; permissions?: Record<string, string>; env?: Record<string, string | number> }

const workflows = new Map(readdirSync(dir).filter((f) => f.endsWith(".yml")).map((f) => [f, load(readFileSync(path.join(dir, f), "utf8")) as Workflow]));
const wf = (f: string): Workflow => {
  const w = workflows.get(f);
  if (!w) throw new Error(`missing workflow ${f}`);
  return w;
};
const runs = (job: Job) => job.steps.map((s) => s.run ?? "").join("\n");
const scripts = (JSON.parse(readFileSync(path.resolve(__dirname, "../../package.json"), "utf8")) as { scripts: Record<string, string> }).scripts;

describe("GitHub workflows", () => {
  it("all parse as YAML with jobs", () => {
    expect([...workflows.keys()].sort()).toEqual(["deploy.yml", "fleet.yml", "pr-comment.yml", "pr.yml"]);
    for (const w of workflows.values()) expect(Object.keys(w.jobs).length).toBeGreaterThan(0);
  });

  it("pull requests: node 20, npm ci, npm test, with a read-only token", () => {
    const pr = wf("pr.yml");
    expect(pr.on).toHaveProperty("pull_request");
    expect(pr.permissions).toEqual({ contents: "read" });
    const test = pr.jobs.test as Job;
    expect(test.steps.find((s) => s.uses?.startsWith("actions/setup-node"))?.with?.["node-version"]).toBe(20);
    // The job runs the project's CI entry point, which does npm ci and npm test.
    expect(runs(test)).toMatch(/^\.ci\/run$/m);
    const ciRun = readFileSync(path.resolve(__dirname, "../../.ci/run"), "utf8");
    expect(ciRun).toMatch(/^npm ci\b/m);
    expect(ciRun).toMatch(/^npm test$/m);
  });

  it("pull requests: offline plan and policy per stack, needing no secrets", () => {
    const plan = wf("pr.yml").jobs.plan as Job;
    expect(plan.strategy?.matrix?.stack).toEqual(["dev", "prod", "lab"]);
    expect(runs(plan)).toMatch(/npm run plan -- --stack \$\{\{ matrix.stack \}\} --base/);
    expect(runs(plan)).toMatch(/npm run policy -- --stack/);
    expect(JSON.stringify(plan)).not.toMatch(/secrets\./);
    expect(plan.steps.some((s) => s.uses?.startsWith("actions/upload-artifact"))).toBe(true);
  });

  it("pull requests: pulumi preview with the policy pack only when credentials exist", () => {
    const preview = wf("pr.yml").jobs.preview as Job;
    const action = preview.steps.find((s) => s.uses?.startsWith("pulumi/actions"));
    expect(action?.with).toMatchObject({ command: "preview", policyPacks: "policy", policyPackConfigs: "policy-config.json" });
    expect(action?.if).toMatch(/PULUMI_ACCESS_TOKEN != ''/);
  });

  it("the PR comment never runs PR code: it only downloads artifacts and comments", () => {
    const c = wf("pr-comment.yml");
    expect(c.on).toHaveProperty("workflow_run");
    const steps = (c.jobs.comment as Job).steps;
    expect(steps.some((s) => s.uses?.startsWith("actions/checkout"))).toBe(false);
    expect(steps.some((s) => s.uses?.startsWith("marocchino/sticky-pull-request-comment"))).toBe(true);
  });

  it("merge to main: pulumi up dev, then prod, each in its GitHub environment", () => {
    const d = wf("deploy.yml");
    expect(d.on).toHaveProperty("push");
    expect(JSON.stringify(d.on)).toMatch(/"main"/);
    expect(d.jobs.dev?.environment).toBe("dev");
    expect(d.jobs.prod?.environment).toBe("prod");
    expect(d.jobs.prod?.needs).toBe("dev");
    for (const job of [d.jobs.dev, d.jobs.prod] as Job[]) {
      expect(job.steps.find((s) => s.uses?.startsWith("pulumi/actions"))?.with).toMatchObject({ command: "up", policyPacks: "policy" });
    }
  });

  it("every job that runs the Pulumi CLI type checks first (the CLI loads the program with tsx, which does not)", () => {
    const cliJobs = [...workflows.values()].flatMap((w) => Object.values(w.jobs)).filter((job) => job.steps.some((s) => s.uses?.startsWith("pulumi/actions")));
    expect(cliJobs.length).toBe(5); // the PR preview, deploy dev, deploy prod, the fleet's two waves
    for (const job of cliJobs) {
      const typecheck = job.steps.findIndex((s) => s.run === "npm run typecheck");
      expect(typecheck).toBeGreaterThanOrEqual(0);
      expect(typecheck).toBeLessThan(job.steps.findIndex((s) => s.uses?.startsWith("pulumi/actions")));
    }
  });

  describe("the fleet, sharded", () => {
    const f = wf("fleet.yml");
    const shards = Number(f.env?.SHARDS);
    const matrixJobs = Object.entries(f.jobs).filter(([, j]) => j.strategy?.matrix?.shard !== undefined);
    const needs = (j: Job) => (Array.isArray(j.needs) ? j.needs : j.needs === undefined ? [] : [j.needs]);

    it("runs every shard 1..SHARDS of each matrix to the end, each with --shard k/SHARDS, and keeps its report even when it failed", () => {
      expect(shards).toBeGreaterThan(1);
      expect(matrixJobs.map(([name]) => name)).toEqual(["plan", "wave-1", "wave-2"]);
      for (const [name, job] of matrixJobs) {
        expect(job.strategy?.matrix?.shard, name).toEqual(Array.from({ length: shards }, (_, i) => i + 1));
        expect(job.strategy?.["fail-fast"], name).toBe(false);
        expect(runs(job), name).toMatch(/npm run fleet -- \S+ .*--shard \$\{\{ matrix\.shard \}\}\/\$\{\{ env\.SHARDS \}\}/);
        const upload = job.steps.find((st) => st.uses?.startsWith("actions/upload-artifact"));
        expect(upload?.if, name).toBe("always()");
        expect(String(upload?.with?.name), name).toMatch(/-shard-\$\{\{ matrix\.shard \}\}$/);
      }
    });

    it("merges each matrix in a job that runs even when a shard failed, reads every shard's artifact, and fails on a problem", () => {
      for (const [name, job] of matrixJobs) {
        const merges = Object.entries(f.jobs).filter(([, j]) => needs(j).includes(name) && /npm run fleet -- merge/.test(runs(j)));
        expect(merges.map(([m]) => m), name).toEqual([`${name === "plan" ? "plan" : name}-summary`]);
        const [, merge] = merges[0] as [string, Job];
        expect(merge.if, name).toMatch(/!cancelled\(\)/);
        const download = merge.steps.find((st) => st.uses?.startsWith("actions/download-artifact"));
        const uploaded = String(job.steps.find((st) => st.uses?.startsWith("actions/upload-artifact"))?.with?.name);
        expect(String(download?.with?.pattern).replace("*", "${{ matrix.shard }}"), name).toBe(uploaded);
        // The merge step itself is not allowed to fail quietly.
        const step = merge.steps.find((st) => /npm run fleet -- merge/.test(st.run ?? ""));
        expect(step?.if, name).toBeUndefined();
        expect(step?.run, name).not.toMatch(/\|\| true|continue-on-error/);
      }
    });

    it("starts prod only after every shard of dev + staging succeeded, each wave behind its GitHub environment", () => {
      const w1 = f.jobs["wave-1"] as Job;
      const w2 = f.jobs["wave-2"] as Job;
      expect(runs(w1)).toMatch(/--environments dev,staging/);
      expect(runs(w2)).toMatch(/--environments prod/);
      // Needs the merged summary of wave 1 (not the matrix): a failed or missing shard stops here.
      expect(needs(w2)).toEqual(["wave-1-summary"]);
      expect(w2.if).toBeUndefined();
      expect(w1.environment).toBe("fleet-staging");
      expect(w2.environment).toBe("fleet-prod");
    });

    it("plans pull requests without secrets; only the waves get credentials", () => {
      for (const name of ["inventory", "plan", "plan-summary"]) expect(JSON.stringify(f.jobs[name]), name).not.toMatch(/secrets\./);
      expect(f.permissions).toEqual({ contents: "read" });
      expect(f.jobs["wave-1"]?.permissions?.["id-token"]).toBe("write");
    });
  });

  it("every npm script a workflow calls exists in package.json", () => {
    for (const [file, w] of workflows) {
      for (const job of Object.values(w.jobs)) {
        for (const m of runs(job).matchAll(/npm run ([a-z:-]+)/g)) expect(scripts, `${file} calls npm run ${m[1]}`).toHaveProperty(m[1] ?? "");
      }
    }
  });
});
