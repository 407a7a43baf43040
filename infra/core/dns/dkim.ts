// DKIM (RFC 6376 3.6.1): the public half of each signing key at <selector>._domainkey.<domain>.
// Every key of the domain's DKIM layout is published, so an old and a new selector overlap while
// keys rotate (infra/core/dkim-rotation.ts); a revoked one keeps its name with an empty p=.
import type { DomainConfig } from "../../config";
import { rsaSpkiDer } from "./keys";
import { record, txt } from "./record";
import type { DkimPublicKey, DnsRecord } from "./types";

/** An empty p= (RFC 6376 3.6.1): "this selector's key is revoked", so nothing verifies with it. */
export const REVOKED_DKIM_TEXT = "v=DKIM1; p=";

export function dkimText(key: DkimPublicKey): string {
  const der = rsaSpkiDer(key.publicKeyPem, `DKIM key ${key.selector}._domainkey.${key.domain}`);
  return `v=DKIM1; k=rsa; p=${der.toString("base64")}`;
}

export function dkimRecords(d: DomainConfig, published: ReadonlyArray<{ readonly selector: string; readonly text: string }>): DnsRecord[] {
  return published.map((k) => txt(d.name, `${k.selector}._domainkey.${d.name}`, k.text, k.text === REVOKED_DKIM_TEXT ? "DKIM (revoked)" : "DKIM"));
}

/** A parked domain: an empty p= revokes every selector (RFC 6376 3.6.1), so forged
 * signatures "from" it verify as nothing. */
export function revokedDkimRecords(d: DomainConfig): DnsRecord[] {
  return [txt(d.name, `*._domainkey.${d.name}`, REVOKED_DKIM_TEXT, "DKIM (revoked)")];
}

/** Amazon SES easy DKIM (outbound.mode ses): SES signs with its own keys, published by CNAME
 * so SES can rotate them. SES hands out three tokens per identity. */
export function sesDkimRecords(d: DomainConfig, tokens: readonly string[] | undefined): DnsRecord[] {
  if (tokens === undefined || tokens.length === 0) throw new Error(`outbound.mode is ses but DnsInputs.sesDkimTokens has no tokens for ${d.name}`);
  return tokens.map((t) => {
    if (!/^[a-z0-9]{16,64}$/i.test(t)) throw new Error(`SES DKIM token ${JSON.stringify(t)} for ${d.name} is not an SES token`);
    const token = t.toLowerCase();
    return record(d.name, `${token}._domainkey.${d.name}`, "CNAME", [`${token}.dkim.amazonses.com.`], "DKIM (SES)");
  });
}
