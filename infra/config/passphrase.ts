// Pulumi's passphrase secrets provider, reimplemented so stack files can carry real `secure:`
// values without the Pulumi CLI (which cannot be installed here). Format, as in pulumi/pulumi
// (pkg/secrets/passphrase/manager.go, sdk/go/common/resource/config/crypt.go):
//   key            = PBKDF2-HMAC-SHA256(passphrase, salt, 1,000,000 iterations, 32 bytes)
//   secure value   = "v1:" + base64(12-byte nonce) + ":" + base64(AES-256-GCM ciphertext || 16-byte tag)
//   encryptionsalt = "v1:" + base64(8-byte salt) + ":" + <secure value of the text "pulumi">
// No I/O: the synth decrypts with it, tools/pulumi-passphrase.ts is the CLI that sets a secret.
import { createCipheriv, createDecipheriv, pbkdf2Sync, randomBytes } from "node:crypto";
import type * as Yaml from "yaml";
import { ConfigError, type ConfigIssue, showKey } from "./errors";
import { loadBoundedYaml } from "./yaml-bounds";

const ITERATIONS = 1_000_000;
const KEY_BYTES = 32;
const NONCE_BYTES = 12;
const SALT_BYTES = 8;
const TAG_BYTES = 16;
const CHECK_TEXT = "pulumi";

function deriveKey(passphrase: string, salt: Buffer): Buffer {
  return pbkdf2Sync(Buffer.from(passphrase, "utf8"), salt, ITERATIONS, KEY_BYTES, "sha256");
}

export function encryptValue(key: Buffer, plaintext: string, nonce: Buffer = randomBytes(NONCE_BYTES)): string {
  const cipher = createCipheriv("aes-256-gcm", key, nonce);
  const sealed = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final(), cipher.getAuthTag()]);
  return `v1:${nonce.toString("base64")}:${sealed.toString("base64")}`;
}

export function decryptValue(key: Buffer, value: string): string {
  const parts = value.split(":");
  if (parts.length !== 3 || parts[0] !== "v1") throw new Error("not a Pulumi v1 secure value (v1:<nonce>:<ciphertext>)");
  const nonce = Buffer.from(parts[1] as string, "base64");
  const sealed = Buffer.from(parts[2] as string, "base64");
  if (nonce.length !== NONCE_BYTES || sealed.length < TAG_BYTES) throw new Error("malformed Pulumi secure value");
  const decipher = createDecipheriv("aes-256-gcm", key, nonce);
  decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
  return Buffer.concat([decipher.update(sealed.subarray(0, sealed.length - TAG_BYTES)), decipher.final()]).toString("utf8");
}

/** A new `encryptionsalt` for a stack, and the key it unlocks. */
export function newEncryptionSalt(passphrase: string): { encryptionsalt: string; key: Buffer } {
  const salt = randomBytes(SALT_BYTES);
  const key = deriveKey(passphrase, salt);
  return { encryptionsalt: `v1:${salt.toString("base64")}:${encryptValue(key, CHECK_TEXT)}`, key };
}

/** The key of an existing stack; throws if the passphrase is wrong (as `pulumi` would). */
export function keyFromEncryptionSalt(passphrase: string, encryptionsalt: string): Buffer {
  const m = /^v1:([^:]+):(v1:[^:]+:[^:]+)$/.exec(encryptionsalt);
  if (m === null) throw new Error("encryptionsalt is not in Pulumi's v1 format");
  const key = deriveKey(passphrase, Buffer.from(m[1] as string, "base64"));
  let check: string;
  try {
    check = decryptValue(key, m[2] as string);
  } catch {
    throw new Error("incorrect passphrase for this stack's encryptionsalt");
  }
  if (check !== CHECK_TEXT) throw new Error("incorrect passphrase for this stack's encryptionsalt");
  return key;
}

/** Decrypt every `secure:` value of a stack file's text (keys as written, e.g. mailfort:x).
 * Every value that does not decrypt is reported by its key (never by its content), all at once. */
export function decryptStackSecrets(text: string, passphrase: string): Record<string, string> {
  const loaded = loadBoundedYaml(text, "stack file");
  if (!loaded.ok) throw new ConfigError(loaded.issues);
  const doc = isRecord(loaded.value) ? loaded.value : {};
  const salt = doc.encryptionsalt;
  if (typeof salt !== "string") {
    throw new ConfigError([{ path: "encryptionsalt", problem: "is missing: the stack file was not set up with the passphrase provider, so its secure values cannot be decrypted", fix: "set the secrets again with tools/pulumi-passphrase.ts set (it creates the encryptionsalt), or unset PULUMI_CONFIG_PASSPHRASE to use placeholders" }]);
  }
  let key: Buffer;
  try {
    key = keyFromEncryptionSalt(passphrase, salt);
  } catch (e) {
    throw new ConfigError([{ path: "encryptionsalt", problem: `does not open with this passphrase (${(e as Error).message})`, fix: "set PULUMI_CONFIG_PASSPHRASE to this stack's passphrase, or unset it to use placeholders" }]);
  }
  // No prototype: a key named __proto__ stays a key.
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  const failures: ConfigIssue[] = [];
  for (const [name, value] of Object.entries(isRecord(doc.config) ? doc.config : {})) {
    if (!isRecord(value) || typeof value.secure !== "string") continue;
    try {
      out[name] = decryptValue(key, value.secure);
    } catch (e) {
      const malformed = /not a Pulumi|malformed/.test((e as Error).message);
      failures.push({
        path: showKey(name),
        problem: malformed ? "is not a well-formed Pulumi secure value (v1:<nonce>:<ciphertext>)" : "does not decrypt with this stack's key (it was encrypted for another stack or passphrase, or altered)",
        fix: `set it again: PULUMI_CONFIG_PASSPHRASE=... tsx tools/pulumi-passphrase.ts set <stack file> ${showKey(name)} < value`,
      });
    }
  }
  if (failures.length > 0) throw new ConfigError(failures);
  return out;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * `yaml` (72 modules) loaded on first use: only setStackSecret edits a stack file in place (it keeps
 * the comments, which js-yaml would drop), and the synth, which loads this file through the config
 * index on every run, never calls it.
 */
function parseDocument(text: string): Yaml.Document.Parsed {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded synchronously, on first use (see above)
  return (require("yaml") as typeof Yaml).parseDocument(text);
}

/** Set (or replace) one secure value in a stack file's text, creating the encryptionsalt if needed. */
export function setStackSecret(text: string, passphrase: string, configKey: string, plaintext: string): string {
  const doc = parseDocument(text);
  const existing = doc.get("encryptionsalt");
  let key: Buffer;
  if (typeof existing === "string") {
    key = keyFromEncryptionSalt(passphrase, existing);
  } else {
    const fresh = newEncryptionSalt(passphrase);
    key = fresh.key;
    doc.set("encryptionsalt", fresh.encryptionsalt);
  }
  doc.setIn(["config", configKey], doc.createNode({ secure: encryptValue(key, plaintext) }));
  return doc.toString({ lineWidth: 0, flowCollectionPadding: false });
}
