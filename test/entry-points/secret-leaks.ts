// "Secrets still secret" beyond matching paths: no secret may reach the engine in plain text
// anywhere, e.g. a password hash copied into a plain input or a private key into a stack output.
// The secrets are what the user set as secret config and what providers make up and return as
// secret outputs (additionalSecretOutputs that are not inputs: private keys, access key secrets).
// An input the provider echoes as secret (every SSM parameter's `value`, a CA certificate too)
// is the program's own value: its secretness is judged where the program sends it.
// Short values are skipped: they would match by accident.
import { isSecret } from "../support/fake-engine/wire";
import type { Registration } from "../support/fake-engine/types";

export interface Leak {
  readonly urn: string;
  readonly path: string;
}

const MIN_LENGTH = 12;

function plainLeaks(value: unknown, secrets: ReadonlySet<string>, path: string, found: string[]): void {
  if (isSecret(value)) return;
  if (typeof value === "string") {
    for (const s of secrets) if (value.includes(s)) found.push(path);
  } else if (Array.isArray(value)) value.forEach((v, i) => plainLeaks(v, secrets, `${path}[${i}]`, found));
  else if (typeof value === "object" && value !== null) {
    for (const [k, v] of Object.entries(value)) plainLeaks(v, secrets, `${path}.${k}`, found);
  }
}

/** The values providers made up and answered as secret outputs (what the fake engine handed back). */
export function providerSecrets(registrations: readonly Registration[]): string[] {
  return registrations.flatMap((r) => r.additionalSecretOutputs.filter((k) => !(k in r.inputs)).map((k) => r.state[k]))
    .map((v) => (isSecret(v) ? v.value : v)).filter((v): v is string => typeof v === "string");
}

/** Every place a secret shows up unwrapped in what the program sent: inputs and registered outputs. */
export function plaintextLeaks(registrations: readonly Registration[], secretConfig: readonly string[]): Leak[] {
  const secrets = new Set([...secretConfig, ...providerSecrets(registrations)].filter((s) => s.length >= MIN_LENGTH));
  const leaks: Leak[] = [];
  for (const r of registrations) {
    const found: string[] = [];
    plainLeaks(r.inputs, secrets, "inputs", found);
    if (r.registeredOutputs !== undefined) plainLeaks(r.registeredOutputs, secrets, "outputs", found);
    leaks.push(...found.map((path) => ({ urn: r.urn, path })));
  }
  return leaks;
}
