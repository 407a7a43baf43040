// VPC flow logs of the network mailfort creates: to a CloudWatch Logs group encrypted with the
// monitoring key, delivered by a role that may write only that group, and counted by a metric
// filter for the instance's outbound SMTP connections, with an alarm on bursts (a spam run from
// a hijacked account, or a compromised host). Decisions (format, pattern, alarm) are in
// infra/core/flow-logs.ts.
import * as aws from "./sdk";
import * as pulumi from "@pulumi/pulumi";
import { FLOW_LOG_AGGREGATION_SECONDS, FLOW_LOG_FORMAT, outboundSmtpBurstAlarm, outboundSmtpFilterPattern } from "../core/flow-logs";
import { flowLogDeliveryPolicy, flowLogTrustPolicy } from "./monitoring-policies";
import { TYPE_PREFIX } from "./tags";

export interface FlowLogsArgs {
  readonly stack: string;
  readonly region: string;
  readonly vpcId: pulumi.Input<string>;
  readonly logGroupName: string;
  readonly retentionDays: number;
  readonly keyArn: pulumi.Input<string>;
  /** The instance's private IPv4, and its IPv6 when on: the sources of its outbound traffic. */
  readonly privateIpv4: pulumi.Input<string>;
  readonly ipv6?: pulumi.Input<string | undefined>;
  readonly outboundSmtpThreshold: number;
  readonly topicArn: pulumi.Input<string>;
  readonly tags: Record<string, string>;
}

export class FlowLogs extends pulumi.ComponentResource {
  readonly logGroupArn: pulumi.Output<string>;

  constructor(name: string, args: FlowLogsArgs, opts?: pulumi.ComponentResourceOptions) {
    super(`${TYPE_PREFIX}:FlowLogs`, name, {}, opts);
    const child = { parent: this };
    const partition = aws.getPartitionOutput({}, child).partition;
    const accountId = aws.getCallerIdentityOutput({}, child).accountId;
    const scope = pulumi.all([partition, accountId]).apply(([p, account]) => ({ partition: p, region: args.region, accountId: account }));

    const group = new aws.cloudwatch.LogGroup(name, {
      name: args.logGroupName, kmsKeyId: args.keyArn, retentionInDays: args.retentionDays, tags: args.tags,
    }, child);
    const role = new aws.iam.Role(`${name}-delivery`, {
      description: `mailfort ${args.stack}: delivers the VPC flow logs to ${args.logGroupName}`,
      assumeRolePolicy: scope.apply((s) => JSON.stringify(flowLogTrustPolicy(s))),
      tags: args.tags,
    }, child);
    const policy = new aws.iam.RolePolicy(`${name}-delivery`, {
      role: role.name, policy: scope.apply((s) => JSON.stringify(flowLogDeliveryPolicy(s, args.logGroupName))),
    }, child);
    new aws.ec2.FlowLog(name, {
      vpcId: args.vpcId,
      trafficType: "ALL",
      logDestinationType: "cloud-watch-logs",
      logDestination: group.arn,
      iamRoleArn: role.arn,
      logFormat: FLOW_LOG_FORMAT,
      maxAggregationInterval: FLOW_LOG_AGGREGATION_SECONDS,
      tags: { ...args.tags, Name: name },
    }, { ...child, dependsOn: [policy] });

    const alarm = outboundSmtpBurstAlarm(args.stack, args.outboundSmtpThreshold);
    const filter = (id: string, address: pulumi.Input<string>) => new aws.cloudwatch.LogMetricFilter(`${name}-${id}`, {
      logGroupName: group.name,
      pattern: pulumi.output(address).apply(outboundSmtpFilterPattern),
      // 0 for every record that does not match: the metric shows a quiet server as zeros, not as a gap.
      metricTransformation: { namespace: alarm.namespace, name: alarm.metricName, value: "1", defaultValue: "0" },
    }, child);
    filter("outbound-smtp", args.privateIpv4);
    if (args.ipv6 !== undefined) {
      // IPv6 traffic leaves from the instance's own address; both filters add to the one metric.
      filter("outbound-smtp-v6", pulumi.output(args.ipv6).apply((a) => {
        if (a === undefined) throw new Error("internal: IPv6 is on, but the instance reports no IPv6 address");
        return a;
      }));
    }
    new aws.cloudwatch.MetricAlarm(`${name}-outbound-smtp`, {
      actionsEnabled: true, alarmActions: [args.topicArn], okActions: [args.topicArn],
      alarmDescription: alarm.description,
      namespace: alarm.namespace, metricName: alarm.metricName, statistic: alarm.statistic, period: alarm.period,
      evaluationPeriods: alarm.evaluationPeriods, datapointsToAlarm: alarm.datapointsToAlarm, threshold: alarm.threshold, comparisonOperator: alarm.comparisonOperator,
      treatMissingData: alarm.treatMissingData,
      tags: args.tags,
    }, child);
    this.logGroupArn = group.arn;
    this.registerOutputs({ logGroupArn: this.logGroupArn });
  }
}
