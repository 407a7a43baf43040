// The documentation stays true to the code: every generated table in docs/ is what its generator
// renders from the code now (otherwise: run npm run docs), the README stays a short front door,
// and every relative link of the README and docs/ points at a file and heading that exist.
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { GENERATED_BLOCKS, checkBlocks } from "../../docs/generate";
import { blockOf, withBlock } from "../../docs/generate/blocks";

const ROOT = resolve(__dirname, "..", "..");
const PAGES = ["README.md", ...readdirSync(join(ROOT, "docs")).filter((f) => f.endsWith(".md")).map((f) => `docs/${f}`)];

describe("generated blocks in docs/", () => {
  it.each(GENERATED_BLOCKS.map((b) => [`${b.file} (${b.name})`, b] as const))("%s matches the code", (_label, block) => {
    const state = checkBlocks(ROOT).find((s) => s.block === block);
    expect(state?.fresh, `${block.file}: the generated block "${block.name}" is stale: run npm run docs`).toBe(true);
  });

  it("replaces only what lies between a block's markers, and names a missing block", () => {
    const text = "# Page\nprose\n<!-- BEGIN GENERATED t: npm run docs -->\nold\n<!-- END GENERATED t -->\nmore prose\n";
    const out = withBlock(text, "t", "page.md", "new | table");
    expect(out).toBe("# Page\nprose\n<!-- BEGIN GENERATED t: npm run docs -->\nnew | table\n<!-- END GENERATED t -->\nmore prose\n");
    expect(blockOf(out, "t", "page.md")).toBe("new | table");
    expect(() => blockOf("# nothing here", "t", "page.md")).toThrow(/page\.md: no generated block "t"/);
    expect(() => blockOf(`${text}${text}`, "t", "page.md")).toThrow(/appears twice/);
  });

  it("the tables carry every policy and every configuration key", () => {
    const policies = readFileSync(join(ROOT, "docs/policy-pack.md"), "utf8");
    for (const id of ["network-ingress", "iam-instance-scope", "dns-dnssec-dane", "host-local-services"]) expect(policies).toContain(`| \`${id}\` |`);
    const config = readFileSync(join(ROOT, "docs/configuration.md"), "utf8");
    for (const key of ["region", "domains[].dmarc.policy", "limits.messageSizeMb", "verifyAfterDeploy.mailboxes[].passwordSecret"]) expect(config).toContain(`| \`${key}\` |`);
  });
});

describe("the README", () => {
  it("is a front door of at most 250 lines", () => {
    expect(readFileSync(join(ROOT, "README.md"), "utf8").split("\n").length).toBeLessThanOrEqual(250);
  });

  it("shows in its Performance section only the figures with a target, the native throughput ratios among them", () => {
    const block = blockOf(readFileSync(join(ROOT, "README.md"), "utf8"), "performance", "README.md");
    expect(block).toMatch(/\| b\/a end to end \(native\) \| [\d.]+ \| >= 0\.400: /);
    expect(block).toMatch(/\| c\/a' end to end \(native\) \| [\d.]+ \| >= 0\.300: /);
    const rows = block.split("\n").filter((l) => l.startsWith("| ") && !l.startsWith("| figure") && !l.startsWith("| ---"));
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) expect(row).toMatch(/\| (>=|<=) [^|]+: (met|\*\*not met\*\*) \|/);
    expect(block).not.toContain("(VM) |");
  });
});

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens. */
function anchors(markdown: string): Set<string> {
  const out = new Set<string>();
  for (const m of markdown.replace(/```[\s\S]*?```/g, "").matchAll(/^#{1,6} (.+)$/gm)) {
    out.add((m[1] ?? "").trim().toLowerCase().replace(/[^\p{L}\p{M}\p{N}_\- ]/gu, "").replace(/ /g, "-"));
  }
  return out;
}

describe("links", () => {
  it.each(PAGES)("%s: every relative link resolves", (page) => {
    const text = readFileSync(join(ROOT, page), "utf8").replace(/```[\s\S]*?```/g, "");
    const broken: string[] = [];
    for (const m of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      const target = m[1] ?? "";
      if (/^[a-z]+:/.test(target)) continue;
      const [file = "", anchor] = target.split("#");
      const path = file === "" ? join(ROOT, page) : resolve(ROOT, dirname(page), file);
      if (!existsSync(path)) broken.push(`${target} (no such file)`);
      else if (anchor !== undefined && path.endsWith(".md") && !anchors(readFileSync(path, "utf8")).has(anchor)) broken.push(`${target} (no such heading)`);
    }
    expect(broken).toEqual([]);
  });
});
