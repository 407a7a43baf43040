// The hostile-config tables, counted together: every class of the stack-config refusals has
// cases of its own, and each case is a distinct input.
import { describe, expect, it } from "vitest";
import { CROSS_CHECK_CASES } from "./hostile/cross-checks.cases";
import { PROTECTION_CASES } from "./hostile/protections.cases";
import { SECRET_REF_CASES } from "./hostile/secret-refs.cases";
import { TYPE_CASES } from "./hostile/types.cases";
import { UNKNOWN_KEY_CASES } from "./hostile/unknown-keys.cases";
import { YAML_CASES } from "./hostile/yaml.cases";

const TABLES = { SECRET_REF_CASES, PROTECTION_CASES, TYPE_CASES, YAML_CASES, UNKNOWN_KEY_CASES, CROSS_CHECK_CASES };

describe("hostile config tables", () => {
  it("hold at least 120 distinct hostile files", () => {
    const all = Object.values(TABLES).flat();
    console.log(`hostile config cases: ${all.length} (${Object.entries(TABLES).map(([k, v]) => `${k} ${v.length}`).join(", ")})`);
    expect(all.length).toBeGreaterThanOrEqual(120);
    expect(new Set(all.map((c) => c.name)).size).toBe(all.length);
    expect(new Set(all.map((c) => c.file)).size).toBe(all.length);
    for (const table of Object.values(TABLES)) expect(table.length).toBeGreaterThanOrEqual(10);
  });
});
