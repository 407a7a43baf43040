// A source tree of the repository at a git ref, for synthesizing "before" in a plan.
// `git archive <ref> | tar -x` into a temp dir, with node_modules symlinked from this checkout:
// seconds instead of the minutes (and network) a `git worktree add` + `npm ci` would take. The
// cost: the base is run with this checkout's dependencies, so a PR that changes package versions
// is compared on the new versions (the plan says so).
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";

export interface TreeAtRef {
  readonly dir: string;
  readonly ref: string;
  readonly commit: string;
  dispose(): void;
}

function resolveCommit(repo: string, ref: string): string {
  const r = spawnSync("git", ["rev-parse", "--verify", `${ref}^{commit}`], { cwd: repo, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`--base ${JSON.stringify(ref)} is not a commit in ${repo} (${r.stderr.trim()}); fetch it first, e.g. git fetch origin main`);
  return r.stdout.trim();
}

export function treeAtRef(repo: string, ref: string): TreeAtRef {
  const commit = resolveCommit(repo, ref);
  const dir = mkdtempSync(path.join(tmpdir(), "mailfort-base-"));
  try {
    const tar = execFileSync("git", ["archive", "--format=tar", commit], { cwd: repo, maxBuffer: 512 * 1024 * 1024 });
    execFileSync("tar", ["-x", "-C", dir], { input: tar });
    const modules = path.join(repo, "node_modules");
    if (existsSync(modules)) symlinkSync(modules, path.join(dir, "node_modules"), "dir");
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  return { dir, ref, commit, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}
