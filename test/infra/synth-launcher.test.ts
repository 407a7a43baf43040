// tools/entry.cjs, which `npm run synth` goes through: it runs an entry from a bundle that is
// rebuilt whenever a source changed, so nobody ever runs stale code or has to build by hand.
// Exercised on a small repository of its own (the launcher finds its root from its own place),
// then on the real synth against tsx.
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runInNewContext } from "node:vm";
import { PRECOMPILED_TEMPLATES, templateKey } from "../../infra/core/host/template";
import { REPO_ROOT } from "../../infra/synth/paths";

const repo = mkdtempSync(join(tmpdir(), "mailfort-entry-"));
afterAll(() => rmSync(repo, { recursive: true, force: true }));

function put(rel: string, text: string): void {
  mkdirSync(join(repo, rel, ".."), { recursive: true });
  writeFileSync(join(repo, rel), text);
}

put("package.json", JSON.stringify({ name: "mailfort" }));
put("tsconfig.json", JSON.stringify({ compilerOptions: { module: "commonjs", strict: true } }));
mkdirSync(join(repo, "tools"));
copyFileSync(join(REPO_ROOT, "tools", "entry.cjs"), join(repo, "tools", "entry.cjs"));
symlinkSync(join(REPO_ROOT, "node_modules"), join(repo, "node_modules"));
put("configs/greeting.conf", "hello {{who}}\n");
put("app/lib.ts", "export const version: string = \"one\";\n");
put(
  "app/main.ts",
  [
    'import { version } from "./lib";',
    "const table = (globalThis as Record<symbol, Record<string, unknown> | undefined>)[Symbol.for(\"mailfort.precompiledTemplates\")];",
    "console.log(JSON.stringify({ version, argv: process.argv.slice(1), templates: Object.keys(table ?? {}).length }));",
    "",
  ].join("\n"),
);

const run = (...args: string[]) => spawnSync(process.execPath, [join(repo, "tools", "entry.cjs"), ...args], { cwd: repo, encoding: "utf8" });
const bundle = join(repo, ".cache", "entry", "app-main.cjs");
const out = (r: ReturnType<typeof run>) => JSON.parse(r.stdout) as { version: string; argv: string[]; templates: number };

describe("tools/entry.cjs", () => {
  it("builds on first use and runs the entry with its arguments, the templates precompiled", () => {
    const r = run("app/main.ts", "--stack", "lab", "x y");
    expect(r.stderr).toBe("");
    expect(out(r)).toEqual({ version: "one", argv: [join(repo, "app", "main.ts"), "--stack", "lab", "x y"], templates: 1 });
    const manifest = JSON.parse(readFileSync(join(repo, ".cache", "entry", "app-main.inputs.json"), "utf8")) as { inputs: Record<string, unknown> };
    expect(Object.keys(manifest.inputs).sort()).toEqual(["app/lib.ts", "app/main.ts", "configs/greeting.conf", "tools/entry.cjs", "tsconfig.json"]);
  });

  it("reuses the bundle while nothing changed, and rebuilds it when a source or a template did", () => {
    const built = statSync(bundle).mtimeMs;
    expect(out(run("app/main.ts")).version).toBe("one");
    expect(statSync(bundle).mtimeMs).toBe(built);
    put("app/lib.ts", "export const version: string = \"two, longer\";\n");
    expect(out(run("app/main.ts")).version).toBe("two, longer");
    const rebuilt = statSync(bundle).mtimeMs;
    put("configs/greeting.conf", "hello {{who}} and {{whom}}\n");
    run("app/main.ts");
    expect(statSync(bundle).mtimeMs).toBeGreaterThan(rebuilt);
    // Nothing left under a temporary name.
    expect(readdirSync(join(repo, ".cache", "entry")).filter((f) => f.includes(".tmp"))).toEqual([]);
  });

  it("never runs the old bundle when the code no longer compiles: esbuild's message names the file and line", () => {
    put("app/lib.ts", "export const version: string = ;\n");
    const r = run("app/main.ts");
    expect(r.status).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/ERROR\] Unexpected[\s\S]*app\/lib\.ts:1:\d+/);
    put("app/lib.ts", "export const version: string = \"three\";\n");
    expect(out(run("app/main.ts")).version).toBe("three");
  });

  it("refuses an entry outside the repository, or one that is not there", () => {
    for (const arg of ["../elsewhere.ts", "/etc/passwd", "app/none.ts", "package.json"]) {
      const r = run(arg);
      expect(r.status, arg).toBe(2);
      expect(r.stderr, arg).toMatch(/^tools\/entry\.cjs: .*(an entry is a \.ts file inside|no such file)/);
    }
    expect(run().stderr).toMatch(/usage: node tools\/entry\.cjs <entry\.ts>/);
  });

  it("runs the entry through tsx when .cache/ cannot be written", () => {
    rmSync(join(repo, ".cache"), { recursive: true });
    writeFileSync(join(repo, ".cache"), "a file where the cache directory would go\n");
    put("app/lib.ts", "export const version: string = \"four\";\n");
    const r = run("app/main.ts", "--a");
    expect(r.stderr).toMatch(/no bundle \(.*\); running app\/main\.ts through tsx/);
    expect(out(r)).toMatchObject({ version: "four", argv: [join(repo, "app", "main.ts"), "--a"], templates: 0 });
    rmSync(join(repo, ".cache"));
  });
});

describe("npm run synth through the bundle", () => {
  it("writes the same host files and user data as the program run by tsx", () => {
    const dirs = { bundle: join(repo, "synth-bundle"), tsx: join(repo, "synth-tsx") };
    const bundled = spawnSync(process.execPath, [join(REPO_ROOT, "tools", "entry.cjs"), "tools/synth.ts", "--stack", "lab", "--out", dirs.bundle], { cwd: REPO_ROOT, encoding: "utf8" });
    const tsx = spawnSync(process.execPath, ["--import", "tsx", join(REPO_ROOT, "tools", "synth.ts"), "--stack", "lab", "--out", dirs.tsx], { cwd: REPO_ROOT, encoding: "utf8" });
    expect([bundled.status, bundled.stderr]).toEqual([0, ""]);
    expect(tsx.status).toBe(0);
    const files = (dir: string): string[] => readdirSync(dir, { recursive: true, withFileTypes: true }).filter((d) => d.isFile()).map((d) => join(d.parentPath, d.name).slice(dir.length + 1)).sort();
    const hostFiles = files(join(dirs.tsx, "host-files"));
    expect(hostFiles.length).toBeGreaterThan(50);
    expect(files(join(dirs.bundle, "host-files"))).toEqual(hostFiles);
    for (const f of hostFiles) expect(readFileSync(join(dirs.bundle, "host-files", f), "utf8"), f).toBe(readFileSync(join(dirs.tsx, "host-files", f), "utf8"));
    expect(readFileSync(join(dirs.bundle, "user-data"), "utf8")).toBe(readFileSync(join(dirs.tsx, "user-data"), "utf8"));
  }, 120_000);

  it("precompiles the templates under the keys template.ts looks for (the launcher restates its options and key)", () => {
    // The bundle's first statement is the table; run it alone in a context of its own.
    const banner = readFileSync(join(REPO_ROOT, ".cache", "entry", "tools-synth.cjs"), "utf8").split("// end of the precompiled templates")[0] ?? "";
    const sandbox = { globalThis: {} as Record<symbol, Record<string, unknown>>, Symbol };
    runInNewContext(banner, sandbox);
    const table = sandbox.globalThis[PRECOMPILED_TEMPLATES] ?? {};
    for (const name of ["postfix/main.cf", "dovecot/dovecot.conf", "rspamd/local.d/options.inc"]) {
      expect(Object.keys(table), name).toContain(templateKey(readFileSync(join(REPO_ROOT, "configs", name), "utf8")));
    }
  });
});
