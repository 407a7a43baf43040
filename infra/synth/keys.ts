// Real key pairs for the @pulumi/tls PrivateKey mock, shaped like the tls provider's outputs:
// privateKeyPem is PKCS#1 (RSA) or SEC1 (ECDSA), privateKeyPemPkcs8 is PKCS#8, publicKeyPem is
// SPKI, publicKeyOpenssh is the authorized_keys line.
// Keys are generated asynchronously, in libuv's thread pool: an RSA 2048 key costs a few hundred
// ms of CPU, and off the main thread it overlaps with the program's own work instead of adding
// to it (two DKIM keys were a quarter of the synth's wall time when generated synchronously).
import { type KeyObject, createHash, createPrivateKey, createPublicKey, generateKeyPair as generate } from "node:crypto";
import { promisify } from "node:util";

const generateAsync = promisify(generate);

export interface KeyPairState {
  algorithm: string;
  privateKeyPem: string;
  privateKeyPemPkcs8: string;
  publicKeyPem: string;
  publicKeyOpenssh: string;
  publicKeyFingerprintMd5: string;
  publicKeyFingerprintSha256: string;
}

/** The tls.PrivateKey inputs that choose a key. */
export interface KeySpec {
  readonly algorithm: string;
  readonly rsaBits?: number;
  readonly ecdsaCurve?: string;
}

const kindOf = (k: KeySpec) => `${k.algorithm}:${k.rsaBits ?? 2048}:${k.ecdsaCurve ?? "P224"}`;
const ahead = new Map<string, Array<Promise<KeyPairState>>>();

/**
 * Start generating `count` keys of this kind now, before the program asks for them: the synth
 * knows from the config how many DKIM keys the program will create, and generating them while
 * the program is still being built takes them off the critical path.
 */
export function generateAhead(spec: KeySpec, count: number): void {
  const queue = ahead.get(kindOf(spec)) ?? [];
  for (let i = 0; i < count; i++) {
    const key = generateKeyPair(spec.algorithm, spec.rsaBits, spec.ecdsaCurve);
    // Reported to whoever takes it; a key nobody takes must not count as an unhandled rejection.
    key.catch(() => undefined);
    queue.push(key);
  }
  ahead.set(kindOf(spec), queue);
}

/** A key of this kind: one generated ahead when there is one left, a new one otherwise. */
export function takeKeyPair(spec: KeySpec): Promise<KeyPairState> {
  return ahead.get(kindOf(spec))?.shift() ?? generateKeyPair(spec.algorithm, spec.rsaBits, spec.ecdsaCurve);
}

export async function generateKeyPair(algorithm: string, rsaBits = 2048, ecdsaCurve = "P224"): Promise<KeyPairState> {
  if (algorithm === "RSA") {
    const { privateKey, publicKey } = await generateAsync("rsa", { modulusLength: rsaBits });
    return describe(algorithm, privateKey, publicKey, privateKey.export({ type: "pkcs1", format: "pem" }).toString());
  }
  if (algorithm === "ECDSA") {
    const curve = { P224: "P-224", P256: "P-256", P384: "P-384", P521: "P-521" }[ecdsaCurve];
    if (curve === undefined) throw new Error(`mock tls.PrivateKey: unsupported ecdsaCurve ${ecdsaCurve}`);
    const { privateKey, publicKey } = await generateAsync("ec", { namedCurve: curve });
    return describe(algorithm, privateKey, publicKey, privateKey.export({ type: "sec1", format: "pem" }).toString());
  }
  if (algorithm === "ED25519") {
    const { privateKey, publicKey } = await generateAsync("ed25519", {});
    return describe(algorithm, privateKey, publicKey, privateKey.export({ type: "pkcs8", format: "pem" }).toString());
  }
  throw new Error(`mock tls.PrivateKey: unsupported algorithm ${algorithm}`);
}

function describe(algorithm: string, privateKey: KeyObject, publicKey: KeyObject, privateKeyPem: string): KeyPairState {
  const blob = sshPublicKeyBlob(publicKey);
  return {
    algorithm,
    privateKeyPem,
    privateKeyPemPkcs8: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
    publicKeyPem: publicKey.export({ type: "spki", format: "pem" }).toString(),
    publicKeyOpenssh: `${blob.type} ${blob.data.toString("base64")}\n`,
    publicKeyFingerprintMd5: createHash("md5").update(blob.data).digest("hex").match(/../g)?.join(":") ?? "",
    publicKeyFingerprintSha256: `SHA256:${createHash("sha256").update(blob.data).digest("base64").replace(/=+$/, "")}`,
  };
}

/** RFC 4253 6.6 / RFC 5656 3.1 public key blobs. */
function sshPublicKeyBlob(key: KeyObject): { type: string; data: Buffer } {
  const jwk = key.export({ format: "jwk" });
  const str = (b: Buffer | string) => {
    const buf = typeof b === "string" ? Buffer.from(b) : b;
    const len = Buffer.alloc(4);
    len.writeUInt32BE(buf.length);
    return Buffer.concat([len, buf]);
  };
  const mpint = (b64url: string) => {
    let b = Buffer.from(b64url, "base64url");
    if ((b[0] ?? 0) & 0x80) b = Buffer.concat([Buffer.from([0]), b]);
    return str(b);
  };
  if (jwk.kty === "RSA" && jwk.e !== undefined && jwk.n !== undefined) {
    return { type: "ssh-rsa", data: Buffer.concat([str("ssh-rsa"), mpint(jwk.e), mpint(jwk.n)]) };
  }
  if (jwk.kty === "EC" && jwk.x !== undefined && jwk.y !== undefined) {
    const n = { "P-256": "nistp256", "P-384": "nistp384", "P-521": "nistp521" }[jwk.crv ?? ""] ?? "nistp256";
    const point = Buffer.concat([Buffer.from([4]), Buffer.from(jwk.x, "base64url"), Buffer.from(jwk.y, "base64url")]);
    const type = `ecdsa-sha2-${n}`;
    return { type, data: Buffer.concat([str(type), str(n), str(point)]) };
  }
  if (jwk.kty === "OKP" && jwk.x !== undefined) {
    return { type: "ssh-ed25519", data: Buffer.concat([str("ssh-ed25519"), str(Buffer.from(jwk.x, "base64url"))]) };
  }
  throw new Error(`cannot build an OpenSSH public key for key type ${String(jwk.kty)}`);
}

/** The outputs for a key made by an earlier up (its private PEM): what Pulumi's state keeps. */
export function keyPairFromPem(algorithm: string, pem: string): KeyPairState {
  const privateKey = parsePrivateKey(pem);
  const type = algorithm === "RSA" ? "pkcs1" : algorithm === "ECDSA" ? "sec1" : "pkcs8";
  return describe(algorithm, privateKey, createPublicKey(privateKey), privateKey.export({ type, format: "pem" }).toString());
}

/** Parse any PEM private key the mocks see (PKCS#1, SEC1, PKCS#8). */
export function parsePrivateKey(pem: string): KeyObject {
  return createPrivateKey({ key: pem, format: "pem" });
}
