// Specification: what buildRecordSet refuses (internal invariants fail loudly, never default),
// and the TXT string splitting every long text goes through.
import { generateKeyPairSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import { buildRecordSet, txtStrings, txtText, txtValue } from "../../infra/core/dns";
import { inputsFor, mailConfig } from "./dns-fixtures";

describe("inputs buildRecordSet refuses", () => {
  const cfg = mailConfig({ domains: [{ name: "example.com" }, { name: "example.net" }] });

  it("a mail domain without a DKIM key for its configured selector", () => {
    const input = inputsFor(cfg);
    expect(() => buildRecordSet(cfg, { ...input, dkim: input.dkim.filter((k) => k.domain !== "example.net") }))
      .toThrow(/no DKIM public key for example\.net selector mail/);
  });

  it("a DKIM key for a domain that is not a configured mail domain (parked or unknown)", () => {
    const withParked = mailConfig({ domains: [{ name: "example.com" }, { name: "example.org", sendsMail: false }] });
    const input = inputsFor(withParked);
    const stray = (domain: string) => ({ ...input, dkim: [...input.dkim, { domain, selector: "mail", publicKeyPem: input.dkim[0]!.publicKeyPem }] });
    expect(() => buildRecordSet(withParked, stray("example.org"))).toThrow(/key for example\.org .* not a configured domain that sends mail/);
    expect(() => buildRecordSet(withParked, stray("elsewhere.example"))).toThrow(/key for elsewhere\.example/);
  });

  it("a DKIM private key (it must never reach DNS code)", () => {
    const priv = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs8", format: "pem" }).toString();
    const input = inputsFor(cfg);
    expect(() => buildRecordSet(cfg, { ...input, dkim: [{ ...input.dkim[0]!, publicKeyPem: priv }, input.dkim[1]!] })).toThrow(/PRIVATE key/);
  });

  it("a non-RSA or short DKIM key", () => {
    const ed = generateKeyPairSync("ed25519").publicKey.export({ type: "spki", format: "pem" }).toString();
    const short = generateKeyPairSync("rsa", { modulusLength: 1024 }).publicKey.export({ type: "spki", format: "pem" }).toString();
    const input = inputsFor(cfg);
    expect(() => buildRecordSet(cfg, { ...input, dkim: [{ ...input.dkim[0]!, publicKeyPem: ed }, input.dkim[1]!] })).toThrow(/must be RSA/);
    expect(() => buildRecordSet(cfg, { ...input, dkim: [{ ...input.dkim[0]!, publicKeyPem: short }, input.dkim[1]!] })).toThrow(/1024 bits/);
  });

  it("garbage where a PEM should be", () => {
    const input = inputsFor(cfg);
    expect(() => buildRecordSet(cfg, { ...input, dkim: [{ ...input.dkim[0]!, publicKeyPem: "not a key" }, input.dkim[1]!] })).toThrow(/not a PEM public key/);
  });

  it("a server address that is not an address (it would land in a zone file)", () => {
    expect(() => buildRecordSet(cfg, inputsFor(cfg, { addresses: { ipv4: "203.0.113.7\n@ IN NS evil." } }))).toThrow(/not a dotted-quad/);
    const v6 = mailConfig({ features: { ipv6: true } });
    expect(() => buildRecordSet(v6, inputsFor(v6, { addresses: { ipv4: "203.0.113.7", ipv6: "2001:db8::/64" } }))).toThrow(/not an IPv6 address/);
  });
});

describe("TXT strings", () => {
  it("a short text is one quoted string", () => {
    expect(txtValue("v=spf1 -all")).toBe(`"v=spf1 -all"`);
  });

  it("splits at 255 characters exactly; concatenation gives the text back", () => {
    const text = "x".repeat(255) + "y".repeat(255) + "z";
    const value = txtValue(text);
    expect(txtStrings(value).map((s) => s.length)).toEqual([255, 255, 1]);
    expect(txtText(value)).toBe(text);
    expect(txtStrings(txtValue("a".repeat(255)))).toHaveLength(1);
  });

  it("escapes quotes and backslashes (one octet each, so they count once)", () => {
    const value = txtValue(`say "hi" \\ bye`);
    expect(value).toBe(`"say \\"hi\\" \\\\ bye"`);
    expect(txtText(value)).toBe(`say "hi" \\ bye`);
  });

  it("refuses control characters and non-ASCII", () => {
    expect(() => txtValue("a\nb")).toThrow(/printable ASCII/);
    expect(() => txtValue("é")).toThrow(/printable ASCII/);
  });
});

describe("server addresses", () => {
  it("IPv6 is written in RFC 5952 form (lowercase, zeros compressed) whatever form it came in", () => {
    const cfg = mailConfig({ features: { ipv6: true } });
    const records = buildRecordSet(cfg, inputsFor(cfg, { addresses: { ipv4: "203.0.113.7", ipv6: "2001:0DB8:0000:0000:0000:0000:0000:0007" } }));
    expect(records.filter((r) => r.type === "AAAA").map((r) => r.values)).toEqual([["2001:db8::7"], ["2001:db8::7"], ["2001:db8::7"], ["2001:db8::7"]]);
  });
});
