// DNS TXT values as Route53 takes them, and the tag=value records (SPF, DKIM, DMARC, MTA-STS,
// TLS-RPT) carried in them.
import { createPublicKey } from "node:crypto";

/**
 * The character-strings of one Route53 TXT value. The AWS provider wraps a value that does not
 * start with a quote in quotes, so `a" "b` and `a""b` (the forms mailfort passes for long values)
 * become `"a" "b"` / `"a""b"`: two strings each. A value already quoted is taken as written.
 */
export function txtStrings(value: string): string[] {
  const wire = value.startsWith('"') ? value : `"${value}"`;
  const out: string[] = [];
  const re = /"((?:[^"\\]|\\.)*)"/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(wire)) !== null) out.push((m[1] ?? "").replace(/\\(.)/g, "$1"));
  return out;
}

/** The whole TXT value as the resolver hands it to SPF/DKIM/DMARC parsers: strings joined. */
export function txtJoined(value: string): string {
  return txtStrings(value).join("");
}

/** `v=DKIM1; k=rsa; p=...` -> Map of tag -> value (whitespace removed from values). */
export function tagList(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of text.split(";")) {
    const eq = part.indexOf("=");
    if (eq < 0) continue;
    out.set(part.slice(0, eq).trim().toLowerCase(), part.slice(eq + 1).replace(/\s+/g, "").trim());
  }
  return out;
}

export interface DkimKeyInfo {
  readonly keyType: string;
  /** RSA modulus bits; 256 for ed25519. */
  readonly bits: number;
}

/** Decode the p= public key of a DKIM record; throws with a reason when it is not a key. */
export function dkimKey(record: string): DkimKeyInfo {
  const tags = tagList(record);
  const p = tags.get("p");
  if (!p) throw new Error("has no p= public key (or an empty, revoked one)");
  const k = (tags.get("k") ?? "rsa").toLowerCase();
  if (k === "ed25519") {
    const raw = Buffer.from(p, "base64");
    if (raw.length !== 32) throw new Error(`has an ed25519 key of ${raw.length} bytes, not 32`);
    return { keyType: "ed25519", bits: 256 };
  }
  const key = createPublicKey({ key: Buffer.from(p, "base64"), format: "der", type: "spki" });
  const bits = key.asymmetricKeyDetails?.modulusLength;
  if (key.asymmetricKeyType !== "rsa" || bits === undefined) throw new Error(`p= is a ${key.asymmetricKeyType ?? "unknown"} key, not RSA`);
  return { keyType: "rsa", bits };
}
