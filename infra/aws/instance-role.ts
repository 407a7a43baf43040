// The instance's IAM role and profile: Session Manager (no SSH), and an inline policy limited to
// this stack's parameters, key, metrics namespace and ACME challenge names.
import * as aws from "./sdk";
import * as pulumi from "@pulumi/pulumi";
import { acmeChallengePolicy, planAcmePolicies } from "./acme-policies";
import { instancePolicy } from "./instance-policy";
import { TYPE_PREFIX } from "./tags";

export interface InstanceRoleArgs {
  stack: string;
  region: string;
  parametersKeyArn: pulumi.Input<string>;
  /** Zones where certbot answers DNS-01 challenges, with the certificate names each holds. */
  acmeZones: Array<{ domain: string; zoneId: pulumi.Input<string>; names: string[] }>;
  tags: Record<string, string>;
}

// No AWS managed policy: Session Manager's channels and the host's metrics are statements of the
// inline policy (instancePolicy), each as narrow as IAM allows. AmazonSSMManagedInstanceCore
// would also let the host read every SSM parameter of the account, and CloudWatchAgentServerPolicy
// grants the agent's log, X-Ray and tag permissions, none of which the host uses.

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
    const accountId = aws.getCallerIdentityOutput({}, { parent: this }).accountId;
    this.policyDocument = pulumi.all([partition, accountId, args.parametersKeyArn])
      .apply(([part, account, keyArn]) => JSON.stringify(instancePolicy({
        partition: part, region: args.region, accountId: account, stack: args.stack, parametersKeyArn: keyArn,
        acme: args.acmeZones.length > 0,
      })));
    new aws.iam.RolePolicy(`${name}-scoped`, { role: role.name, policy: this.policyDocument }, { parent: this });
    // The ACME statements grow with the domains: the first group goes inline beside the role's own
    // policy (their 10,240 characters are shared), the rest into managed policies of 6,144 (acme-policies.ts).
    const zoneIdOf = new Map(args.acmeZones.map((z) => [z.domain, z.zoneId]));
    const namesOf = new Map(args.acmeZones.map((z) => [z.domain, z.names]));
    const document = (statements: readonly (readonly string[])[]) => {
      const domains = statements.flat();
      return pulumi.all([partition, ...domains.map((d) => zoneIdOf.get(d) as pulumi.Input<string>)]).apply(([part, ...ids]) => {
        const idOf = new Map(domains.map((d, n) => [d, ids[n] as string]));
        return JSON.stringify(acmeChallengePolicy(part as string, statements.map((st) => st.map((domain) => ({ domain, zoneId: idOf.get(domain) as string, names: namesOf.get(domain) ?? [] })))));
      });
    };
    planAcmePolicies(args.acmeZones).forEach((statements, i) => {
      if (i === 0) {
        new aws.iam.RolePolicy(`${name}-acme`, { role: role.name, policy: document(statements) }, { parent: this });
        return;
      }
      const policy = new aws.iam.Policy(`${name}-acme-${i}`, {
        path: "/mailfort/",
        description: `mailfort ${args.stack}: DNS-01 challenges (_acme-challenge TXT only) for ${statements.flat().join(", ")}`.slice(0, 1000),
        policy: document(statements),
        tags: args.tags,
      }, { parent: this });
      new aws.iam.RolePolicyAttachment(`${name}-acme-${i}`, { role: role.name, policyArn: policy.arn }, { parent: this });
    });
    const profile = new aws.iam.InstanceProfile(name, { role: role.name, tags: args.tags }, { parent: this });
    this.roleArn = role.arn;
    this.roleName = role.name;
    this.instanceProfileName = profile.name;
    this.registerOutputs({ roleArn: this.roleArn, instanceProfileName: this.instanceProfileName });
  }
}
