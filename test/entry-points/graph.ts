// One shape for a resource graph, from either side of the comparison: the fake engine's wire
// registrations (a program started through Pulumi's entry point) or the offline synth's
// resources.json (the program under in-process mocks). Secret values become "[secret]" on both
// sides, and parents are named by type and name, because the engine and the SDK's mock monitor
// spell a grandchild's URN differently.
import { isDeepStrictEqual } from "node:util";
import { hiddenSecretPaths } from "../../infra/synth/hidden-secrets";
import { redact, unwrapSecrets } from "../../infra/synth/secret-values";
import type { Registration } from "../support/fake-engine/types";
import { ROOT_STACK_TYPE, parseUrn } from "../support/fake-engine/urn";
import { UNKNOWN, isSecret, secret } from "../support/fake-engine/wire";

export interface GraphNode {
  readonly type: string;
  readonly name: string;
  /** "type::name" of the parent; "" for a resource at the top of the stack. */
  readonly parent: string;
  readonly custom: boolean;
  readonly inputs: Record<string, unknown>;
  readonly secretPaths: readonly string[];
  readonly protect: boolean;
  readonly retainOnDelete: boolean;
}

/** One entry of the synth's resources.json. */
export interface ResourcesJsonEntry {
  type: string;
  name: string;
  custom: boolean;
  inputs: Record<string, unknown>;
  secretPaths?: string[];
  options?: { parent: string; protect: boolean; retainOnDelete: boolean };
}

const key = (n: Pick<GraphNode, "type" | "name">) => `${n.type}::${n.name}`;

function parentKey(urn: string): string {
  if (urn === "") return "";
  const p = parseUrn(urn);
  return p.type === ROOT_STACK_TYPE ? "" : key(p);
}

/**
 * A wire value as the SDK's deserializer hands it to mocks: a secret inside an array or object
 * makes the whole array or object secret (rpc.deserializeProperty pushes secretness up), so the
 * synth records `environment` where the wire says `environment.KEY`.
 */
export function liftSecrets(value: unknown): unknown {
  const plain = (v: unknown) => (isSecret(v) ? v.value : v);
  if (isSecret(value)) return secret(plain(liftSecrets(value.value)));
  if (Array.isArray(value)) {
    const items = value.map(liftSecrets);
    return items.some(isSecret) ? secret(items.map(plain)) : items;
  }
  if (typeof value === "object" && value !== null) {
    const entries = Object.entries(value).map(([k, v]) => [k, liftSecrets(v)] as const);
    const obj = Object.fromEntries(entries.map(([k, v]) => [k, plain(v)]));
    return entries.some(([, v]) => isSecret(v)) ? secret(obj) : Object.fromEntries(entries);
  }
  return value;
}

export function graphFromRegistrations(registrations: readonly Registration[]): GraphNode[] {
  return registrations.filter((r) => r.type !== ROOT_STACK_TYPE).map((r) => {
    const lifted = Object.fromEntries(Object.entries(r.inputs).map(([k, v]) => [k, liftSecrets(v)]));
    const unwrapped = unwrapSecrets(lifted);
    // The engine gets every SSM value as a secret (the SDK's doing); the synth shows the String
    // ones (infra/synth/hidden-secrets.ts), so their values are compared in the clear.
    const secretPaths = hiddenSecretPaths({ type: r.type, inputs: unwrapped.value as Record<string, unknown>, secretPaths: unwrapped.secretPaths });
    const value = unwrapped.value;
    return {
      type: r.type, name: r.name, parent: parentKey(r.parent), custom: r.custom,
      inputs: redact(value, secretPaths) as Record<string, unknown>,
      secretPaths: [...secretPaths].sort(), protect: r.protect, retainOnDelete: r.retainOnDelete,
    };
  }).sort((a, b) => key(a).localeCompare(key(b)));
}

export function graphFromResourcesJson(entries: readonly ResourcesJsonEntry[]): GraphNode[] {
  return entries.map((e) => ({
    type: e.type, name: e.name, parent: parentKey(e.options?.parent ?? ""), custom: e.custom, inputs: e.inputs,
    secretPaths: [...(e.secretPaths ?? [])].sort(), protect: e.options?.protect ?? false, retainOnDelete: e.options?.retainOnDelete ?? false,
  })).sort((a, b) => key(a).localeCompare(key(b)));
}

/**
 * Where a preview's value differs from the final one: a preview sends the unknown sentinel for
 * whatever a provider has not computed yet, which matches any final value (a whole subtree).
 */
export function previewMismatches(preview: unknown, final: unknown, path = ""): string[] {
  if (preview === UNKNOWN) return [];
  if (Array.isArray(preview) && Array.isArray(final)) {
    if (preview.length !== final.length) return [path];
    return preview.flatMap((v, i) => previewMismatches(v, final[i], `${path}[${i}]`));
  }
  if (typeof preview === "object" && preview !== null && typeof final === "object" && final !== null && !Array.isArray(final)) {
    const keys = new Set([...Object.keys(preview), ...Object.keys(final)]);
    return [...keys].flatMap((k) => previewMismatches((preview as Record<string, unknown>)[k], (final as Record<string, unknown>)[k], path === "" ? k : `${path}.${k}`));
  }
  return isDeepStrictEqual(preview, final) ? [] : [path];
}
