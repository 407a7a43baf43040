// The parts of @pulumi/aws this program uses, one import per service. The package's root index
// loads all of its ~300 service modules (measured: ~0.35 s of CPU on every synth and every
// `pulumi up` start, against ~0.06 s for these ~50 files). What the root index adds besides is the
// provider's registration for turning resource references from the engine back into objects;
// the AWS provider returns none to this program. Components import this as `aws`, so their code
// reads like the provider's documentation (aws.ec2.Instance, aws.iam.Role); the lint rule
// in eslint.config.mjs keeps the root import out.
export * as cloudwatch from "@pulumi/aws/cloudwatch";
export * as dlm from "@pulumi/aws/dlm";
export * as ebs from "@pulumi/aws/ebs";
export * as ec2 from "@pulumi/aws/ec2";
export * as guardduty from "@pulumi/aws/guardduty";
export * as iam from "@pulumi/aws/iam";
export * as kms from "@pulumi/aws/kms";
export * as route53 from "@pulumi/aws/route53";
export * as sesv2 from "@pulumi/aws/sesv2";
export * as sns from "@pulumi/aws/sns";
export * as ssm from "@pulumi/aws/ssm";
export { getAvailabilityZonesOutput } from "@pulumi/aws/getAvailabilityZones";
export { getCallerIdentityOutput } from "@pulumi/aws/getCallerIdentity";
export { getPartitionOutput } from "@pulumi/aws/getPartition";
export { Provider } from "@pulumi/aws/provider";
export type { Region } from "@pulumi/aws/types/enums";
export type * as types from "@pulumi/aws/types";
