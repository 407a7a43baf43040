// Snapshots of the data volume by Amazon Data Lifecycle Manager: every N hours from a fixed UTC
// time, keeping the last M. DLM finds the volume by its backup tag.
import * as aws from "./sdk";
import * as pulumi from "@pulumi/pulumi";
import { BACKUP_TAG_KEY, TYPE_PREFIX } from "./tags";

export interface BackupsArgs {
  stack: string;
  intervalHours: number;
  timeUtc: string;
  retainCount: number;
  tags: Record<string, string>;
}

export class Backups extends pulumi.ComponentResource {
  readonly policyArn: pulumi.Output<string>;

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
        }],
      },
      tags: args.tags,
    }, { parent: this, dependsOn: [attachment] });
    this.policyArn = policy.arn;
    this.registerOutputs({ policyArn: this.policyArn });
  }
}
