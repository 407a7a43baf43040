// verify's own TOTP (RFC 6238, HMAC-SHA1, 6 digits, 30 s): what an authenticator app computes
// from the secret the webmail shows at enrolment. Independent of the server's PHP verifier, so a
// shared mistake cannot make both agree; test/verify checks it against the RFC's vectors.
import { createHmac } from "node:crypto";

const BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

export function base32Decode(text: string): Buffer {
  const clean = text.toUpperCase().replace(/[\s=-]/g, "");
  let bits = 0;
  let value = 0;
  const out: number[] = [];
  for (const ch of clean) {
    const v = BASE32.indexOf(ch);
    if (v < 0) throw new Error(`not base32: ${JSON.stringify(ch)}`);
    value = (value << 5) | v;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

/** The code for a Unix time (seconds); digits and hash as RFC 6238's Appendix B allows. */
export function totp(key: Buffer, unixSeconds: number, digits = 6, hash: "sha1" | "sha256" | "sha512" = "sha1"): string {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(unixSeconds / 30)));
  const mac = createHmac(hash, key).update(counter).digest();
  const offset = (mac[mac.length - 1] ?? 0) & 0x0f;
  const binary = mac.readUInt32BE(offset) & 0x7fffffff;
  return String(binary % 10 ** digits).padStart(digits, "0");
}

/** A code for the next time step not yet used (the server refuses a step twice): waits if needed. */
export async function freshCode(key: Buffer, lastUsedStep: number | undefined): Promise<{ code: string; step: number }> {
  let now = Date.now() / 1000;
  if (lastUsedStep !== undefined && Math.floor(now / 30) <= lastUsedStep) {
    await new Promise((r) => setTimeout(r, ((lastUsedStep + 1) * 30 - now) * 1000 + 500));
    now = Date.now() / 1000;
  }
  return { code: totp(key, now), step: Math.floor(now / 30) };
}
