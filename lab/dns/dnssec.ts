// DNSSEC for the lab's zones, the node side: the one key that signs every zone nsd serves
// (lab/aws/emulator/zone_sign.py signs, for the emulated Route53's export and for the lab's own
// zones alike), and the trust anchors the VM's unbound validates them with (vendor data). A
// trust anchor per zone, no root: the closed network has no root servers, and production's
// unbound keeps its own root anchor and nothing of this.
import { createPublicKey, generateKeyPairSync } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { labDir } from "../paths";

/** ECDSA P-256 with SHA-256 (RFC 6605): small keys, and what unbound and Postfix expect today. */
export const DNSSEC_ALGORITHM = 13;
/** Zone key with the SEP bit: one combined key signs the keys and the records. */
export const DNSKEY_FLAGS = 257;
/** A name with this first label is signed with a corrupted signature (zone_sign.py's BOGUS_LABEL). */
export const BOGUS_SIGNATURE_LABEL = "bogus-signature";

export const zoneKeyFile = () => join(labDir(), "dnssec", "zone-key.pem");

/** The lab's zone key (PEM, PKCS#8), made once per lab directory; returns its path. */
export function ensureZoneKey(file = zoneKeyFile()): string {
  if (existsSync(file)) return file;
  mkdirSync(dirname(file), { recursive: true });
  const { privateKey } = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
  writeFileSync(file, privateKey.export({ format: "pem", type: "pkcs8" }), { mode: 0o600 });
  return file;
}

/** The DNSKEY public key field of an ECDSA P-256 key (RFC 6605 section 4: X then Y, 64 bytes). */
export function dnskeyPublicKey(pem: string): string {
  const jwk = createPublicKey(pem).export({ format: "jwk" });
  if (jwk.kty !== "EC" || jwk.crv !== "P-256" || jwk.x === undefined || jwk.y === undefined) {
    throw new Error("the lab's zone key is not an ECDSA P-256 key: delete it (lab/dns/dnssec.ts makes a new one)");
  }
  return Buffer.concat([Buffer.from(jwk.x, "base64url"), Buffer.from(jwk.y, "base64url")]).toString("base64");
}

/** unbound `trust-anchor:` values: each zone trusted by the lab key's DNSKEY. */
export function trustAnchors(zones: readonly string[], publicKey: string): string[] {
  return [...new Set(zones.map((z) => z.replace(/\.$/, "").toLowerCase()))].sort()
    .map((z) => `${z}. DNSKEY ${DNSKEY_FLAGS} 3 ${DNSSEC_ALGORITHM} ${publicKey}`);
}

/** The trust anchors of `zones` under the lab's key (made if missing). */
export function labTrustAnchors(zones: readonly string[]): string[] {
  return trustAnchors(zones, dnskeyPublicKey(readFileSync(ensureZoneKey(), "utf8")));
}
