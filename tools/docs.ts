// `npm run docs`: regenerate the tables in docs/ that restate code (the policy table, the
// configuration reference, the performance figures); `-- --check` only reports stale ones.
import { resolve } from "node:path";
import { checkBlocks, writeBlocks } from "../docs/generate";

const root = resolve(__dirname, "..");
if (process.argv.includes("--check")) {
  const stale = checkBlocks(root).filter((s) => !s.fresh);
  for (const s of stale) process.stderr.write(`${s.block.file}: generated block "${s.block.name}" is stale: run npm run docs\n`);
  process.exitCode = stale.length > 0 ? 1 : 0;
} else {
  const written = writeBlocks(root);
  process.stderr.write(written.length === 0 ? "docs: every generated block is up to date\n" : written.map((b) => `docs: rewrote ${b.file} (${b.name})\n`).join(""));
}
