// The stack's monitoring key: a customer managed KMS key for the alarm topic and the flow-log
// group. AWS's own aws/sns key cannot be granted to CloudWatch alarms or EventBridge, so a topic
// encrypted with it drops their notifications; this key's policy names exactly who may use it
// (monitoring-policies.ts).
import * as aws from "./sdk";
import * as pulumi from "@pulumi/pulumi";
import { monitoringKeyPolicy } from "./monitoring-policies";

export interface MonitoringKeyArgs {
  readonly stack: string;
  readonly region: string;
  /** The flow-log group the key encrypts, when flow logs are on. */
  readonly flowLogGroupName?: string;
  readonly tags: Record<string, string>;
}

export function monitoringKey(name: string, args: MonitoringKeyArgs, parent: pulumi.Resource): aws.kms.Key {
  const opts = { parent };
  const partition = aws.getPartitionOutput({}, opts).partition;
  const accountId = aws.getCallerIdentityOutput({}, opts).accountId;
  const key = new aws.kms.Key(name, {
    description: `mailfort ${args.stack}: encrypts the alarm topic${args.flowLogGroupName !== undefined ? " and the VPC flow logs" : ""}`,
    enableKeyRotation: true,
    deletionWindowInDays: 30,
    policy: pulumi.all([partition, accountId]).apply(([p, account]) =>
      JSON.stringify(monitoringKeyPolicy({ partition: p, region: args.region, accountId: account }, args.flowLogGroupName))),
    tags: args.tags,
  }, opts);
  new aws.kms.Alias(name, { name: `alias/mailfort-${args.stack}-monitoring`, targetKeyId: key.keyId }, opts);
  return key;
}
