// Shared inputs for the DNS specification tests: a MailConfig built through the real config
// parser (so defaults are the real defaults), real RSA keys from node:crypto, and finders.
import { generateKeyPairSync } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { type MailConfig, NAMESPACE, domainDkim, OPAQUE_SECRET_PLACEHOLDER, parseMailConfig, parseStackFile } from "../../infra/config";
import type { DnsInputs, DnsRecord, RecordType } from "../../infra/core/dns";

/** A stack config from `mailfort:` keys (without the prefix). Defaults: one mail domain
 * example.com, hostname mail.example.com, one mailbox in the first mail domain. */
export function mailConfig(keys: Record<string, unknown> = {}): MailConfig {
  const domains = (keys.domains ?? [{ name: "example.com" }]) as Array<{ name: string; sendsMail?: boolean }>;
  const firstMail = domains.find((d) => d.sendsMail !== false)?.name ?? domains[0]!.name;
  const all: Record<string, unknown> = {
    region: "eu-west-1",
    hostname: "mail.example.com",
    domains,
    mailboxes: firstMail === undefined ? [] : [{ address: `alice@${firstMail}`, passwordHashSecret: "pw" }],
    tls: { mode: "acme", acmeEmail: "hostmaster@example.net" },
    ...keys,
  };
  const values: Record<string, string> = { [`${NAMESPACE}:pw`]: OPAQUE_SECRET_PLACEHOLDER };
  for (const [k, v] of Object.entries(all)) values[`${NAMESPACE}:${k}`] = typeof v === "string" ? v : JSON.stringify(v);
  return parseMailConfig({ values, secretKeys: new Set([`${NAMESPACE}:pw`]) }, "test");
}

/** One of the repository's stacks (stacks/Pulumi.<name>.yaml), parsed like the program does. */
export function stackConfig(name: string): MailConfig {
  const file = join(__dirname, "../../stacks", `Pulumi.${name}.yaml`);
  return parseMailConfig(parseStackFile(readFileSync(file, "utf8"), file), name);
}

const keyCache = new Map<string, { publicKeyPem: string; privateKeyPem: string }>();
/** A real RSA 2048 key pair (SPKI / PKCS#8 PEM); the same label gives the same pair within a test file. */
export function rsaKeyPair(label: string): { publicKeyPem: string; privateKeyPem: string } {
  let pair = keyCache.get(label);
  if (pair === undefined) {
    const { publicKey, privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    pair = { publicKeyPem: publicKey.export({ type: "spki", format: "pem" }).toString(), privateKeyPem: privateKey.export({ type: "pkcs8", format: "pem" }).toString() };
    keyCache.set(label, pair);
  }
  return pair;
}

/** The public half of rsaKeyPair(label). */
export function rsaPublicKeyPem(label: string): string {
  return rsaKeyPair(label).publicKeyPem;
}

export const IPV4 = "203.0.113.7";
export const IPV6 = "2001:db8::7";

/** Inputs as the AWS layer would hand them over: one DKIM key per mail domain (its configured
 * selector), the TLS key, both addresses. */
export function inputsFor(cfg: MailConfig, extra: Partial<DnsInputs> = {}): DnsInputs {
  return {
    addresses: { ipv4: IPV4, ipv6: IPV6 },
    // A key per published selector of the stack's DKIM layout (one at rest, two while rotating).
    dkim: cfg.domains.filter((d) => d.sendsMail).flatMap((d) => domainDkim(d, cfg.dkimLayout).published.map((selector) => ({ domain: d.name, selector, publicKeyPem: rsaPublicKeyPem(selector === d.dkimSelector ? `dkim:${d.name}` : `dkim:${d.name}:${selector}`) }))),
    tlsPublicKeyPem: rsaPublicKeyPem("tls"),
    ...extra,
  };
}

/** The one record set at name/type, or undefined. */
export function find(records: readonly DnsRecord[], name: string, type: RecordType): DnsRecord | undefined {
  const hits = records.filter((r) => r.name === name && r.type === type);
  if (hits.length > 1) throw new Error(`${hits.length} record sets for ${name} ${type}`);
  return hits[0];
}

/** The values at name/type (empty when absent). */
export function valuesAt(records: readonly DnsRecord[], name: string, type: RecordType): readonly string[] {
  return find(records, name, type)?.values ?? [];
}
