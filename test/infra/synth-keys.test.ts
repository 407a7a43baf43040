// The mocks' key pairs (infra/synth/keys.ts): generated in the thread pool, shaped like the tls
// provider's outputs, and served from the keys generated ahead only to a request of the same kind.
import { createPrivateKey, createPublicKey } from "node:crypto";
import { describe, expect, it } from "vitest";
import { DKIM_KEY } from "../../infra/aws/dkim-keys";
import { generateAhead, takeKeyPair } from "../../infra/synth/keys";

describe("mock key pairs", () => {
  it("serves keys generated ahead, then new ones, each distinct and of the asked kind", async () => {
    generateAhead(DKIM_KEY, 2);
    const keys = await Promise.all([takeKeyPair(DKIM_KEY), takeKeyPair(DKIM_KEY), takeKeyPair(DKIM_KEY)]);
    expect(new Set(keys.map((k) => k.publicKeyPem)).size).toBe(3);
    for (const k of keys) {
      expect(k.privateKeyPem).toMatch(/^-----BEGIN RSA PRIVATE KEY-----/);
      expect(k.privateKeyPemPkcs8).toMatch(/^-----BEGIN PRIVATE KEY-----/);
      const pub = createPublicKey(k.publicKeyPem);
      expect(pub.asymmetricKeyDetails?.modulusLength).toBe(2048);
      expect(createPublicKey(createPrivateKey(k.privateKeyPem)).export({ type: "spki", format: "pem" })).toBe(k.publicKeyPem);
      expect(k.publicKeyOpenssh).toMatch(/^ssh-rsa AAAA[A-Za-z0-9+/=]+\n$/);
      expect(k.publicKeyFingerprintSha256).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
    }
  }, 60_000);

  it("never hands an RSA key generated ahead to an ECDSA or Ed25519 request", async () => {
    generateAhead(DKIM_KEY, 1);
    const ec = await takeKeyPair({ algorithm: "ECDSA", ecdsaCurve: "P256" });
    expect(createPublicKey(ec.publicKeyPem).asymmetricKeyDetails?.namedCurve).toBe("prime256v1");
    expect(ec.privateKeyPem).toMatch(/^-----BEGIN EC PRIVATE KEY-----/);
    expect(ec.publicKeyOpenssh).toMatch(/^ecdsa-sha2-nistp256 /);
    const ed = await takeKeyPair({ algorithm: "ED25519" });
    expect(createPublicKey(ed.publicKeyPem).asymmetricKeyType).toBe("ed25519");
    expect(ed.publicKeyOpenssh).toMatch(/^ssh-ed25519 /);
    // The RSA key generated ahead is still there for the next RSA request.
    expect(createPublicKey((await takeKeyPair(DKIM_KEY)).publicKeyPem).asymmetricKeyType).toBe("rsa");
  }, 60_000);

  it("rejects an algorithm the tls provider does not have", async () => {
    await expect(takeKeyPair({ algorithm: "DSA" })).rejects.toThrow(/unsupported algorithm DSA/);
    await expect(takeKeyPair({ algorithm: "ECDSA", ecdsaCurve: "P999" })).rejects.toThrow(/unsupported ecdsaCurve P999/);
  });
});
