// Secrets reach mocks wrapped as {[specialSigKey]: specialSecretSig, value} (the SDK's wire form).
// unwrapSecrets returns the plain value and the paths that were secret; redact replaces those
// paths by "[secret]" so nothing secret is ever written to a JSON file.

import * as pulumi from "@pulumi/pulumi";

export const SECRET_MARK = "[secret]";
const SIG_KEY = pulumi.runtime.specialSigKey;
const SECRET_SIG = pulumi.runtime.specialSecretSig;

function isWrappedSecret(v: unknown): v is { value: unknown } {
  return typeof v === "object" && v !== null && (v as Record<string, unknown>)[SIG_KEY] === SECRET_SIG;
}

export function unwrapSecrets(value: unknown, path = "", secretPaths: string[] = []): { value: unknown; secretPaths: string[] } {
  const walk = (v: unknown, p: string): unknown => {
    if (isWrappedSecret(v)) {
      secretPaths.push(p);
      return walk(v.value, p);
    }
    if (Array.isArray(v)) return v.map((e, i) => walk(e, `${p}[${i}]`));
    if (typeof v === "object" && v !== null) {
      return Object.fromEntries(Object.entries(v).map(([k, e]) => [k, walk(e, p === "" ? k : `${p}.${k}`)]));
    }
    return v;
  };
  return { value: walk(value, path), secretPaths };
}

/** A copy of `value` with every secret path (and everything below it) replaced by "[secret]". */
export function redact(value: unknown, secretPaths: readonly string[]): unknown {
  const secret = new Set(secretPaths);
  const walk = (v: unknown, p: string): unknown => {
    if (secret.has(p)) return SECRET_MARK;
    if (Array.isArray(v)) return v.map((e, i) => walk(e, `${p}[${i}]`));
    if (typeof v === "object" && v !== null) return Object.fromEntries(Object.entries(v).map(([k, e]) => [k, walk(e, p === "" ? k : `${p}.${k}`)]));
    return v;
  };
  return walk(value, "");
}
