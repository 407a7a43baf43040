// The readers the policies judge with: Postfix/Dovecot/fail2ban config text, user data
// encodings, TXT strings and DKIM keys. Each as Postfix/Dovecot/DNS would read the same text.
import { generateKeyPairSync } from "node:crypto";
import { gzipSync } from "node:zlib";
import { dump } from "js-yaml";
import { describe, expect, it } from "vitest";
import { parseDovecot } from "../../policy/lib/dovecot";
import { parseIni } from "../../policy/lib/ini";
import { allowedTlsProtocols, parseMainCf, parseMasterCf, smtpdViews } from "../../policy/lib/postfix";
import { dkimKey, txtJoined, txtStrings } from "../../policy/lib/txt";
import { decodeUserData, userDataOf } from "../../policy/lib/user-data";
import { policyById } from "../../policy/all";
import { stackOfUrn, loadFactsForStack } from "../../policy/facts";
import { runPolicy } from "../../policy/run";

describe("Postfix TLS protocol values", () => {
  it.each([
    [">=TLSv1.2", ["TLSv1.2", "TLSv1.3"]],
    [">= TLSv1.2", ["TLSv1.2", "TLSv1.3"]],
    ["!SSLv2, !SSLv3, !TLSv1, !TLSv1.1", ["TLSv1.2", "TLSv1.3"]],
    ["!SSLv2, !SSLv3", ["TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"]],
    [undefined, ["TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"]],
    ["TLSv1.3", ["TLSv1.3"]],
    ["<=TLSv1.1", ["SSLv2", "SSLv3", "TLSv1", "TLSv1.1"]],
  ])("%s allows %j", (value, allowed) => {
    expect(allowedTlsProtocols(value)).toEqual(allowed);
  });
});

describe("main.cf and master.cf", () => {
  const main = parseMainCf("# c\nmyhostname = a.example\nsmtpd_relay_restrictions = permit_mynetworks,\n    reject_unauth_destination\nmyhostname = b.example\nrestr = permit_sasl_authenticated, reject\n");
  it("joins continuation lines and lets the last definition win", () => {
    expect(main.get("smtpd_relay_restrictions")).toBe("permit_mynetworks, reject_unauth_destination");
    expect(main.get("myhostname")).toBe("b.example");
  });
  it("gives each submission service its -o overrides over main.cf, with $name expanded", () => {
    const master = parseMasterCf("smtp inet n - y - 1 postscreen\nsubmission inet n - y - - smtpd\n  -o smtpd_relay_restrictions=$restr\n  -o smtpd_tls_auth_only=yes\n");
    const { mainView, submission } = smtpdViews(main, master);
    expect(submission).toHaveLength(1);
    expect(submission[0]?.get("smtpd_relay_restrictions")).toBe("permit_sasl_authenticated, reject");
    expect(submission[0]?.get("myhostname")).toBe("b.example");
    expect(mainView.get("smtpd_tls_auth_only")).toBeUndefined();
  });
});

describe("Dovecot and fail2ban", () => {
  it("reads top-level Dovecot settings, last wins, ignoring the same names inside blocks", () => {
    const s = parseDovecot(["ssl = yes\nservice imap-login {\n  ssl = no\n  inet_listener imap {\n    port = 0\n  }\n}\n", "ssl = required # why\n"]);
    expect(s.top.get("ssl")).toBe("required");
    expect(s.blocks.get("service imap-login/inet_listener imap")?.get("port")).toBe("0");
  });
  it("reads fail2ban jails, later files overriding earlier", () => {
    const ini = parseIni(["[DEFAULT]\nbantime = 1h\n[postfix]\nenabled = true\n", "[postfix]\nenabled = false\n"]);
    expect(ini.get("postfix")?.get("enabled")).toBe("false");
    expect(ini.get("DEFAULT")?.get("bantime")).toBe("1h");
  });
});

describe("user data", () => {
  const cloudConfig = `#cloud-config\n${dump({ write_files: [
    { path: "/etc/a", content: "plain" },
    { path: "/etc/b", content: Buffer.from("b64 text").toString("base64"), encoding: "b64" },
    { path: "/etc/c", content: gzipSync("gzipped").toString("base64"), encoding: "gzip+base64" },
  ] })}`;
  it("decodes every write_files encoding", () => {
    expect(decodeUserData(cloudConfig).files.map((f) => [f.path, f.content])).toEqual([["/etc/a", "plain"], ["/etc/b", "b64 text"], ["/etc/c", "gzipped"]]);
  });
  it("decodes base64 and gzip+base64 user data the same way", () => {
    expect(userDataOf({ userDataBase64: Buffer.from(cloudConfig).toString("base64") })?.files).toHaveLength(3);
    expect(userDataOf({ userData: gzipSync(cloudConfig).toString("base64") })?.files).toHaveLength(3);
  });
  it("reads cloud-config parts of a MIME multipart", () => {
    const mime = `Content-Type: multipart/mixed; boundary="XX"\nMIME-Version: 1.0\n\n--XX\nContent-Type: text/cloud-config\n\n${cloudConfig}\n--XX\nContent-Type: text/x-shellscript\n\n#!/bin/sh\necho hi\n--XX--\n`;
    expect(decodeUserData(mime).files).toHaveLength(3);
  });
});

describe("TXT strings and DKIM keys", () => {
  it("splits quoted character-strings and joins them for parsing", () => {
    expect(txtStrings('"v=DKIM1; k=rsa; " "p=AB"')).toEqual(["v=DKIM1; k=rsa; ", "p=AB"]);
    expect(txtStrings("v=spf1 -all")).toEqual(["v=spf1 -all"]);
    expect(txtJoined('"a""b"')).toBe("ab");
    // As mailfort hands them to the provider, which adds the outer quotes itself.
    expect(txtStrings('v=DKIM1; p=AB" "CD')).toEqual(["v=DKIM1; p=AB", "CD"]);
    expect(txtStrings('x""y')).toEqual(["x", "y"]);
  });
  const p = (bits: number) => generateKeyPairSync("rsa", { modulusLength: bits }).publicKey.export({ type: "spki", format: "der" }).toString("base64");
  it("measures RSA key sizes from p=", () => {
    expect(dkimKey(`v=DKIM1; k=rsa; p=${p(2048)}`).bits).toBe(2048);
    expect(dkimKey(`v=DKIM1; k=rsa; p=${p(1024)}`).bits).toBe(1024);
  });
  it("refuses a record without a key", () => {
    expect(() => dkimKey("v=DKIM1; k=rsa; p=")).toThrow(/no p=/);
  });
});

describe("facts for the Pulumi CLI path", () => {
  it("reads the stack name from a URN", () => {
    expect(stackOfUrn("urn:pulumi:prod::mailfort::aws:ec2/instance:Instance::mail")).toBe("prod");
    expect(() => stackOfUrn("nonsense")).toThrow(/stack name/);
  });
  it("loads facts from stacks/Pulumi.<stack>.yaml", () => {
    const f = loadFactsForStack("prod");
    expect(f.environment).toBe("prod");
    expect(f.hostname).toBe("mail.example.com");
    expect(f.domains.map((d) => [d.name, d.sendsMail])).toEqual([["example.com", true], ["example.org", false]]);
  });
});

describe("secrets under the Pulumi CLI (secret inputs arrive decrypted and unmarked)", () => {
  const pem = generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey.export({ type: "pkcs8", format: "pem" }).toString();
  const facts = loadFactsForStack("dev");
  const check = (type: string, inputs: Record<string, unknown>) => runPolicy(policyById("secrets-not-in-plain-inputs"), [{ type, name: "r", inputs }], facts);

  it("accepts the fields built to carry secrets", async () => {
    expect(await check("tls:index/certRequest:CertRequest", { privateKeyPem: pem, dnsNames: ["mail.dev.example.com"] })).toEqual([]);
    expect(await check("tls:index/locallySignedCert:LocallySignedCert", { caPrivateKeyPem: pem })).toEqual([]);
    expect(await check("aws:ssm/parameter:Parameter", { name: "/mailfort/dev/tls/key", type: "SecureString", value: pem })).toEqual([]);
  });

  it("refuses the same key anywhere else", async () => {
    expect((await check("aws:ssm/parameter:Parameter", { name: "/mailfort/dev/tls/key", type: "String", value: pem })).map((v) => v.message))
      .toEqual([expect.stringMatching(/input value holds a PEM private key/)]);
    expect((await check("aws:ec2/instance:Instance", { tags: { note: pem } })).map((v) => v.message))
      .toEqual([expect.stringMatching(/input tags.note holds a PEM private key/)]);
  });

  it("a Dovecot hash is the scheme with a hash after it, quoted or not; the scheme alone in code is none", async () => {
    const note = async (text: string) => (await check("aws:ec2/instance:Instance", { tags: { note: text } })).map((v) => v.message);
    for (const hash of ["{BLF-CRYPT}$2y$10$hYTotc0hw0c69N7F1Ih9u.9aHa2eBAN6JtjPRSBjdTbDdQxXDqkFq", "{PLAIN}hunter2hunter2", "{SSHA512}c2VjcmV0c2FsdA==", "{CRYPT}$6$salt$abcdefghijklmnop"]) {
      expect(await note(`$line = '${hash}';`), hash).toEqual([expect.stringMatching(/holds a Dovecot password hash|holds a (bcrypt|SHA-crypt)/)]);
    }
    for (const code of ["'{BLF-CRYPT}' . password_hash($p, PASSWORD_BCRYPT)", 'scheme = "{ARGON2ID}"', "`{SSHA512}` prefix"]) {
      expect(await note(code), code).toEqual([]);
    }
  });
});
