// DANE for SMTP (RFC 7672): TLSA "3 1 1" = DANE-EE, the SubjectPublicKeyInfo, SHA-256. It pins
// our own key rather than a CA, so it holds across Let's Encrypt renewals as long as the key is
// reused (certbot --reuse-key). Only meaningful in a DNSSEC-signed zone: without DNSSEC, senders
// ignore it (RFC 7672 2.2), so we publish it only with features.dnssec.
// Port 25 only: DANE is what MTAs (Postfix, Exim, Microsoft 365...) check when relaying to an
// MX; submission (465/587) and IMAP clients do not check TLSA, and a record nobody reads is one
// more thing to keep in step with the key.
import type { MailConfig } from "../../config";
import { sha256Hex, spkiDer } from "./keys";
import { record } from "./record";
import { TTL_TLSA } from "./ttl";
import type { DnsRecord } from "./types";

export function tlsaValue(tlsPublicKeyPem: string): string {
  return `3 1 1 ${sha256Hex(spkiDer(tlsPublicKeyPem, "TLS public key (DnsInputs.tlsPublicKeyPem)"))}`;
}

/** `value` is tlsaValue() of the server key, or undefined when there is none to pin. */
export function tlsaRecords(cfg: Pick<MailConfig, "hostname" | "features">, zone: string, value: string | undefined): DnsRecord[] {
  if (!cfg.features.dnssec || value === undefined) return [];
  return [record(zone, `_25._tcp.${cfg.hostname}`, "TLSA", [value], "TLSA (DANE)", TTL_TLSA)];
}
