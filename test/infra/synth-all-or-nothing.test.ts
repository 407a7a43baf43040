// Synth artifacts are written all or nothing, and hostile stack files leave nothing behind, as
// `npm run synth` runs (the CLI in a child process).
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { writeAllOrNothing } from "../../infra/synth";
import { REPO_ROOT } from "../../infra/synth/in-process";
import { edited, goodConfig, stackText } from "../support/hostile-stack";

const work = mkdtempSync(join(tmpdir(), "mailfort-atomic-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));
let n = 0;
const fresh = () => join(work, `case-${n++}`);

describe("writeAllOrNothing", () => {
  it("writes every file into a new directory and leaves no staging directory", () => {
    const parent = fresh();
    mkdirSync(parent);
    writeAllOrNothing(join(parent, "out"), [["synth.json", "{}"], ["zones/a.test.zone", "a"]]);
    expect(readdirSync(parent)).toEqual(["out"]);
    expect(readFileSync(join(parent, "out", "zones", "a.test.zone"), "utf8")).toBe("a");
  });

  it("on a file the filesystem refuses, writes nothing at all", () => {
    const parent = fresh();
    mkdirSync(parent);
    expect(() => writeAllOrNothing(join(parent, "out"), [["synth.json", "{}"], [`zones/${"x".repeat(300)}.zone`, "z"]])).toThrow(/ENAMETOOLONG/);
    expect(readdirSync(parent)).toEqual([]);
  });

  it("replaces a previous synth whole (a removed zone disappears), or keeps it whole on failure", () => {
    const parent = fresh();
    const out = join(parent, "out");
    writeAllOrNothing(out, [["synth.json", "1"], ["zones/old.test.zone", "old"]]);
    expect(() => writeAllOrNothing(out, [["synth.json", "2"], [`zones/${"y".repeat(300)}.zone`, "z"]])).toThrow();
    expect(readFileSync(join(out, "synth.json"), "utf8")).toBe("1");
    expect(readdirSync(join(out, "zones"))).toEqual(["old.test.zone"]);
    writeAllOrNothing(out, [["synth.json", "3"], ["zones/new.test.zone", "new"]]);
    expect(readFileSync(join(out, "synth.json"), "utf8")).toBe("3");
    expect(readdirSync(join(out, "zones"))).toEqual(["new.test.zone"]);
    expect(readdirSync(parent)).toEqual(["out"]);
  });

  it("never replaces a directory that holds other files", () => {
    const out = fresh();
    mkdirSync(out);
    writeFileSync(join(out, "notes.txt"), "mine");
    expect(() => writeAllOrNothing(out, [["synth.json", "{}"]])).toThrow(/holds files a synth did not write \(notes\.txt\); nothing was written/);
    expect(readdirSync(out)).toEqual(["notes.txt"]);
  });
});

function synthCli(args: string[]) {
  const clean = { ...process.env };
  delete clean.PULUMI_CONFIG_PASSPHRASE;
  return spawnSync(join(REPO_ROOT, "node_modules", ".bin", "tsx"), [join(REPO_ROOT, "tools", "synth.ts"), ...args], { cwd: REPO_ROOT, encoding: "utf8", timeout: 240_000, env: clean });
}

describe("npm run synth with hostile files", () => {
  it.each([
    ["an empty file", "", /is empty \(no YAML document\)/],
    ["an alias bomb", `b0: &b0 [x,x,x,x,x,x,x,x]\n${Array.from({ length: 25 }, (_, i) => `b${i + 1}: &b${i + 1} [*b${i}, *b${i}]`).join("\n")}\n${stackText(goodConfig())}`, /expands to more than 250000 values/],
    ["a prototype key", stackText(goodConfig()).replace("config:\n", "config:\n  mailfort:__proto__: {limits: {messageSizeMb: 99}}\n"), /mailfort:__proto__: is a JavaScript prototype name/],
    ["a 250-character parked domain", edited((c) => { (c["mailfort:domains"] as Array<Record<string, unknown>>)[1] = { name: `${"p".repeat(60)}.${"q".repeat(60)}.${"r".repeat(60)}.${"s".repeat(63)}.org`, sendsMail: false }; }), /over DNS's 253/],
  ])("%s: exits 2 with the error, writes nothing", (_name, text, message) => {
    const dir = fresh();
    mkdirSync(dir);
    writeFileSync(join(dir, "Pulumi.hostile.yaml"), text);
    const r = synthCli(["--stack", "hostile", "--config-file", join(dir, "Pulumi.hostile.yaml"), "--out", join(dir, "out")]);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).toMatch(/nothing was created/);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(r.status).toBe(2);
    expect(readdirSync(dir)).toEqual(["Pulumi.hostile.yaml"]);
  }, 240_000);

  it("a domain at the longest the DNS budget allows synthesizes, zone file and all", () => {
    const dir = fresh();
    mkdirSync(dir);
    const long = `${"d".repeat(63)}.${"e".repeat(63)}.${"f".repeat(63)}.${"g".repeat(38)}.com`;
    writeFileSync(join(dir, "Pulumi.long.yaml"), edited((c) => { c["mailfort:domains"] = [{ name: "example.com" }, { name: long }]; }));
    const r = synthCli(["--stack", "long", "--config-file", join(dir, "Pulumi.long.yaml"), "--out", join(dir, "out")]);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(existsSync(join(dir, "out", "zones", `${long}.zone`))).toBe(true);
    expect(readdirSync(dir).sort()).toEqual(["Pulumi.long.yaml", "out"]);
  }, 240_000);

  it("refuses an output directory with other files before synthesizing, and leaves it as it was", () => {
    const out = fresh();
    mkdirSync(out);
    writeFileSync(join(out, "keep.txt"), "mine");
    const r = synthCli(["--stack", "lab", "--out", out]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/holds files a synth did not write \(keep\.txt\); nothing was written/);
    expect(readdirSync(out)).toEqual(["keep.txt"]);
  }, 240_000);
});
