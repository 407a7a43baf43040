// How the policy pack's dependencies resolve when the CLI prepares the pack itself. `pulumi
// install` in policy/ runs the language host's InstallDependencies, which installs at the npm
// workspace root when the pack is a workspace member (npm.FindWorkspaceRoot); run-policy-pack is
// then located from policy/ and compiles with the `typescript` it finds from there. Before the
// pack was a workspace, that install made policy/node_modules with a second @pulumi/pulumi and
// resolved the pack's undeclared js-yaml to @pulumi/pulumi's 4.x instead of the 5.x it is tested with.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import * as ts from "typescript";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../../infra/synth/in-process";
import { locateModule } from "../support/fake-engine/node-process";

const PACK = join(REPO_ROOT, "policy");
const manifest = JSON.parse(readFileSync(join(PACK, "package.json"), "utf8")) as { name: string; dependencies: Record<string, string> };

/** npm's own view of the workspace member: where it lives and where each dependency edge goes. */
function npmWorkspace(): { location: string; to: string[] } {
  const r = spawnSync("npm", ["query", ".workspace", "--json"], { cwd: REPO_ROOT, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`npm query failed: ${r.stderr}`);
  const all = JSON.parse(r.stdout) as { name: string; location: string; to: string[] }[];
  const pack = all.find((w) => w.name === manifest.name);
  if (pack === undefined) throw new Error(`npm lists no workspace named ${manifest.name}`);
  return pack;
}

const packageOf = (specifier: string) => specifier.split("/").slice(0, specifier.startsWith("@") ? 2 : 1).join("/");

/** Every package the pack's code imports: policy/index.ts and, transitively, every local file it reaches. */
function importedPackages(entry: string): Set<string> {
  const packages = new Set<string>();
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const { fileName } of ts.preProcessFile(readFileSync(file, "utf8"), true, true).importedFiles) {
      if (fileName.startsWith(".")) {
        const base = resolve(dirname(file), fileName);
        visit([`${base}.ts`, join(base, "index.ts")].find((f) => ts.sys.fileExists(f)) ?? `${base}.ts`);
      } else if (!fileName.startsWith("node:")) {
        packages.add(packageOf(fileName));
      }
    }
  };
  visit(entry);
  return packages;
}

describe("the policy pack's dependencies", () => {
  it("is a workspace of the root package, so `pulumi install` in policy/ installs at the root with its lockfile", () => {
    expect(npmWorkspace().location).toBe("policy");
  });

  it("resolve to one copy each, in the root's node_modules, at versions within the pack's ranges (npm ls finds nothing missing or invalid)", () => {
    const edges = npmWorkspace().to;
    expect(edges.sort()).toEqual(Object.keys(manifest.dependencies).map((d) => `node_modules/${d}`).sort());
    const ls = spawnSync("npm", ["ls", "--workspace", manifest.name, "--all"], { cwd: REPO_ROOT, encoding: "utf8" });
    expect(ls.status, ls.stdout + ls.stderr).toBe(0);
  });

  it("declare every package the pack's code imports, including through ../infra/config", () => {
    const imported = importedPackages(join(PACK, "index.ts"));
    expect(imported).toContain("zod");
    expect([...imported].filter((p) => !(p in manifest.dependencies))).toEqual([]);
  });

  it("give run-policy-pack, located from policy/ as the host does, the root's @pulumi/pulumi and TypeScript 6 (not the vendored 3.8)", () => {
    const runner = locateModule("@pulumi/pulumi/cmd/run-policy-pack", PACK);
    expect(relative(REPO_ROOT, runner)).toBe(join("node_modules", "@pulumi", "pulumi", "cmd", "run-policy-pack", "index.js"));
    // tsutils.typeScriptRequireStrings() requires "typescript" from @pulumi/pulumi's own directory.
    const compiler = require.resolve("typescript", { paths: [join(dirname(runner), "..", "..")] });
    expect(relative(REPO_ROOT, compiler)).toMatch(/^node_modules\/typescript\//);
    const version = (JSON.parse(readFileSync(join(REPO_ROOT, "node_modules", "typescript", "package.json"), "utf8")) as { version: string }).version;
    expect(version).toMatch(/^6\.0\./);
  });
});
