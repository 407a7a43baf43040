// Where the repository is, for the files the program reads at run time (configs/ templates,
// stacks/). Found by walking up from this module to the package.json named "mailfort", not by a
// fixed "../.." from the source file: the synth command runs a bundle of this code
// (tools/entry.cjs, under .cache/), whose directory is not the source's, and the answer must be
// the same from both.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";

export const PACKAGE_NAME = "mailfort";

/** The nearest directory at or above `start` whose package.json is mailfort's. */
export function findRepoRoot(start: string): string {
  for (let dir = start; ; dir = dirname(dir)) {
    const manifest = join(dir, "package.json");
    if (existsSync(manifest) && isMailfort(manifest)) return dir;
    if (dirname(dir) === dir) throw new Error(`no package.json named "${PACKAGE_NAME}" at or above ${start}: run mailfort from its checkout`);
  }
}

function isMailfort(manifest: string): boolean {
  try {
    return (JSON.parse(readFileSync(manifest, "utf8")) as { name?: unknown }).name === PACKAGE_NAME;
  } catch {
    return false;
  }
}

export const REPO_ROOT = findRepoRoot(__dirname);
