// In-process synth with the real secret values in memory: a bad config registers nothing; the
// real private keys and password hashes appear only as SecureString parameter values (never in
// user data, outputs or any non-secret input); the secrets directory holds the parameter tree
// (mode 0600) and its keys match what DNS and the certificate publish.
import * as pulumi from "@pulumi/pulumi";
import { X509Certificate, createPrivateKey, createPublicKey } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigError } from "../../infra/config";
import { type SynthResult, publicView, synthInProcess } from "../../infra/synth";
import { selfSignedLabText, txtStrings } from "./helpers";

const secretsDir = mkdtempSync(join(tmpdir(), "mailfort-secrets-"));
let badError: unknown;
let monitorAfterBad: unknown;
let result: SynthResult;

beforeAll(async () => {
  // A bad config first: it must fail before mocks exist, so the same process can still synth.
  try {
    await synthInProcess("lab", { configText: "config:\n  mailfort:region: mars-1\n  mailfort:hostname: 'bad name'\n  mailfort:domains: []\n" });
  } catch (e) {
    badError = e;
  }
  monitorAfterBad = pulumi.runtime.getMonitor();
  // Self-signed mode: the stack makes the CA and the certificate, both checked below.
  result = await synthInProcess("lab", { secretsDir, configText: selfSignedLabText(readFileSync(join(__dirname, "..", "..", "stacks", "Pulumi.lab.yaml"), "utf8")) });
}, 120_000);

afterAll(() => rmSync(secretsDir, { recursive: true, force: true }));

describe("a bad config", () => {
  it("fails with every error at once and registers no resource (no mocks, no monitor)", () => {
    expect(badError).toBeInstanceOf(ConfigError);
    const paths = (badError as ConfigError).issues.map((i) => i.path).join(" ");
    expect(paths).toContain("region");
    expect(paths).toContain("hostname");
    expect(paths).toContain("domains");
    expect((badError as ConfigError).issues.length).toBeGreaterThanOrEqual(3);
    expect(monitorAfterBad).toBeUndefined();
  });
});

describe("secrets of the lab stack", () => {
  const secureValues = () => result.parameters.filter((p) => p.type === "SecureString").map((p) => p.value);

  it("has real secret values only in SecureString parameters", () => {
    const secrets = secureValues();
    // 2 DKIM keys, the TLS key, 3 mailboxes, the webmail's des key, 3 declared app passwords (verify's).
    expect(secrets.length).toBe(2 + 1 + 3 + 1 + 3);
    const hashes = result.parameters.filter((p) => /\/(mailboxes|app-passwords)\//.test(p.name)).map((p) => (JSON.parse(p.value) as { passwordHash: string }).passwordHash);
    const desKey = result.parameters.filter((p) => p.name.endsWith("/webmail/des-key")).map((p) => p.value);
    const needles = [...secrets.filter((s) => s.includes("PRIVATE KEY")).map((s) => s.split("\n")[1] as string), ...hashes, ...desKey];
    expect(needles.length).toBe(10);
    for (const needle of needles) {
      expect(result.cloudConfig).not.toContain(needle);
      expect(JSON.stringify(result.outputs)).not.toContain(needle);
      for (const r of result.resources) {
        const pub = JSON.stringify(publicView({ ...result, resources: [r] }).resources[0]?.inputs);
        expect(pub, `${r.type} ${r.name}`).not.toContain(needle);
      }
    }
  });

  it("writes the parameter tree as files, mode 0600, with the real values", () => {
    for (const p of result.parameters) {
      const file = join(secretsDir, p.name);
      expect(readFileSync(file, "utf8")).toBe(p.value);
      expect(statSync(file).mode & 0o777).toBe(0o600);
    }
  });

  it("DKIM private keys in SSM match the public keys published in DNS", () => {
    for (const d of result.config.domains.filter((x) => x.sendsMail)) {
      const pem = readFileSync(join(secretsDir, `mailfort/lab/dkim/${d.name}/${d.dkimSelector}`), "utf8");
      const spki = createPublicKey(createPrivateKey(pem)).export({ type: "spki", format: "der" }).toString("base64");
      const rec = result.records.find((r) => r.name === `${d.dkimSelector}._domainkey.${d.name}`);
      expect(txtStrings(rec?.values[0] ?? "").join("")).toContain(`p=${spki}`);
    }
  });

  it("the server certificate is signed by the stack CA, covers every name, and holds the TLS key", () => {
    const chain = readFileSync(join(secretsDir, "mailfort/lab/tls/cert"), "utf8");
    const ca = new X509Certificate(readFileSync(join(secretsDir, "mailfort/lab/tls/ca"), "utf8"));
    const server = new X509Certificate(chain);
    expect(ca.ca).toBe(true);
    expect(server.ca).toBe(false);
    expect(server.verify(ca.publicKey)).toBe(true);
    expect(server.checkHost("mail.mailfort.test")).toBe("mail.mailfort.test");
    expect(server.checkHost("mta-sts.second.test")).toBe("mta-sts.second.test");
    expect(server.checkHost("autodiscover.mailfort.test")).toBe("autodiscover.mailfort.test");
    const key = createPrivateKey(readFileSync(join(secretsDir, "mailfort/lab/tls/key"), "utf8"));
    expect(key.asymmetricKeyDetails?.namedCurve).toBe("prime256v1");
    expect(server.publicKey.export({ type: "spki", format: "der" }).equals(createPublicKey(key).export({ type: "spki", format: "der" }))).toBe(true);
    expect(String(result.outputs.caCertPem).trim()).toBe(ca.toString().trim());
  });
});
