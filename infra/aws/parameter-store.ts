// The stack's SSM parameter tree (/mailfort/<stack>/...) and the dedicated KMS key that encrypts
// its SecureStrings, so the instance role's kms:Decrypt names exactly one key.
import * as aws from "./sdk";
import * as pulumi from "@pulumi/pulumi";
import type { ParameterKind } from "../core/parameters";
import { TYPE_PREFIX, logicalName } from "./tags";

export interface ParameterSpec {
  name: string;
  kind: ParameterKind;
  value: pulumi.Input<string>;
  description: string;
}

export interface ParameterStoreArgs {
  stack: string;
  parameters: ParameterSpec[];
  tags: Record<string, string>;
}

/** SSM's standard tier holds 4 KiB per value; larger values (long lists) need the advanced tier. */
const STANDARD_TIER_MAX = 4096;

export class ParameterStore extends pulumi.ComponentResource {
  readonly keyArn: pulumi.Output<string>;
  readonly parameterNames: readonly string[];

  constructor(name: string, args: ParameterStoreArgs, opts?: pulumi.ComponentResourceOptions) {
    super(`${TYPE_PREFIX}:ParameterStore`, name, {}, opts);
    const key = new aws.kms.Key(`${name}-key`, {
      description: `mailfort ${args.stack}: encrypts the stack's SecureString parameters`,
      enableKeyRotation: true,
      deletionWindowInDays: 30,
      tags: args.tags,
    }, { parent: this });
    new aws.kms.Alias(`${name}-key`, { name: `alias/mailfort-${args.stack}`, targetKeyId: key.keyId }, { parent: this });
    const names = new Set<string>();
    for (const p of args.parameters) {
      if (names.has(p.name)) throw new Error(`internal: SSM parameter ${p.name} declared twice`);
      names.add(p.name);
      const value = p.kind === "SecureString" ? pulumi.secret(p.value) : pulumi.output(p.value);
      new aws.ssm.Parameter(logicalName(name, p.name), {
        name: p.name,
        type: p.kind,
        value,
        description: p.description,
        ...(p.kind === "SecureString" ? { keyId: key.arn } : {}),
        // Only the size is read here, so the tier itself is not a secret.
        tier: pulumi.unsecret(pulumi.output(p.value)).apply((v) => (Buffer.byteLength(v) > STANDARD_TIER_MAX ? "Advanced" : "Standard")),
        tags: args.tags,
      }, { parent: this });
    }
    this.keyArn = key.arn;
    this.parameterNames = [...names];
    this.registerOutputs({ keyArn: this.keyArn, parameterNames: this.parameterNames });
  }
}
