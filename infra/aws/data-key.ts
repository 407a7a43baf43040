// A KMS key the stack keeps for its backups: restored data volumes are encrypted with it, and
// cross-region snapshot copies with one per target region. It is protected and retained on
// delete like the volumes: a volume or copy whose key is gone can never be read again.
import * as aws from "./sdk";
import type * as pulumi from "@pulumi/pulumi";

export interface DataKeyArgs {
  readonly stack: string;
  /** What the key encrypts, for its description. */
  readonly purpose: string;
  readonly alias: string;
  readonly tags: Record<string, string>;
  readonly provider?: aws.Provider;
}

export function dataKey(name: string, args: DataKeyArgs, parent: pulumi.Resource): aws.kms.Key {
  const opts = { parent, ...(args.provider !== undefined ? { provider: args.provider } : {}) };
  const key = new aws.kms.Key(name, {
    description: `mailfort ${args.stack}: ${args.purpose}`,
    enableKeyRotation: true,
    // The longest AWS allows: a scheduled deletion can still be cancelled for a month.
    deletionWindowInDays: 30,
    tags: args.tags,
  }, { ...opts, protect: true, retainOnDelete: true });
  new aws.kms.Alias(name, { name: `alias/${args.alias}`, targetKeyId: key.keyId }, opts);
  return key;
}
