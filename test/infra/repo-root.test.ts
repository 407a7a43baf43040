import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { REPO_ROOT, findRepoRoot } from "../../infra/repo-root";

const dir = mkdtempSync(join(tmpdir(), "mailfort-root-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("findRepoRoot", () => {
  it("is this checkout, from the source and from where the synth bundle runs", () => {
    expect(REPO_ROOT).toBe(resolve(__dirname, "..", ".."));
    expect(findRepoRoot(join(REPO_ROOT, ".cache", "entry"))).toBe(REPO_ROOT);
    // policy/ has a package.json of its own (the workspace): not the root.
    expect(findRepoRoot(join(REPO_ROOT, "policy", "policies"))).toBe(REPO_ROOT);
  });

  it("skips other packages and unreadable manifests, and says what to do when there is none", () => {
    mkdirSync(join(dir, "repo", "pkg", "deep"), { recursive: true });
    writeFileSync(join(dir, "repo", "package.json"), JSON.stringify({ name: "mailfort" }));
    writeFileSync(join(dir, "repo", "pkg", "package.json"), JSON.stringify({ name: "other" }));
    writeFileSync(join(dir, "repo", "pkg", "deep", "package.json"), "{ not json");
    expect(findRepoRoot(join(dir, "repo", "pkg", "deep"))).toBe(join(dir, "repo"));
    expect(() => findRepoRoot(join(dir, "repo-less"))).toThrow(/no package\.json named "mailfort" at or above .*: run mailfort from its checkout/);
  });
});
