// Public-key material for DNS, computed with node:crypto (pure: no I/O).
import { type KeyObject, createHash, createPublicKey } from "node:crypto";

/** Parse an SPKI PEM public key; refuse private keys (they must never reach DNS code). */
function publicKey(pem: string, what: string): KeyObject {
  if (/PRIVATE KEY/.test(pem)) throw new Error(`${what}: got a PRIVATE key; pass the SPKI public key PEM ("BEGIN PUBLIC KEY")`);
  try {
    return createPublicKey({ key: pem, format: "pem" });
  } catch (e) {
    throw new Error(`${what}: not a PEM public key (${(e as Error).message})`);
  }
}

/** DER of the SubjectPublicKeyInfo: the bytes DKIM p= (RFC 6376 3.6.1) and TLSA selector 1 hash. */
export function spkiDer(pem: string, what: string): Buffer {
  return publicKey(pem, what).export({ type: "spki", format: "der" });
}

/** An RSA public key of at least 2048 bits (RFC 8301 3.2: 1024 is the floor, 2048 what we make). */
export function rsaSpkiDer(pem: string, what: string): Buffer {
  const key = publicKey(pem, what);
  if (key.asymmetricKeyType !== "rsa") throw new Error(`${what}: DKIM key must be RSA (k=rsa), got ${key.asymmetricKeyType ?? "unknown"}`);
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
  if (bits < 2048) throw new Error(`${what}: RSA key has ${bits} bits; generate at least 2048`);
  return key.export({ type: "spki", format: "der" });
}

export function sha256Hex(data: Buffer): string {
  return createHash("sha256").update(data).digest("hex");
}
