// Specification, from the receiver's side: an independent mail-authentication library
// (mailauth, the verifier verify/ uses) reads our records through a resolver that serves exactly
// the record set, and judges real messages: the host's signed mail passes SPF, DKIM and DMARC;
// forgeries fail and meet the published policy; the MTA-STS TXT and policy agree.
import { dkimSign, authenticate } from "mailauth";
import { parsePolicy, resolvePolicy, validateMx } from "mailauth/lib/mta-sts";
import { describe, expect, it } from "vitest";
import { type DnsRecord, buildRecordSet, mtaStsId, mtaStsPolicy, txtStrings } from "../../infra/core/dns";
import { IPV4, inputsFor, mailConfig, rsaKeyPair } from "./dns-fixtures";

const FOREIGN_IP = "198.51.100.9";

/** A resolver with dns.promises.resolve's shape that answers only from `records`. */
function resolverFor(records: readonly DnsRecord[]) {
  const at = (name: string) => records.filter((r) => r.name === name);
  const fail = (code: string, name: string, type: string) => Object.assign(new Error(`${type} ${code} ${name}`), { code });
  const resolve = async (domain: string, type: string): Promise<unknown[]> => {
    let name = domain.toLowerCase().replace(/\.$/, "");
    let here = at(name);
    if (here.length === 0) {
      const wildcard = `*.${name.split(".").slice(1).join(".")}`;
      here = at(wildcard); // RFC 4592, good enough: exact names always win
    }
    if (here.length === 0) throw fail("ENOTFOUND", name, type);
    const cname = here.find((r) => r.type === "CNAME");
    if (cname !== undefined && type !== "CNAME") {
      name = cname.values[0]!.replace(/\.$/, "");
      return resolve(name, type);
    }
    const set = here.find((r) => r.type === type);
    if (set === undefined) throw fail("ENODATA", name, type);
    switch (type) {
      case "TXT": return set.values.map(txtStrings);
      case "MX": return set.values.map((v) => { const [pref, host] = v.split(" "); return { priority: Number(pref), exchange: host!.replace(/\.$/, "") }; });
      default: return [...set.values];
    }
  };
  return resolve as unknown as (domain: string, rrtype: string) => Promise<string[][]>;
}

const message = (from: string) => [
  `From: Alice <${from}>`, "To: bob@example.net", "Subject: quarterly report", "Date: Fri, 27 Nov 2026 10:00:00 +0000",
  `Message-ID: <1@${from.split("@")[1]}>`, "MIME-Version: 1.0", "Content-Type: text/plain; charset=utf-8", "", "Hello Bob.", "",
].join("\r\n");

async function signed(from: string, domain: string, selector: string, privateKey: string): Promise<string> {
  const msg = message(from);
  const { signatures } = await dkimSign(msg, { signingDomain: domain, selector, privateKey, signatureData: [{ signingDomain: domain, selector, privateKey }] });
  return signatures + msg;
}

describe("as a receiver sees it (mailauth against the record set)", () => {
  const cfg = mailConfig({ domains: [{ name: "example.com" }, { name: "example.org", sendsMail: false }] });
  const records = buildRecordSet(cfg, inputsFor(cfg, { dkim: [{ domain: "example.com", selector: "mail", publicKeyPem: rsaKeyPair("dkim:example.com").publicKeyPem }] }));
  const resolver = resolverFor(records);
  const check = (msg: string, ip: string, sender: string) =>
    authenticate(msg, { ip, helo: cfg.hostname, sender, mta: "mx.receiver.example", resolver, disableArc: true, disableBimi: true });

  it("mail the host signed and sent: SPF pass, DKIM pass, DMARC pass", async () => {
    const msg = await signed("alice@example.com", "example.com", "mail", rsaKeyPair("dkim:example.com").privateKeyPem);
    const res = await check(msg, IPV4, "alice@example.com");
    expect(res.spf && res.spf.status.result).toBe("pass");
    expect(res.dkim.results.map((r) => r.status.result)).toEqual(["pass"]);
    expect(res.dmarc && res.dmarc.status.result).toBe("pass");
  });

  it("a forgery from another address, unsigned: SPF fail (-all), DMARC fail with policy reject", async () => {
    const res = await check(message("alice@example.com"), FOREIGN_IP, "alice@example.com");
    expect(res.spf && res.spf.status.result).toBe("fail");
    expect(res.dmarc && res.dmarc.status.result).toBe("fail");
    expect(res.dmarc && res.dmarc.policy).toBe("reject");
  });

  it("a forgery signed with someone else's key: DKIM fails, DMARC fails", async () => {
    const msg = await signed("alice@example.com", "example.com", "mail", rsaKeyPair("attacker").privateKeyPem);
    const res = await check(msg, FOREIGN_IP, "alice@example.com");
    expect(res.dkim.results.map((r) => r.status.result)).toEqual(["fail"]);
    expect(res.dmarc && res.dmarc.status.result).toBe("fail");
  });

  it("a bounce (empty MAIL FROM) from the host passes SPF on the HELO name", async () => {
    const res = await check(message("mailer-daemon@mail.example.com"), IPV4, "");
    expect(res.spf && res.spf.status.result).toBe("pass");
    expect(res.spf && res.spf.domain).toBe("mail.example.com");
  });

  it("the parked domain: even from our own server SPF fails, any DKIM key is revoked, DMARC rejects", async () => {
    const msg = await signed("ceo@example.org", "example.org", "whatever", rsaKeyPair("attacker").privateKeyPem);
    const res = await check(msg, IPV4, "ceo@example.org");
    expect(res.spf && res.spf.status.result).toBe("fail");
    expect(res.dkim.results.map((r) => r.status.result)).not.toContain("pass");
    expect(res.dmarc && res.dmarc.status.result).toBe("fail");
    expect(res.dmarc && res.dmarc.policy).toBe("reject");
  });

  it("MTA-STS: the TXT id is the policy's id, the policy parses, and our MX matches it", async () => {
    const policyText = mtaStsPolicy(cfg, cfg.domains[0]!);
    expect(await resolvePolicy("example.com", { resolver })).toBe(mtaStsId(policyText));
    const policy = parsePolicy(policyText);
    expect(policy).toMatchObject({ version: "STSv1", mode: "enforce", mx: ["mail.example.com"], maxAge: 604800 });
    expect(validateMx("mail.example.com", policy).valid).toBe(true);
    expect(validateMx("mx.attacker.example", policy).valid).toBe(false);
    expect(await resolvePolicy("example.org", { resolver })).toBe(false);
  });
});
