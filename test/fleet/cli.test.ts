// The CLI wiring (tools/fleet.ts) in a throwaway project: commands, exit codes, errors on stderr.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { tempProject } from "./helpers";

const TSX = resolve("node_modules/.bin/tsx");
const CLI = resolve("tools/fleet.ts");
const fleet = (cwd: string, ...args: string[]) => spawnSync(TSX, [CLI, ...args], { cwd, encoding: "utf8", timeout: 120_000 });

describe("fleet CLI", () => {
  it("add -> validate -> secrets in a fresh project, and a bad inventory exits 1 naming customer and field", () => {
    const ws = tempProject("defaults:\n  region: eu-west-1\n  config:\n    tls: { mode: acme, acmeEmail: ops@msp.example.net }\ncustomers: []\n");
    const add = fleet(ws.projectDir, "add", "shop", "--domain", "shop.example", "--env", "staging", "--env", "prod", "--mailbox", "ann@shop.example");
    expect(add.status, add.stderr + add.stdout).toBe(0);
    expect(add.stdout).toContain("pulumi config set --secret --stack shop-prod mailfort:pw-ann-at-shop-example '<hash>'");
    expect(existsSync(join(ws.projectDir, "stacks/Pulumi.shop-staging.yaml"))).toBe(true);

    const validate = fleet(ws.projectDir, "validate");
    expect(validate.status).toBe(0);
    expect(validate.stdout).toContain("shop-prod");
    expect(validate.stdout).toContain("fleet valid: 2 stack(s)");
    expect(fleet(ws.projectDir, "validate", "--strict").status).toBe(1);

    const bad = tempProject("defaults:\n  region: eu-west-1\ncustomers:\n  - name: Bad Name\n    environments: [prod]\n    domains: [{ name: x.example }]\n");
    const r = fleet(bad.projectDir, "validate");
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('customer Bad Name: customers[0].name: "Bad Name" is not a lowercase slug');
    expect(readFileSync(ws.inventoryPath, "utf8")).toContain("name: shop");
  });

  it("refuses a malformed --shard or --environments with the fix, and a merge of nothing fails", () => {
    const ws = tempProject("defaults:\n  region: eu-west-1\ncustomers: []\n");
    const shard = fleet(ws.projectDir, "preview", "--shard", "3/2");
    expect(shard.status).not.toBe(0);
    expect(shard.stderr).toContain("option '--shard <k/n>' argument '3/2' is invalid. e.g. --shard 2/4 runs the second of four shards");
    const env = fleet(ws.projectDir, "plan", "--environments", "qa");
    expect(env.status).toBe(1);
    expect(env.stderr).toContain('--environments: "qa" is not an environment');
    const merge = fleet(ws.projectDir, "merge", "no-such-artifacts", "--out", "merged");
    expect(merge.status).toBe(1);
    expect(merge.stdout).toContain("problem: no shard reported");
  });
});
