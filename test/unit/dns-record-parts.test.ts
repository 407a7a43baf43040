// Specification: every planned record names the parts it is built from (config alone, the
// addresses, the TLS key, one domain's DKIM keys, one domain's SES tokens), and built from only
// those inputs it is exactly its counterpart in the whole real set. A part that reads an input
// it does not state is refused, so the statement cannot drift from what the code reads.
import { describe, expect, it } from "vitest";
import { type DnsInputs, type PlannedRecord, type RecordSource, buildRecordSet, placeRecords, plannedRecord, plannedSources, recordPlan, someInputValues, sourceKey } from "../../infra/core/dns";
import { recordParts, valuesFor } from "../../infra/core/dns/parts";
import { pendingValues } from "../../infra/core/dns/values";
import { layoutOf } from "../../infra/core/dkim-rotation";
import { inputsFor, mailConfig, stackConfig } from "./dns-fixtures";

const SES_TOKENS = {
  "example.com": ["AbCdEfGhIjKlMnOpQrStUvWxYz012345", "bcdefghijklmnopqrstuvwxyz0123456", "cdefghijklmnopqrstuvwxyz01234567"],
  "example.net": ["defghijklmnopqrstuvwxyz012345678", "efghijklmnopqrstuvwxyz0123456789", "fghijklmnopqrstuvwxyz0123456789a"],
};
const T0 = "2026-12-01T10:00:00Z";
const rotating = mailConfig({ domains: [{ name: "example.com" }, { name: "example.net" }] });

const configs = {
  dev: stackConfig("dev"),
  prod: stackConfig("prod"),
  lab: stackConfig("lab"),
  "ipv6 + dnssec + parked": mailConfig({ domains: [{ name: "example.com" }, { name: "example.org", sendsMail: false }], features: { ipv6: true, dnssec: true } }),
  "ses, two mail domains, ipv6": mailConfig({ domains: [{ name: "example.com" }, { name: "example.net" }], outbound: { mode: "ses" }, features: { ipv6: true } }),
  "rotation: old and new key published": { ...rotating, dkimLayout: layoutOf({ v: 1, step: "published", from: 0, generation: 1, publishedAt: T0 }) },
  "rotation: old selector revoked": { ...rotating, dkimLayout: layoutOf({ v: 1, step: "revoked", from: 0, generation: 1, publishedAt: T0, signingAt: T0, revokedAt: T0 }) },
};

/** The inputs one source names, cut from the whole inputs, as the AWS layer hands them over. */
function inputOf(all: DnsInputs, s: RecordSource): Partial<DnsInputs> {
  switch (s.kind) {
    case "config": return {};
    case "addresses": return { addresses: all.addresses };
    case "tls": return all.tlsPublicKeyPem === undefined ? {} : { tlsPublicKeyPem: all.tlsPublicKeyPem };
    case "dkim": return { dkim: all.dkim.filter((k) => k.domain === s.domain) };
    case "ses": return { sesDkimTokens: { [s.domain]: all.sesDkimTokens?.[s.domain] ?? [] } };
  }
}
const only = (all: DnsInputs, p: PlannedRecord): Partial<DnsInputs> => Object.assign({}, ...plannedSources(p).map((s) => inputOf(all, s)));

describe("records built from their own parts", () => {
  it.each(Object.entries(configs))("%s: each planned record, from only its sources' inputs, is its counterpart in the whole set", (_label, cfg) => {
    const all = inputsFor(cfg, cfg.outbound.mode === "ses" ? { sesDkimTokens: SES_TOKENS } : {});
    const plan = recordPlan(cfg);
    const placed = placeRecords(plan, buildRecordSet(cfg, all), all.sesDkimTokens ?? {});
    const one = plan.map((p) => plannedRecord(cfg, p, someInputValues(cfg, only(all, p))));
    expect(one).toEqual(placed);
    // Every record has exactly one source in these stacks (no two parts share a name and type).
    expect(plan.filter((p) => plannedSources(p).length !== 1).map((p) => p.name)).toEqual([]);
  });

  it("names a record's own domain's DKIM keys or SES identity, the address, the TLS key, or nothing", () => {
    const cfg = configs["ses, two mail domains, ipv6"];
    const sources = (name: string, type: string) => recordPlan({ ...cfg, features: { ...cfg.features, dnssec: true } })
      .filter((p) => p.name === name && p.type === type).flatMap((p) => plannedSources(p).map(sourceKey));
    expect(sources("mail._domainkey.example.net", "TXT")).toEqual(["dkim:example.net"]);
    expect(sources("mail.example.com", "A")).toEqual(["addresses"]);
    expect(sources("mta-sts.example.net", "AAAA")).toEqual(["addresses"]);
    expect(sources("_25._tcp.mail.example.com", "TLSA")).toEqual(["tls"]);
    for (const [name, type] of [["example.net", "MX"], ["example.net", "TXT"], ["_dmarc.example.net", "TXT"], ["_mta-sts.example.net", "TXT"], ["_autodiscover._tcp.example.net", "SRV"]]) {
      expect(sources(name!, type!), `${type} ${name}`).toEqual(["config"]);
    }
    const ses = recordPlan(cfg).filter((p) => p.sesToken?.domain === "example.net");
    expect(ses.map((p) => plannedSources(p).map(sourceKey))).toEqual([["ses:example.net"], ["ses:example.net"], ["ses:example.net"]]);
  });

  it("refuses a part that reads an input it does not state, and a record built without its input", () => {
    const cfg = configs["ipv6 + dnssec + parked"];
    const configPart = recordParts(cfg).find((p) => p.scope === "example.com" && p.source.kind === "config")!;
    const view = valuesFor(pendingValues(cfg), configPart);
    expect(() => view.addresses).toThrow(/part of example\.com built from config read the server's addresses/);
    expect(() => view.tlsa).toThrow(/read the TLS key/);
    expect(() => view.dkim(cfg.domains[0]!)).toThrow(/read the DKIM keys of example\.com/);
    const hostA = recordPlan(cfg).find((p) => p.name === "mail.example.com" && p.type === "A")!;
    expect(() => plannedRecord(cfg, hostA, someInputValues(cfg, {}))).toThrow(/read the server's addresses, which its inputs do not hold/);
  });
});
