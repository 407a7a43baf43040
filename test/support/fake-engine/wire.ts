// Pulumi's wire form of property values, as the SDK sends them over gRPC in a
// google.protobuf.Struct: plain JSON, except that secrets, unknowns (preview), resource references
// and output values are objects tagged with a signature key. The fake engine keeps that form as it
// arrives, so a test can tell "secret on the wire" from "plain text that happens to be a key".
import * as pulumi from "@pulumi/pulumi";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";

const SIG_KEY = pulumi.runtime.specialSigKey;
const SECRET_SIG = pulumi.runtime.specialSecretSig;
/** The string the SDK sends for a value that is not known yet (a preview's computed outputs). */
export const UNKNOWN = pulumi.runtime.unknownValue;

export type WireObject = Record<string, unknown>;

export function fromStruct(struct: Struct | undefined): WireObject {
  return (struct?.toJavaScript() ?? {}) as WireObject;
}

/** Struct.fromJavaScript refuses `undefined`; a JSON round trip drops it as the Go engine would. */
export function toStruct(value: WireObject): Struct {
  return Struct.fromJavaScript(JSON.parse(JSON.stringify(value)) as Parameters<typeof Struct.fromJavaScript>[0]);
}

export function isSecret(value: unknown): value is { value: unknown } {
  return typeof value === "object" && value !== null && (value as WireObject)[SIG_KEY] === SECRET_SIG;
}

export function secret(value: unknown): WireObject {
  return { [SIG_KEY]: SECRET_SIG, value };
}

/** Whether a secret sits anywhere in `value`. */
export function containsSecret(value: unknown): boolean {
  if (isSecret(value)) return true;
  if (Array.isArray(value)) return value.some(containsSecret);
  if (typeof value === "object" && value !== null) return Object.values(value).some(containsSecret);
  return false;
}

/** Every path (a.b[0].c) whose value is the unknown sentinel. */
export function unknownPaths(value: unknown, path = ""): string[] {
  if (value === UNKNOWN) return [path];
  if (isSecret(value)) return unknownPaths(value.value, path);
  if (Array.isArray(value)) return value.flatMap((v, i) => unknownPaths(v, `${path}[${i}]`));
  if (typeof value === "object" && value !== null) {
    return Object.entries(value).flatMap(([k, v]) => unknownPaths(v, path === "" ? k : `${path}.${k}`));
  }
  return [];
}

/**
 * Outputs as the engine hands them back: a provider's output is secret when the input of the
 * same name was (the Go engine's annotateSecrets), so a secret never comes back in plain text.
 */
export function keepInputSecrets(inputs: WireObject, outputs: WireObject): WireObject {
  return Object.fromEntries(Object.entries(outputs).map(([k, v]) =>
    [k, containsSecret(inputs[k]) && !isSecret(v) ? secret(v) : v]));
}

/** `outputs` with the named keys made secret (RegisterResourceRequest.additionalSecretOutputs). */
export function markSecret(outputs: WireObject, keys: readonly string[]): WireObject {
  return Object.fromEntries(Object.entries(outputs).map(([k, v]) => [k, keys.includes(k) && !isSecret(v) ? secret(v) : v]));
}
