// docs/configuration-refusals.md restates the protection table and the parser's bounds: it must
// say exactly what the code refuses.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { STACK_FILE_LIMITS } from "../../infra/config";
import { PROTECTIONS } from "../../infra/config/protections";

const doc = readFileSync(join(__dirname, "../../docs/configuration-refusals.md"), "utf8");

describe("the configuration refusals reference", () => {
  it("has one row per protection, with its id, what it refuses, why, and whether it is relaxable", () => {
    for (const p of PROTECTIONS) expect(doc).toContain(`| \`${p.id}\` | ${p.refuses} | ${p.why} | ${p.relaxable ? "yes" : "no"} |`);
    expect(doc.match(/^\| `[a-z-]+` \|/gm)).toHaveLength(PROTECTIONS.length);
  });

  it("states the parser's bounds as the code has them", () => {
    expect(doc).toContain(`| size | ${STACK_FILE_LIMITS.bytes / 2 ** 20} MiB |`);
    expect(doc).toContain(`| ${STACK_FILE_LIMITS.separators.toLocaleString("en-US")} |`);
    expect(doc).toContain(`| nesting of collections | ${STACK_FILE_LIMITS.depth} |`);
    expect(doc).toContain(`| aliases (\`*name\`) | ${STACK_FILE_LIMITS.aliases} | and what they expand to: ${STACK_FILE_LIMITS.expandedNodes.toLocaleString("en-US")} values, ${STACK_FILE_LIMITS.expandedChars / 2 ** 20} MiB of text`);
  });
});
