// GuardDuty findings about this server, to the alarm topic: an EventBridge rule on the region's
// default bus (where GuardDuty publishes, whichever stack owns the detector) with the pattern the
// pure core builds, and the topic as its target with a one-line message instead of raw JSON.
import * as aws from "./sdk";
import * as pulumi from "@pulumi/pulumi";
import { guardDutyFindingPattern } from "../core/guardduty-findings";
import { TYPE_PREFIX } from "./tags";

export interface FindingAlertsArgs {
  readonly stack: string;
  readonly instanceId: pulumi.Input<string>;
  readonly publicIpv4: pulumi.Input<string>;
  readonly ipv6?: pulumi.Input<string | undefined>;
  readonly instanceRoleName: pulumi.Input<string>;
  /** The detector whose findings these are (created by this stack or looked up): a tag of the rule. */
  readonly detectorId: pulumi.Input<string>;
  readonly topicArn: pulumi.Input<string>;
  readonly tags: Record<string, string>;
}

export class FindingAlerts extends pulumi.ComponentResource {
  readonly ruleArn: pulumi.Output<string>;

  constructor(name: string, args: FindingAlertsArgs, opts?: pulumi.ComponentResourceOptions) {
    super(`${TYPE_PREFIX}:FindingAlerts`, name, {}, opts);
    const pattern = pulumi.all([args.instanceId, args.publicIpv4, args.ipv6, args.instanceRoleName]).apply(([instanceId, publicIpv4, ipv6, roleName]) =>
      JSON.stringify(guardDutyFindingPattern({ instanceId, publicIpv4, roleName, ...(ipv6 !== undefined ? { ipv6 } : {}) })));
    const rule = new aws.cloudwatch.EventRule(name, {
      description: `mailfort ${args.stack}: GuardDuty findings of medium severity and up about this mail server`,
      eventPattern: pattern,
      tags: pulumi.output(args.detectorId).apply((id) => ({ ...args.tags, "mailfort:guardduty-detector": id })),
    }, { parent: this });
    new aws.cloudwatch.EventTarget(name, {
      rule: rule.name,
      arn: args.topicArn,
      inputTransformer: {
        inputPaths: { type: "$.detail.type", severity: "$.detail.severity", title: "$.detail.title", region: "$.region", id: "$.detail.id" },
        // A JSON string: SNS delivers it as the message text.
        inputTemplate: JSON.stringify(`mailfort ${args.stack}: GuardDuty finding <type> (severity <severity>): <title>. Details: https://<region>.console.aws.amazon.com/guardduty/home?region=<region>#/findings?fId=<id> (runbook: docs/operations.md#guardduty-findings)`),
      },
    }, { parent: this });
    this.ruleArn = rule.arn;
    this.registerOutputs({ ruleArn: this.ruleArn });
  }
}
