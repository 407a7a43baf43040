// Specification: which records a stack publishes is known from its config alone (recordPlan),
// before any address, key or SES token exists; once they exist, each planned record gets exactly
// its real counterpart (placeRecords), or the mismatch stops the deploy.
import { describe, expect, it } from "vitest";
import { buildRecordSet, placeRecords, recordPlan } from "../../infra/core/dns";
import { inputsFor, mailConfig, stackConfig } from "./dns-fixtures";

const SES_TOKENS = {
  "example.com": ["AbCdEfGhIjKlMnOpQrStUvWxYz012345", "bcdefghijklmnopqrstuvwxyz0123456", "cdefghijklmnopqrstuvwxyz01234567"],
  "example.net": ["defghijklmnopqrstuvwxyz012345678", "efghijklmnopqrstuvwxyz0123456789", "fghijklmnopqrstuvwxyz0123456789a"],
};

const configs = {
  dev: stackConfig("dev"),
  prod: stackConfig("prod"),
  lab: stackConfig("lab"),
  "ipv6 + dnssec + parked": mailConfig({ domains: [{ name: "example.com" }, { name: "example.org", sendsMail: false }], features: { ipv6: true, dnssec: true } }),
  "ses, two mail domains": mailConfig({ domains: [{ name: "example.com" }, { name: "example.net" }], outbound: { mode: "ses" } }),
};

describe("the record plan", () => {
  it.each(Object.entries(configs))("%s: names the same zone, name, type and TTL as the real set, one to one", (_label, cfg) => {
    const ses = cfg.outbound.mode === "ses" ? { sesDkimTokens: SES_TOKENS } : {};
    const real = buildRecordSet(cfg, inputsFor(cfg, ses));
    const plan = recordPlan(cfg);
    const placed = placeRecords(plan, real, ses.sesDkimTokens ?? {});
    expect(placed).toHaveLength(real.length);
    expect(new Set(placed)).toEqual(new Set(real));
    plan.forEach((p, i) => {
      const r = placed[i]!;
      expect([r.zone, r.type, r.ttl, r.purpose]).toEqual([p.zone, p.type, p.ttl, p.purpose]);
      if (p.sesToken === undefined) expect(r.name).toBe(p.name);
    });
    // The plan holds no value at all: it is config, not resources.
    expect(plan.every((p) => !("values" in p))).toBe(true);
  });

  it("plans SES DKIM CNAMEs under stand-in names and places them by domain and token number", () => {
    const cfg = configs["ses, two mail domains"];
    const ses = recordPlan(cfg).filter((p) => p.sesToken !== undefined);
    expect(ses.map((p) => [p.name, p.sesToken])).toEqual([
      ["placeholdertoken00000000._domainkey.example.com", { domain: "example.com", n: 0 }],
      ["placeholdertoken00000001._domainkey.example.com", { domain: "example.com", n: 1 }],
      ["placeholdertoken00000002._domainkey.example.com", { domain: "example.com", n: 2 }],
      ["placeholdertoken00010000._domainkey.example.net", { domain: "example.net", n: 0 }],
      ["placeholdertoken00010001._domainkey.example.net", { domain: "example.net", n: 1 }],
      ["placeholdertoken00010002._domainkey.example.net", { domain: "example.net", n: 2 }],
    ]);
    const placed = placeRecords(recordPlan(cfg), buildRecordSet(cfg, inputsFor(cfg, { sesDkimTokens: SES_TOKENS })), SES_TOKENS);
    const i = recordPlan(cfg).findIndex((p) => p.sesToken?.domain === "example.com" && p.sesToken.n === 0);
    expect(placed[i]?.name).toBe("abcdefghijklmnopqrstuvwxyz012345._domainkey.example.com");
    expect(placed[i]?.values).toEqual(["abcdefghijklmnopqrstuvwxyz012345.dkim.amazonses.com."]);
  });

  it("refuses a real set that differs from the plan, naming the record", () => {
    const cfg = configs["ipv6 + dnssec + parked"];
    const real = buildRecordSet(cfg, inputsFor(cfg));
    expect(() => placeRecords(recordPlan(cfg), real.filter((r) => r.type !== "TLSA"), {})).toThrow(/planned DNS record TLSA _25\._tcp\.mail\.example\.com .* missing/);
    const extra = [...real, { ...real[0]!, name: `extra.${real[0]!.name}` }];
    expect(() => placeRecords(recordPlan(cfg), extra, {})).toThrow(/real DNS record set has \d+ records, the plan \d+/);
    const ses = configs["ses, two mail domains"];
    expect(() => placeRecords(recordPlan(ses), buildRecordSet(ses, inputsFor(ses, { sesDkimTokens: SES_TOKENS })), { "example.com": SES_TOKENS["example.com"] })).toThrow(/fewer than 3 DKIM tokens for example\.net/);
  });

  it("is the same with IPv6 off or on only as the config says (the server's addresses do not decide it)", () => {
    const v4only = mailConfig({ features: { ipv6: false } });
    expect(recordPlan(v4only).some((p) => p.type === "AAAA")).toBe(false);
    expect(recordPlan(mailConfig({ features: { ipv6: true } })).filter((p) => p.type === "AAAA").length).toBeGreaterThan(0);
  });
});
