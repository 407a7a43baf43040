// Specification: values for @pulumi/aws route53.Record.records, whose provider quotes TXT itself.
import { describe, expect, it } from "vitest";
import { buildRecordSet, route53ProviderValues, txtStrings, txtValue } from "../../infra/core/dns";
import { inputsFor, mailConfig } from "./dns-fixtures";

/** What the provider sends to the Route53 API for a TXT value (terraform-provider-aws flattenTxtEntry). */
const providerSends = (v: string) => `"${v}"`;
/** How Route53 reads a value back into strings: adjacent quoted strings, with or without a space. */
const route53Strings = (v: string) => [...v.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((m) => m[1]);

describe("route53ProviderValues", () => {
  it("TXT: the provider's own quoting gives back exactly our presentation-format value", () => {
    for (const text of ["v=spf1 mx -all", "k".repeat(600)]) {
      const value = txtValue(text);
      const given = route53ProviderValues({ type: "TXT", values: [value] });
      expect(given.map(providerSends).map(route53Strings)).toEqual([txtStrings(value)]);
    }
  });

  it("a DKIM key: several strings, written the provider's documented way (s1\"\"s2)", () => {
    const cfg = mailConfig();
    const dkim = buildRecordSet(cfg, inputsFor(cfg)).find((r) => r.name === "mail._domainkey.example.com")!;
    const [given] = route53ProviderValues(dkim);
    expect(given).toMatch(/^v=DKIM1; k=rsa; p=[^"]+""[^"]+$/);
    expect(route53Strings(providerSends(given!))).toEqual(txtStrings(dkim.values[0]!));
  });

  it("other types pass through unchanged (CAA keeps its quotes)", () => {
    const caa = [`0 issue "letsencrypt.org"`, `0 issuewild ";"`];
    expect(route53ProviderValues({ type: "CAA", values: caa })).toEqual(caa);
    expect(route53ProviderValues({ type: "MX", values: ["10 mail.example.com."] })).toEqual(["10 mail.example.com."]);
  });

  it("refuses a TXT value that is not quoted (it would be published differently than meant)", () => {
    expect(() => route53ProviderValues({ type: "TXT", values: ["v=spf1 -all"] })).toThrow(/quoted presentation format/);
  });
});
