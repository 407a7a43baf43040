// The lab stack's validated configuration (stacks/Pulumi.lab.yaml), read the same way the
// Pulumi program reads it.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { type MailConfig, parseMailConfig, parseStackFile } from "../infra/config";

export const LAB_STACK = "lab";

export function repoRoot(): string {
  return join(__dirname, "..");
}

export function labStackFile(): string {
  return join(repoRoot(), "stacks", `Pulumi.${LAB_STACK}.yaml`);
}

/** The lab stack's config, or that of a variant of its stack file (the benchmark writes one). */
export function labStackConfig(file = labStackFile()): MailConfig {
  const stack = parseStackFile(readFileSync(file, "utf8"), file);
  return parseMailConfig({ values: stack.values, secretKeys: stack.secretKeys }, LAB_STACK);
}
