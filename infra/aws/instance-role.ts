// The instance's IAM role and profile: Session Manager (no SSH), the CloudWatch agent, and an
// inline policy limited to this stack's parameters, key and ACME challenge names.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { type AcmeZone, instancePolicy } from "./instance-policy";
import { TYPE_PREFIX } from "./tags";

export interface InstanceRoleArgs {
  stack: string;
  region: string;
  parametersKeyArn: pulumi.Input<string>;
  acmeZones: pulumi.Input<pulumi.Input<AcmeZone>[]>;
  tags: Record<string, string>;
}

const MANAGED_POLICIES = {
  ssm: "AmazonSSMManagedInstanceCore",
  cloudwatch: "CloudWatchAgentServerPolicy",
} as const;

export class InstanceRole extends pulumi.ComponentResource {
  readonly roleArn: pulumi.Output<string>;
  readonly roleName: pulumi.Output<string>;
  readonly instanceProfileName: pulumi.Output<string>;
  readonly policyDocument: pulumi.Output<string>;

  constructor(name: string, args: InstanceRoleArgs, opts?: pulumi.ComponentResourceOptions) {
    super(`${TYPE_PREFIX}:InstanceRole`, name, {}, opts);
    const role = new aws.iam.Role(name, {
      description: `mailfort ${args.stack}: the mail server instance`,
      assumeRolePolicy: JSON.stringify({
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }],
      }),
      tags: args.tags,
    }, { parent: this });
    const partition = aws.getPartitionOutput({}, { parent: this }).partition;
    for (const [key, policy] of Object.entries(MANAGED_POLICIES)) {
      new aws.iam.RolePolicyAttachment(`${name}-${key}`, {
        role: role.name,
        policyArn: pulumi.interpolate`arn:${partition}:iam::aws:policy/${policy}`,
      }, { parent: this });
    }
    const accountId = aws.getCallerIdentityOutput({}, { parent: this }).accountId;
    this.policyDocument = pulumi.all([partition, accountId, args.parametersKeyArn, pulumi.output(args.acmeZones)])
      .apply(([part, account, keyArn, zones]) => JSON.stringify(instancePolicy({
        partition: part, region: args.region, accountId: account, stack: args.stack, parametersKeyArn: keyArn, acmeZones: zones,
      })));
    new aws.iam.RolePolicy(`${name}-scoped`, { role: role.name, policy: this.policyDocument }, { parent: this });
    const profile = new aws.iam.InstanceProfile(name, { role: role.name, tags: args.tags }, { parent: this });
    this.roleArn = role.arn;
    this.roleName = role.name;
    this.instanceProfileName = profile.name;
    this.registerOutputs({ roleArn: this.roleArn, instanceProfileName: this.instanceProfileName });
  }
}
