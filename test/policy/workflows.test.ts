// The GitHub workflows parse, and say what the README promises: PR = npm ci + npm test + offline
// plan/policy per stack (no secrets) + credentialed preview with the policy pack; main = pulumi up
// dev then prod behind environments. Every `npm run <script>` they call exists.
import { readFileSync, readdirSync } from "node:fs";
import * as path from "node:path";
import { load } from "js-yaml";
import { describe, expect, it } from "vitest";

const dir = path.resolve(__dirname, "../../.github/workflows");
interface Step { uses?: string; run?: string; with?: Record<string, unknown>; if?: string }
interface Job { steps: Step[]; needs?: string | string[]; environment?: string; if?: string; strategy?: { matrix?: { stack?: string[] } }; permissions?: Record<string, string> }
interface Workflow { name: string; on: Record<string, unknown>; jobs: Record<string, Job>; permissions?: Record<string, string> }

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
    expect([...workflows.keys()].sort()).toEqual(["deploy.yml", "pr-comment.yml", "pr.yml"]);
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
    expect(cliJobs.length).toBe(3); // the PR preview, deploy dev, deploy prod
    for (const job of cliJobs) {
      const typecheck = job.steps.findIndex((s) => s.run === "npm run typecheck");
      expect(typecheck).toBeGreaterThanOrEqual(0);
      expect(typecheck).toBeLessThan(job.steps.findIndex((s) => s.uses?.startsWith("pulumi/actions")));
    }
  });

  it("every npm script a workflow calls exists in package.json", () => {
    for (const [file, w] of workflows) {
      for (const job of Object.values(w.jobs)) {
        for (const m of runs(job).matchAll(/npm run ([a-z:-]+)/g)) expect(scripts, `${file} calls npm run ${m[1]}`).toHaveProperty(m[1] ?? "");
      }
    }
  });
});
