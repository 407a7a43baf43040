// Cross-checks: what passes each field alone and fails at deploy or run time is refused here;
// valid input that used to be refused (punycode TLDs, uppercase IPv6, a1 as Graviton) passes.
import { describe, expect, it } from "vitest";
import { type Cfg, edited, expectAccepted, expectRefused, setIn, title } from "../support/hostile-stack";
import { CROSS_CHECK_CASES } from "./hostile/cross-checks.cases";

describe("cross-checks", () => {
  it.each(CROSS_CHECK_CASES.map((c) => [title(c), c] as const))("refuses %s", async (_t, c) => {
    await expectRefused(c);
  });
});

describe("valid input is accepted", () => {
  const accept = (edit: (c: Cfg) => void) => expectAccepted(edited(edit)).config;

  it("a punycode TLD (xn--p1ai) in domains, hostname and addresses", () => {
    const cfg = accept((c) => {
      c["mailfort:hostname"] = "mail.example.xn--p1ai";
      c["mailfort:domains"] = [{ name: "example.xn--p1ai" }, { name: "example.org", sendsMail: false }];
      c["mailfort:mailboxes"] = [{ address: "alice@example.xn--p1ai", passwordHashSecret: "alice-password" }, { address: "bob@example.xn--p1ai", passwordHashSecret: "bob-password" }];
      c["mailfort:alarmEmail"] = "ops@xn--80ak6aa92e.xn--p1ai";
    });
    expect(cfg.domains[0]?.name).toBe("example.xn--p1ai");
  });

  it("a1 and the other Graviton families without a g as arm64, with their real memory", () => {
    expect(accept((c) => { c["mailfort:instance"] = { type: "a1.large", arch: "arm64" }; }).instance.type).toBe("a1.large");
    expect(accept((c) => { c["mailfort:instance"] = { type: "c6g.large" }; setIn(c, "features", "clamav", true); }).features.clamav).toBe(true);
    expect(accept((c) => { c["mailfort:instance"] = { type: "m7i-flex.large", arch: "amd64" }; }).instance.arch).toBe("amd64");
  });

  it("a small instance and an unknown type with a written reason", () => {
    const cfg = accept((c) => {
      c["mailfort:instance"] = { type: "x9g.large", arch: "arm64" };
      setIn(c, "policy", "relax", [{ id: "config-unknown-instance-type", reason: "x9g is new and has 16 GiB per the AWS page" }]);
    });
    expect(cfg.instance.type).toBe("x9g.large");
  });

  it("a nested domain in the parent's zone and a long domain within the DNS budget", () => {
    const d = `${"d".repeat(63)}.${"e".repeat(63)}.${"f".repeat(63)}.${"g".repeat(38)}.com`;
    const cfg = accept((c) => { c["mailfort:domains"] = [{ name: "example.com" }, { name: d }]; });
    expect(cfg.domains[1]?.name.length).toBe(234);
  });
});
