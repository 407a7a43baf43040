// A stack file must not be able to switch a protection off silently: each hostile value is
// refused with the reason; the relaxable ones pass only with a written policy.relax reason.
import { describe, expect, it } from "vitest";
import { PROTECTIONS } from "../../infra/config/protections";
import { type Cfg, edited, expectAccepted, expectRefused, setIn, title } from "../support/hostile-stack";
import { PROTECTION_CASES } from "./hostile/protections.cases";

describe("protection-disabling settings", () => {
  it.each(PROTECTION_CASES.map((c) => [title(c), c] as const))("refuses %s", async (_t, c) => {
    await expectRefused(c);
  });

  it("has a hostile row for every protection", () => {
    const text = PROTECTION_CASES.map((c) => `${c.problem.source} ${c.fix.source}`).join("\n");
    const untested = PROTECTIONS.filter((p) => p.relaxable && !text.includes(p.id)).map((p) => p.id);
    expect(untested.filter((id) => !["config-unknown-instance-type", "config-small-instance"].includes(id))).toEqual([]);
  });
});

describe("what stays allowed", () => {
  const accept = (edit: (c: Cfg) => void) => expectAccepted(edited(edit)).config;

  it("a relaxable protection passes with a written reason", () => {
    const cfg = accept((c) => {
      setIn(c, "bruteForce", "ignoreIps", ["8.0.0.0/8"]);
      setIn(c, "policy", "relax", [{ id: "config-wide-exemption", reason: "the partner's whole network is trusted by contract" }]);
    });
    expect(cfg.bruteForce.ignoreIps).toEqual(["8.0.0.0/8"]);
    expect(cfg.policy.relax.map((r) => r.id)).toEqual(["config-wide-exemption"]);
  });

  it("private ranges of any size, an office /24 and an IPv6 /48 need no reason", () => {
    const cfg = accept((c) => setIn(c, "bruteForce", "ignoreIps", ["10.0.0.0/8", "203.0.113.0/24", "2001:db8:1::/48"]));
    expect(cfg.bruteForce.ignoreIps).toHaveLength(3);
  });

  it("uppercase and long-hand IPv6 are normalised, not refused", () => {
    const cfg = accept((c) => setIn(c, "antispam", "blockIps", ["2001:DB8:0:0:0:0:0:1", "2001:0db8:00AB::/48"]));
    expect(cfg.antispam.blockIps).toEqual(["2001:db8::1", "2001:db8:ab::/48"]);
  });

  it("one DNSBL zone twice with disjoint reply filters", () => {
    const cfg = accept((c) => setIn(c, "antispam", "dnsbls", [{ zone: "zen.spamhaus.org", weight: 3, filter: "127.0.0.[2..3]" }, { zone: "zen.spamhaus.org", weight: 1, filter: "127.0.0.[10..11]" }]));
    expect(cfg.antispam.dnsbls).toHaveLength(2);
  });

  it("self-signed TLS outside prod", () => {
    expect(accept((c) => { c["mailfort:environment"] = "staging"; setIn(c, "tls", "mode", "self-signed"); }).tls.mode).toBe("self-signed");
  });

  it("a threshold equal to the sum of the weights", () => {
    expect(accept((c) => setIn(c, "antispam", "dnsblThreshold", 7)).antispam.dnsblThreshold).toBe(7);
  });
});

describe("the protection table", () => {
  it("gives every protection an id, what it refuses and why; relaxable ids start with config-", () => {
    for (const p of PROTECTIONS) {
      expect(p.refuses.length).toBeGreaterThan(10);
      expect(p.why.length).toBeGreaterThan(10);
      expect(p.id.startsWith("config-")).toBe(p.relaxable);
    }
    expect(new Set(PROTECTIONS.map((p) => p.id)).size).toBe(PROTECTIONS.length);
  });
});
