// The fleet at a base git ref, for "changes against the base". The source tree at the ref comes
// from plan/git-tree.ts's `treeAtRef` (git archive into a temp dir, this checkout's node_modules
// symlinked: the same checkout `npm run plan` uses), and each stack is synthesized by that
// tree's OWN `tools/synth.ts` CLI (--stack, --config-file, --out -> synth.json), so program
// changes between the ref and the working tree show up too. Unlike tools/plan.ts's synchronous
// `synthTree`, this spawns asynchronously, so base synths run in parallel within the worker bound.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { treeAtRef } from "../plan/git-tree";

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
  const tree = treeAtRef(projectDir, ref);
  const stacksRel = relative(projectDir, stacksDir);
  const cli = join(tree.dir, "tools/synth.ts");
  const label = `${ref} (${tree.commit.slice(0, 10)})`;
  return {
    ref: label,
    dir: tree.dir,
    stackText(stack) {
      const file = join(tree.dir, stacksRel, `Pulumi.${stack}.yaml`);
      return existsSync(file) ? readFileSync(file, "utf8") : undefined;
    },
    async synth(stack, configFile) {
      if (!existsSync(cli)) throw new Error(`${label} has no offline synth (tools/synth.ts), so it cannot be compared`);
      const out = mkdtempSync(join(tmpdir(), "fleet-base-synth-"));
      try {
        const { code, stderr } = await runNode(["--import", "tsx", cli, "--stack", stack, "--config-file", configFile, "--out", out], tree.dir);
        const result = join(out, "synth.json");
        if (code !== 0 || !existsSync(result)) throw new Error(`synth of ${stack} at ${label} failed (exit ${code}):\n${stderr.slice(-2000)}`);
        return JSON.parse(readFileSync(result, "utf8")) as unknown;
      } finally {
        rmSync(out, { recursive: true, force: true });
      }
    },
    remove: () => tree.dispose(),
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
