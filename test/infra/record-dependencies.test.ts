// Each Route53 record depends, in the resource graph Pulumi sees, only on what its values are
// built from: a DKIM record on its own domain's key, an SES DKIM CNAME on its own domain's SES
// identity, the address records on the Elastic IP (and the instance, for its IPv6 address), the
// TLSA record on the TLS key, and MX, SPF, DMARC and the rest on their hosted zone alone. (With
// one combined input, every record of an n-domain stack depended on all n keys: n^2 links.) And
// the records built one by one are exactly the record set the synth reports as a whole.
import { beforeAll, describe, expect, it } from "vitest";
import { route53ProviderValues } from "../../infra/core/dns";
import { type SynthResource, type SynthResult, runSynth } from "../../infra/synth";
import { ofType } from "./helpers";

const STACK = `
config:
  mailfort:region: eu-west-1
  mailfort:environment: staging
  mailfort:hostname: mail.alpha.example
  mailfort:domains:
    - name: alpha.example
    - name: beta.example
    - name: parked.example
      sendsMail: false
  mailfort:mailboxes:
    - address: owner@alpha.example
      passwordHashSecret: owner-password
  mailfort:owner-password:
    secure: v1:bm90LWRlY3J5cHRlZA==:bm90LWRlY3J5cHRlZA==
  mailfort:outbound:
    mode: ses
  mailfort:features:
    ipv6: true
    dnssec: true
  mailfort:tls:
    mode: acme
    acmeEmail: ops@elsewhere.example.net
`;

let r: SynthResult;
beforeAll(async () => {
  r = await runSynth("deps", { configText: STACK });
}, 180_000);

const records = () => ofType(r, "aws:route53/record:Record");
const record = (name: string, type: string): SynthResource => {
  const found = records().filter((x) => x.inputs.name === name && x.inputs.type === type);
  if (found.length !== 1) throw new Error(`expected one Route53 ${type} ${name}, found ${found.length}`);
  return found[0] as SynthResource;
};
/** The record's dependencies other than its hosted zone (which every record has), by type::name. */
const inputsOf = (x: SynthResource): string[] => (x.options?.dependencies ?? [])
  .map((urn) => r.resources.find((y) => y.urn === urn))
  .filter((y): y is SynthResource => y !== undefined && y.type !== "aws:route53/zone:Zone")
  .map((y) => `${y.type}::${y.name}`).sort();
const DKIM_KEY = "tls:index/privateKey:PrivateKey::mailfort-deps-dkim-mail-";
const SES_IDENTITY = "aws:sesv2/emailIdentity:EmailIdentity::mailfort-deps-ses-";

describe("the dependencies of each Route53 record", () => {
  it("a DKIM record depends on its own domain's key, not on another domain's", () => {
    expect(inputsOf(record("mail._domainkey.alpha.example", "TXT"))).toEqual([`${DKIM_KEY}alpha-example`]);
    expect(inputsOf(record("mail._domainkey.beta.example", "TXT"))).toEqual([`${DKIM_KEY}beta-example`]);
    // The DKIM keys exist as resources (the names above are theirs), so "not depending" is real.
    expect(ofType(r, "tls:index/privateKey:PrivateKey").map((k) => `tls:index/privateKey:PrivateKey::${k.name}`)).toEqual(expect.arrayContaining([`${DKIM_KEY}alpha-example`, `${DKIM_KEY}beta-example`]));
  });

  it("MX, SPF, DMARC, TLS-RPT, CAA, SRV and a parked domain's records depend on no key or address at all", () => {
    for (const d of ["alpha.example", "beta.example", "parked.example"]) {
      const caa = d === "parked.example" ? [] : [[d, "CAA"] as const];
      for (const [name, type] of [[d, "MX"], [d, "TXT"], [`_dmarc.${d}`, "TXT"], ...caa] as const) {
        const x = record(name, type);
        expect(inputsOf(x), `${type} ${name}`).toEqual([]);
        expect(x.options?.dependencies?.length, `${type} ${name}: its zone`).toBe(1);
      }
    }
    expect(inputsOf(record("_smtp._tls.alpha.example", "TXT"))).toEqual([]);
    expect(inputsOf(record("_mta-sts.alpha.example", "TXT"))).toEqual([]);
    expect(inputsOf(record("_submissions._tcp.alpha.example", "SRV"))).toEqual([]);
    expect(inputsOf(record("*._domainkey.parked.example", "TXT"))).toEqual([]);
  });

  it("address records depend on the address (and the instance for IPv6), TLSA on the TLS key, an SES CNAME on its own identity", () => {
    const address = ["aws:ec2/eip:Eip::mailfort-deps-ip", "aws:ec2/instance:Instance::mailfort-deps-host"];
    for (const name of ["mail.alpha.example", "mta-sts.beta.example", "autoconfig.alpha.example"]) {
      expect(inputsOf(record(name, "A")), name).toEqual(address);
      expect(inputsOf(record(name, "AAAA")), name).toEqual(address);
    }
    expect(inputsOf(record("_25._tcp.mail.alpha.example", "TLSA"))).toEqual(["tls:index/privateKey:PrivateKey::mailfort-deps-tls-server"]);
    for (const d of ["alpha.example", "beta.example"]) {
      const cnames = records().filter((x) => x.inputs.type === "CNAME" && String(x.inputs.name).endsWith(`._domainkey.${d}`));
      expect(cnames).toHaveLength(3);
      for (const c of cnames) expect(inputsOf(c)).toEqual([`${SES_IDENTITY}${d.replace(".", "-")}`]);
    }
  });

  it("the records built one by one are the synth's whole record set, value for value", () => {
    const fromResources = records().map((x) => ({ name: x.inputs.name, type: x.inputs.type, ttl: x.inputs.ttl, records: [...(x.inputs.records as string[])].sort() }));
    const whole = r.records.filter((x) => x.type !== "PTR").map((x) => ({ name: x.name, type: x.type, ttl: x.ttl, records: route53ProviderValues(x).sort() }));
    const key = (x: { name: unknown; type: unknown }) => `${String(x.name)} ${String(x.type)}`;
    expect([...fromResources].sort((a, b) => key(a).localeCompare(key(b)))).toEqual([...whole].sort((a, b) => key(a).localeCompare(key(b))));
    expect(fromResources.length).toBeGreaterThan(40);
  });
});
