// npm run plan -- --stack <name> --base <git-ref> [--head <git-ref>] [--config-file <path>] [--dkim-state <file>] [--now <time>] [--out <file>]
// A pull-request plan without cloud credentials: synthesizes the stack at <git-ref> (git archive
// into a temp dir, node_modules symlinked) and in the working tree (or at --head), and writes a
// markdown diff — resources, DNS records, open ports, rendered host files, policy results — to
// stdout or --out. Exit 0 when the plan was written (policy failures are reported, not fatal:
// `npm run policy` is the gate).
import { writeFileSync } from "node:fs";
import * as path from "node:path";
import { Command } from "commander";
import { planDiff } from "../plan/plan-diff";
import { planMarkdown } from "../plan/plan-markdown";
import { treeAtRef, type TreeAtRef } from "../plan/git-tree";
import { NoStackAtBase, emptySnapshot, synthTree } from "../plan/synth-tree";

const program = new Command("plan")
  .description("Markdown diff of a stack between a git ref and the working tree, fit for a PR comment")
  .requiredOption("--stack <name>", "stack name (stacks/Pulumi.<name>.yaml)")
  .requiredOption("--base <git-ref>", "what the change is compared against, e.g. origin/main")
  .option("--head <git-ref>", "compare this ref instead of the working tree")
  .option("--config-file <path>", "use this stack file for the head side instead of stacks/Pulumi.<stack>.yaml")
  .option("--dkim-state <file.json>", "head side: the DKIM rotation state the last up recorded (docs/dkim-rotation.md); default: none recorded")
  .option("--now <time>", "head side: the rotation clock, e.g. 2026-12-09T12:00:00Z (default: now)")
  .option("--out <file>", "write the markdown here instead of stdout");

async function main(): Promise<number> {
  program.parse();
  const o = program.opts<{ stack: string; base: string; head?: string; configFile?: string; dkimState?: string; now?: string; out?: string }>();
  const repo = path.resolve(__dirname, "..");
  const trees: TreeAtRef[] = [];
  try {
    const baseTree = treeAtRef(repo, o.base);
    trees.push(baseTree);
    const headTree = o.head !== undefined ? treeAtRef(repo, o.head) : undefined;
    if (headTree) trees.push(headTree);
    const rotation = [...(o.dkimState !== undefined ? ["--dkim-state", path.resolve(o.dkimState)] : []), ...(o.now !== undefined ? ["--now", o.now] : [])];
    const head = synthTree(headTree?.dir ?? repo, o.stack, o.configFile && path.resolve(o.configFile), rotation);
    let base;
    try {
      base = synthTree(baseTree.dir, o.stack);
    } catch (e) {
      if (!(e instanceof NoStackAtBase)) throw e;
      base = emptySnapshot(head);
    }
    const headLabel = `${headTree ? `${o.head} (${headTree.commit.slice(0, 10)})` : "working tree"}${o.configFile ? ` with ${path.basename(o.configFile)}` : ""}`;
    const md = planMarkdown(await planDiff(base, head), { base: `${o.base} (${baseTree.commit.slice(0, 10)})`, head: headLabel });
    if (o.out) writeFileSync(o.out, `${md}\n`);
    else process.stdout.write(`${md}\n`);
    return 0;
  } finally {
    for (const t of trees) t.dispose();
  }
}

main().then((code) => process.exit(code), (e: unknown) => {
  console.error(e instanceof Error ? (e.stack ?? e.message) : e);
  process.exit(1);
});
