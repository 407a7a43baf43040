// Hostile files and typos: bounded parsing, empty files, control characters, capped echoes;
// unknown keys anywhere (with "did you mean"), prototype keys refused.
import { describe, expect, it } from "vitest";
import { expectAccepted, expectRefused, goodConfig, stackText, title } from "../support/hostile-stack";
import { UNKNOWN_KEY_CASES } from "./hostile/unknown-keys.cases";
import { YAML_CASES } from "./hostile/yaml.cases";

describe("hostile YAML", () => {
  it.each(YAML_CASES.map((c) => [title(c), c] as const))("refuses %s", async (_t, c) => {
    await expectRefused(c);
  });

  it("accepts anchors and a few aliases in a normal file", () => {
    const inside = stackText(goodConfig()).replace("config:\n", "config:\n  mailfort:bruteForce: {ignoreIps: &office [203.0.113.0/24]}\n  mailfort:antispam: {allowIps: *office}\n");
    const cfg = expectAccepted(inside).config;
    expect(cfg.antispam.allowIps).toEqual(cfg.bruteForce.ignoreIps);
  });
});

describe("unknown keys anywhere", () => {
  it.each(UNKNOWN_KEY_CASES.map((c) => [title(c), c] as const))("refuses %s", async (_t, c) => {
    await expectRefused(c);
  });

  it("accepts the namespaces Pulumi and the providers read", () => {
    const text = stackText({ ...goodConfig(), "pulumi:tags": { team: "mail" }, "aws:profile": "ops", "aws:defaultTags": { tags: { owner: "mail" } } });
    expect(expectAccepted(text).config.region).toBe("eu-west-1");
  });
});
