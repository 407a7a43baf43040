// Every generated block of docs/*.md (and the README's figures) and what renders it. `npm run docs` rewrites them;
// test/structure/docs.test.ts fails, naming the block, when one is out of date.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { blockOf, withBlock } from "./blocks";
import { configReference } from "./config-reference";
import { hostMetricsTable } from "./host-metrics";
import { performanceFigures, readmePerformance } from "./performance";
import { policyTable } from "./policy-table";

export interface GeneratedBlock {
  /** Relative to the repository root. */
  readonly file: string;
  readonly name: string;
  readonly render: (root: string) => string;
}

export const GENERATED_BLOCKS: readonly GeneratedBlock[] = [
  { file: "docs/policy-pack.md", name: "policies", render: policyTable },
  { file: "docs/configuration.md", name: "config-reference", render: configReference },
  { file: "docs/operations.md", name: "host-metrics", render: hostMetricsTable },
  { file: "docs/performance.md", name: "figures", render: performanceFigures },
  { file: "README.md", name: "performance", render: readmePerformance },
];

export interface BlockState {
  readonly block: GeneratedBlock;
  readonly fresh: boolean;
}

/** Which blocks differ from what their generator renders now. */
export function checkBlocks(root: string): BlockState[] {
  return GENERATED_BLOCKS.map((block) => {
    const text = readFileSync(join(root, block.file), "utf8");
    return { block, fresh: blockOf(text, block.name, block.file) === block.render(root).trim() };
  });
}

/** Rewrite every stale block in place; returns the blocks it rewrote. */
export function writeBlocks(root: string): GeneratedBlock[] {
  const stale = checkBlocks(root).filter((s) => !s.fresh).map((s) => s.block);
  for (const block of stale) {
    const path = join(root, block.file);
    writeFileSync(path, withBlock(readFileSync(path, "utf8"), block.name, block.file, block.render(root)));
  }
  return stale;
}
