// docs/reports.md restates the default caps; this holds its table to reports/limits.ts.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expect, it } from "vitest";
import { DEFAULT_LIMITS } from "../../reports";

const mib = (b: number): string => `${b / 1048576} MiB`;
const ROWS: ReadonlyArray<readonly [row: string, value: string]> = [
  ["one mail", mib(DEFAULT_LIMITS.maxMessageBytes)],
  ["report attachments in one mail", String(DEFAULT_LIMITS.maxAttachments)],
  ["one attachment as it arrives", mib(DEFAULT_LIMITS.maxCompressedBytes)],
  ["one report decompressed", mib(DEFAULT_LIMITS.maxUncompressedBytes)],
  ["decompressed / compressed", `${DEFAULT_LIMITS.maxRatio}:1`],
  ["zip entries", `${DEFAULT_LIMITS.maxZipEntries} (exactly one file is read)`],
  ["XML elements or JSON nesting", `${DEFAULT_LIMITS.maxDepth} deep`],
  ["DMARC records, or TLS-RPT policies + failure details", DEFAULT_LIMITS.maxRecords.toLocaleString("en-US")],
];

it("the limits table of docs/reports.md states the defaults of reports/limits.ts", () => {
  const doc = readFileSync(join(__dirname, "..", "..", "docs", "reports.md"), "utf8");
  for (const [row, value] of ROWS) expect(doc).toContain(`| ${row} | ${value} |`);
});
