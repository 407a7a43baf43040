// mailfort:dkim.rotation: its defaults, the layout a parsed stack starts from, and every bad value
// refused at once with field path, problem and fix (a grace shorter than Postfix's queue lifetime
// among them: mail queued across the switch would fail).
import { describe, expect, it } from "vitest";
import { QUEUE_LIFETIME_HOURS } from "../../infra/config";
import { issuesOf } from "../support/config-issues";
import { base, parse } from "../support/post-deploy";

describe("mailfort:dkim.rotation", () => {
  it("defaults to generation 0 (the configured selector), a 60-minute margin and a week of grace", () => {
    const cfg = parse(base());
    expect(cfg.dkim.rotation).toEqual({ generation: 0, marginMinutes: 60, graceHours: 168 });
    expect(cfg.dkimLayout).toEqual({ signing: 0, published: [0], revoked: [] });
  });

  it("a parsed stack is at rest at its configured generation (the program puts in the rotation step's layout)", () => {
    expect(parse(base({ dkim: { rotation: { generation: 3 } } })).dkimLayout).toEqual({ signing: 3, published: [3], revoked: [] });
  });

  it("refuses every bad value at once, each with its field path, the problem and the fix", () => {
    const issues = issuesOf(() => parse(base({ dkim: { rotation: { generation: -1, marginMinutes: 1, graceHours: 24, period: "1y" } } })));
    expect(issues.map((i) => i.path).sort()).toEqual([
      "mailfort:dkim.rotation.generation", "mailfort:dkim.rotation.graceHours", "mailfort:dkim.rotation.marginMinutes", "mailfort:dkim.rotation.period",
    ]);
    const at = (p: string) => issues.find((i) => i.path === `mailfort:dkim.rotation.${p}`);
    expect(at("graceHours")?.problem).toContain(`at least ${QUEUE_LIFETIME_HOURS} hours`);
    expect(at("graceHours")?.fix).toContain(`between ${QUEUE_LIFETIME_HOURS} and 2160`);
    expect(at("marginMinutes")?.fix).toContain("between 5 and 10080");
    expect(at("generation")?.fix).toContain("between 0 and 9999");
  });

  it("counts the rotation's longer selector (<selector>-gN) against DNS's 253 characters", () => {
    // 233 characters: _autodiscover._tcp.<domain> (252) fits; mail-g9999._domainkey.<domain> (255) does not.
    const long = `${"a".repeat(63)}.${"b".repeat(63)}.${"c".repeat(63)}.${"d".repeat(33)}.example`;
    expect(long).toHaveLength(233);
    const domains = [{ name: "shop.example" }, { name: long }];
    expect(parse(base({ domains })).domains).toHaveLength(2);
    const issues = issuesOf(() => parse(base({ domains, dkim: { rotation: { generation: 9999 } } })));
    expect(issues.map((i) => [i.path, i.problem])).toEqual([["mailfort:domains[1].name", expect.stringContaining("mail-g9999._domainkey.<domain> (255 characters)")]]);
  });
});
