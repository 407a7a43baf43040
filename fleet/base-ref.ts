// The fleet at a base git ref, for "changes against the base": a detached `git worktree` of the
// ref (sharing this checkout's node_modules through a symlink), whose OWN synth runs each
// stack, so program changes between the ref and the working tree show up too. The base is
// synthesized through its `tools/synth.ts` CLI (--stack, --config-file, --out -> synth.json),
// the same contract `npm run plan` (tools/plan.ts) relies on; unlike that tool's synchronous
// helper this spawns asynchronously, so base synths run in parallel within the worker bound.
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";

export interface BaseCheckout {
  readonly ref: string;
  readonly dir: string;
  /** The stack file at the base, or undefined if the stack did not exist there. */
  stackText(stack: string): string | undefined;
  /** Run the base's synth on a stack file; resolves to its synth.json (a public SynthResult). */
  synth(stack: string, configFile: string): Promise<unknown>;
  remove(): void;
}

export function checkoutBase(projectDir: string, ref: string, stacksDir: string): BaseCheckout {
  const dir = mkdtempSync(join(tmpdir(), "fleet-base-"));
  rmSync(dir, { recursive: true });
  execFileSync("git", ["worktree", "add", "--detach", "--quiet", dir, ref], { cwd: projectDir, stdio: ["ignore", "ignore", "pipe"] });
  if (!existsSync(join(dir, "node_modules"))) symlinkSync(join(projectDir, "node_modules"), join(dir, "node_modules"), "dir");
  const stacksRel = relative(projectDir, stacksDir);
  const cli = join(dir, "tools/synth.ts");
  return {
    ref,
    dir,
    stackText(stack) {
      const file = join(dir, stacksRel, `Pulumi.${stack}.yaml`);
      return existsSync(file) ? readFileSync(file, "utf8") : undefined;
    },
    async synth(stack, configFile) {
      if (!existsSync(cli)) throw new Error(`${ref} has no offline synth (tools/synth.ts), so it cannot be compared`);
      const out = mkdtempSync(join(tmpdir(), "fleet-base-synth-"));
      try {
        const { code, stderr } = await runNode(["--import", "tsx", cli, "--stack", stack, "--config-file", configFile, "--out", out], dir);
        const result = join(out, "synth.json");
        if (code !== 0 || !existsSync(result)) throw new Error(`synth of ${stack} at ${ref} failed (exit ${code}):\n${stderr.slice(-2000)}`);
        return JSON.parse(readFileSync(result, "utf8")) as unknown;
      } finally {
        rmSync(out, { recursive: true, force: true });
      }
    },
    remove() {
      try {
        execFileSync("git", ["worktree", "remove", "--force", dir], { cwd: projectDir, stdio: "ignore" });
      } catch {
        rmSync(dir, { recursive: true, force: true });
        execFileSync("git", ["worktree", "prune"], { cwd: projectDir, stdio: "ignore" });
      }
    },
  };
}

function runNode(args: string[], cwd: string): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => void (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? 1, stderr }));
  });
}
