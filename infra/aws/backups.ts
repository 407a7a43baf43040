// Snapshots of the data volume by Amazon Data Lifecycle Manager: every N hours from a fixed UTC
// time, keeping the last M. DLM finds the volume by its backup tag. Optionally each snapshot is
// also copied to other regions, encrypted there with a key the stack keeps in that region.
import * as aws from "./sdk";
import * as pulumi from "@pulumi/pulumi";
import { dataKey } from "./data-key";
import { BACKUP_TAG_KEY, TYPE_PREFIX } from "./tags";

export interface CrossRegionCopy {
  readonly region: string;
  readonly retainDays: number;
}

export interface BackupsArgs {
  stack: string;
  intervalHours: number;
  timeUtc: string;
  retainCount: number;
  crossRegionCopies: readonly CrossRegionCopy[];
  /** The stack's data key, when a restored volume is encrypted with it (DLM must read it to copy). */
  dataKeyArn?: pulumi.Input<string>;
  tags: Record<string, string>;
}

export class Backups extends pulumi.ComponentResource {
  readonly policyArn: pulumi.Output<string>;
  /** The policy's id (policy-…): the DLMPolicyId dimension of DLM's metrics, which the backup alarms read. */
  readonly policyId: pulumi.Output<string>;
  /** Per target region, the key its copies are encrypted with. */
  readonly copyKeyArns: Readonly<Record<string, pulumi.Output<string>>>;

  constructor(name: string, args: BackupsArgs, opts?: pulumi.ComponentResourceOptions) {
    super(`${TYPE_PREFIX}:Backups`, name, {}, opts);
    const role = new aws.iam.Role(`${name}-dlm`, {
      description: `mailfort ${args.stack}: Data Lifecycle Manager snapshots of the data volume`,
      assumeRolePolicy: JSON.stringify({
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Principal: { Service: "dlm.amazonaws.com" }, Action: "sts:AssumeRole" }],
      }),
      tags: args.tags,
    }, { parent: this });
    const partition = aws.getPartitionOutput({}, { parent: this }).partition;
    const attachment = new aws.iam.RolePolicyAttachment(`${name}-dlm`, {
      role: role.name,
      policyArn: pulumi.interpolate`arn:${partition}:iam::aws:policy/service-role/AWSDataLifecycleManagerServiceRole`,
    }, { parent: this });

    const copyKeys = args.crossRegionCopies.map((c) => {
      const provider = new aws.Provider(`${name}-${c.region}`, { region: c.region as aws.Region }, { parent: this });
      const key = dataKey(`${name}-copies-${c.region}`, { stack: args.stack, purpose: `encrypts the copies of the data volume's snapshots in ${c.region}`, alias: `mailfort-${args.stack}-backup-copies`, tags: args.tags, provider }, this);
      return { ...c, keyArn: key.arn };
    });
    const keyArns = [...(args.dataKeyArn !== undefined ? [args.dataKeyArn] : []), ...copyKeys.map((k) => k.keyArn)];
    const dependsOn: pulumi.Resource[] = [attachment];
    if (keyArns.length > 0) {
      // A copy decrypts the source snapshot and encrypts the copy: DLM's role may use exactly
      // these keys (the managed policy grants none), and create grants only for AWS services.
      dependsOn.push(new aws.iam.RolePolicy(`${name}-dlm-keys`, {
        role: role.name,
        policy: pulumi.all(keyArns).apply((arns) => JSON.stringify({
          Version: "2012-10-17",
          Statement: [
            { Sid: "UseBackupKeys", Effect: "Allow", Action: ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"], Resource: arns },
            { Sid: "GrantToEbs", Effect: "Allow", Action: ["kms:CreateGrant"], Resource: arns, Condition: { Bool: { "kms:GrantIsForAWSResource": "true" } } },
          ],
        })),
      }, { parent: this }));
    }

    const policy = new aws.dlm.LifecyclePolicy(name, {
      description: `mailfort ${args.stack} data volume snapshots`,
      executionRoleArn: role.arn,
      state: "ENABLED",
      policyDetails: {
        resourceTypes: ["VOLUME"],
        targetTags: { [BACKUP_TAG_KEY]: args.stack },
        schedules: [{
          name: `every ${args.intervalHours}h, keep ${args.retainCount}`,
          createRule: { interval: args.intervalHours, intervalUnit: "HOURS", times: args.timeUtc },
          retainRule: { count: args.retainCount },
          copyTags: true,
          tagsToAdd: { "mailfort:snapshot": args.stack },
          ...(copyKeys.length > 0 ? {
            crossRegionCopyRules: copyKeys.map((k) => ({
              target: k.region, encrypted: true, cmkArn: k.keyArn, copyTags: true,
              retainRule: { interval: k.retainDays, intervalUnit: "DAYS" },
            })),
          } : {}),
        }],
      },
      tags: args.tags,
    }, { parent: this, dependsOn });
    this.policyArn = policy.arn;
    this.policyId = policy.id;
    this.copyKeyArns = Object.fromEntries(copyKeys.map((k) => [k.region, k.keyArn]));
    this.registerOutputs({ policyArn: this.policyArn });
  }
}
