// Which records exist depends only on the config; their values depend on resources. To declare
// one Route53 resource per record before the values are known, the record set is first built
// from placeholder inputs of the right kind (documentation addresses, a throwaway RSA key, fake
// SES tokens), then each planned record is matched with the real one by zone, name and type.
import { generateKeyPairSync } from "node:crypto";
import type { MailConfig } from "../config";
import { type DnsInputs, type DnsRecord, buildRecordSet } from "../core/dns";

let placeholderKeys: { rsa: string; ec: string } | undefined;

function keys(): { rsa: string; ec: string } {
  placeholderKeys ??= {
    rsa: generateKeyPairSync("rsa", { modulusLength: 2048 }).publicKey.export({ type: "spki", format: "pem" }).toString(),
    ec: generateKeyPairSync("ec", { namedCurve: "P-256" }).publicKey.export({ type: "spki", format: "pem" }).toString(),
  };
  return placeholderKeys;
}

/** SES hands out three DKIM tokens per identity. */
export const SES_TOKENS_PER_DOMAIN = 3;

export function placeholderSesToken(domainIndex: number, n: number): string {
  return `placeholdertoken${String(domainIndex).padStart(4, "0")}${String(n).padStart(4, "0")}`;
}

export function placeholderInputs(cfg: MailConfig, dkim: ReadonlyArray<{ domain: string; selector: string }>, ses: readonly string[]): DnsInputs {
  return {
    addresses: { ipv4: "192.0.2.1", ...(cfg.features.ipv6 ? { ipv6: "2001:db8::1" } : {}) },
    dkim: dkim.map((k) => ({ ...k, publicKeyPem: keys().rsa })),
    tlsPublicKeyPem: keys().ec,
    ...(cfg.outbound.mode === "ses"
      ? { sesDkimTokens: Object.fromEntries(ses.map((d, i) => [d, Array.from({ length: SES_TOKENS_PER_DOMAIN }, (_, n) => placeholderSesToken(i, n))])) }
      : {}),
  };
}

export function recordShape(cfg: MailConfig, dkim: ReadonlyArray<{ domain: string; selector: string }>, ses: readonly string[]): DnsRecord[] {
  return buildRecordSet(cfg, placeholderInputs(cfg, dkim, ses));
}

/** For each planned record, the real record with the same zone, type and name (placeholder
 * SES tokens in the name replaced by the real ones). Fails loudly if the sets differ. */
export function matchRecords(shape: readonly DnsRecord[], real: readonly DnsRecord[], tokenMap: ReadonlyMap<string, string>): DnsRecord[] {
  const byKey = new Map(real.map((r) => [`${r.zone}|${r.name}|${r.type}`, r]));
  const matched = shape.map((p) => {
    let name = p.name;
    for (const [placeholder, token] of tokenMap) name = name.replace(placeholder, token.toLowerCase());
    const r = byKey.get(`${p.zone}|${name}|${p.type}`);
    if (r === undefined) throw new Error(`internal: planned DNS record ${p.type} ${name} (${p.purpose}) is missing from the real record set`);
    return r;
  });
  if (matched.length !== real.length) throw new Error(`internal: the real DNS record set has ${real.length} records, the plan ${matched.length}`);
  return matched;
}
