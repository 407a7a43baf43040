// Shared readers for the infra tests: find resources of a synth by type, parse IAM documents.
import type { SynthResource, SynthResult } from "../../infra/synth";

export function ofType(result: SynthResult, type: string): SynthResource[] {
  return result.resources.filter((r) => r.type === type);
}

/** The one resource of `type` (with inputs.name `name`, when given); throws on none or several. */
export function only(result: SynthResult, type: string, name?: string): SynthResource {
  const found = ofType(result, type).filter((r) => name === undefined || r.inputs.name === name);
  if (found.length !== 1) throw new Error(`expected exactly one ${type}${name !== undefined ? ` named ${name}` : ""}, found ${found.length}`);
  return found[0] as SynthResource;
}

export interface Statement {
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Resource: string | string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}

export function statements(policyJson: unknown): Statement[] {
  if (typeof policyJson !== "string") throw new Error(`policy is not a JSON string: ${JSON.stringify(policyJson)}`);
  const doc = JSON.parse(policyJson) as { Statement: Statement[] };
  return doc.Statement;
}

export const list = (v: string | string[]): string[] => (Array.isArray(v) ? v : [v]);

/** The strings of a TXT value in presentation format: "a" "b" -> [a, b]. */
export function txtStrings(value: string): string[] {
  return (value.match(/"((?:[^"\\]|\\.)*)"/g) ?? []).map((s) => s.slice(1, -1));
}

/** A stack file of `n` mail domains (one mailbox each), for scale tests: the synth benchmark's. */
export { generatedStack } from "../../bench/synth-scale";

/** Every statement granted to an IAM role: its inline policies and its customer managed ones. */
export function roleStatements(result: SynthResult, roleName: string): Statement[] {
  const inline = result.resources.filter((r) => r.type === "aws:iam/rolePolicy:RolePolicy" && r.inputs.role === roleName);
  const attached = new Set(result.resources.filter((r) => r.type === "aws:iam/rolePolicyAttachment:RolePolicyAttachment" && r.inputs.role === roleName).map((r) => r.options?.dependencies ?? []).flat());
  const managed = result.resources.filter((r) => r.type === "aws:iam/policy:Policy" && r.urn !== undefined && attached.has(r.urn));
  return [...inline, ...managed].flatMap((p) => statements(p.inputs.policy));
}

/** The lab stack with its TLS in self-signed mode (a stack-made CA), the mode of quick runs and previews. */
export function selfSignedLabText(labText: string): string {
  const text = labText.replace(/ {2}mailfort:tls:\n(?: {4}.*\n)+/, "  mailfort:tls:\n    mode: self-signed\n");
  if (!text.includes("    mode: self-signed\n")) throw new Error("the lab stack has no mailfort:tls block to switch to self-signed");
  return text;
}
