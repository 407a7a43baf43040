// What a synth produces, as plain data: the resource graph, the user data, the DNS record set,
// the zone files and the stack outputs. In memory it holds real secret values; `publicView`
// replaces every secret by "[secret]" and is the only form ever written to disk or sent
// between processes.
import type { MailConfig } from "../config";
import type { DnsRecord } from "../core/dns";
import type { HostFile } from "../core/host";
import type { RecordedOptions } from "./mocks";
import { SECRET_MARK, redact } from "./secret-values";

export interface SynthResource {
  type: string;
  name: string;
  urn?: string;
  /** false for component resources (mailfort:aws:*), true for provider-managed ones. */
  custom: boolean;
  id: string;
  inputs: Record<string, unknown>;
  /** Paths in `inputs` that are secret (redacted to "[secret]" in files). */
  secretPaths?: string[];
  /** Resource options as the engine saw them (protect, retainOnDelete, ...). */
  options?: RecordedOptions;
}

export interface SynthParameter {
  name: string;
  type: "String" | "SecureString";
  value: string;
}

/** What lands on the host, and how it travels there. */
export interface SynthHostFiles {
  /** Written by the user data itself (cloud-init write_files). */
  readonly bootstrap: readonly HostFile[];
  /** Installed from the SSM host bundle, decoded from the synthesized parameters. */
  readonly bundle: readonly HostFile[];
  /** The bundle's SHA-256, as the user data pins it. */
  readonly bundleSha256: string;
  /** How many SSM parameters carry the bundle, and their characters in all. */
  readonly bundleParameters: number;
  readonly bundleChars: number;
}

/** Where the DKIM rotation stands after the synthesized up, and what the next up does. */
export interface SynthRotation {
  /** The state parameter's JSON after this up. */
  state: string;
  /** Whether this up takes a step. */
  advanced: boolean;
  says: string;
  next: { step: string; says: string; notBefore?: string };
}

export interface SynthResult {
  stack: string;
  /** The stack config, with the DKIM layout of the rotation step the synthesized up takes. */
  config: MailConfig;
  dkimRotation: SynthRotation;
  resources: SynthResource[];
  /** The user data exactly as handed to EC2 (the instance's userDataBase64: base64 of gzip). */
  userData: string;
  /** The same, decoded: the #cloud-config text cloud-init runs. */
  cloudConfig: string;
  hostFiles: SynthHostFiles;
  records: DnsRecord[];
  /** Zone file text per zone (configured domains and the reverse zone). */
  zones: Record<string, string>;
  outputs: Record<string, unknown>;
  /** The SSM parameter tree; SecureString values are "[secret]" in the public view. */
  parameters: SynthParameter[];
  /** Stack config keys whose secure value could not be decrypted offline (a placeholder was used). */
  opaqueSecrets: string[];
}

export function publicView(result: SynthResult): SynthResult {
  return {
    ...result,
    resources: result.resources.map((r) => ({ ...r, inputs: redact(r.inputs, r.secretPaths ?? []) as Record<string, unknown> })),
    parameters: result.parameters.map((p) => (p.type === "SecureString" ? { ...p, value: SECRET_MARK } : p)),
    outputs: redactOutputs(result.outputs),
  };
}

/** Outputs are not secret in this program; the CA certificate is public by design. */
function redactOutputs(outputs: Record<string, unknown>): Record<string, unknown> {
  return { ...outputs };
}
