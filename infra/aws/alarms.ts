// CloudWatch alarms to an SNS topic (e-mailed when alarmEmail is set; encrypted with the
// monitoring key, whose policy lets CloudWatch and EventBridge publish): the instance's status
// checks (with automatic recovery on a failed host) and disk usage of the root and data
// filesystems as the host publishes it (mailfort-metrics; see infra/core/host-metrics.ts).
import * as aws from "./sdk";
import * as pulumi from "@pulumi/pulumi";
import { DISK_USED_METRIC, HOST_METRICS_NAMESPACE, PUBLISH_INTERVAL_SECONDS } from "../core/host-metrics";
import { WATCHED_MOUNTS } from "../core/host";
import { TYPE_PREFIX } from "./tags";

export interface AlarmsArgs {
  stack: string;
  region: string;
  instanceId: pulumi.Input<string>;
  /** The monitoring key (monitoring-key.ts): AWS's aws/sns key would drop the alarms' messages. */
  topicKeyArn: pulumi.Input<string>;
  alarmEmail?: string;
  tags: Record<string, string>;
}

/** Disk usage (percent) above which the alarm fires: time to grow the volume. */
const DISK_USED_THRESHOLD = 80;

export class Alarms extends pulumi.ComponentResource {
  readonly topicArn: pulumi.Output<string>;

  constructor(name: string, args: AlarmsArgs, opts?: pulumi.ComponentResourceOptions) {
    super(`${TYPE_PREFIX}:Alarms`, name, {}, opts);
    const topic = new aws.sns.Topic(name, { kmsMasterKeyId: args.topicKeyArn, tags: args.tags }, { parent: this });
    if (args.alarmEmail !== undefined) {
      // The address must confirm the subscription (AWS sends a link) before alarms arrive.
      new aws.sns.TopicSubscription(`${name}-email`, { topic: topic.arn, protocol: "email", endpoint: args.alarmEmail }, { parent: this });
    }
    const actions = [topic.arn];
    const common = { actionsEnabled: true, alarmActions: actions, okActions: actions, tags: args.tags };
    new aws.cloudwatch.MetricAlarm(`${name}-instance-status`, {
      ...common,
      alarmDescription: `mailfort ${args.stack}: the instance fails its status check (OS unresponsive): reboot it, and if it fails again read its console output (docs/operations.md#instance-status-check)`,
      namespace: "AWS/EC2", metricName: "StatusCheckFailed_Instance", dimensions: { InstanceId: args.instanceId },
      statistic: "Maximum", period: 60, evaluationPeriods: 3, threshold: 1, comparisonOperator: "GreaterThanOrEqualToThreshold",
    }, { parent: this });
    const partition = aws.getPartitionOutput({}, { parent: this }).partition;
    new aws.cloudwatch.MetricAlarm(`${name}-system-status`, {
      ...common,
      // A failed host is AWS's to fix: recover moves the instance (same id, address, volumes).
      alarmActions: [topic.arn, pulumi.interpolate`arn:${partition}:automate:${args.region}:ec2:recover`],
      alarmDescription: `mailfort ${args.stack}: the underlying host fails its status check; EC2 recovers the instance onto new hardware: check that mail flows again (docs/operations.md#system-status-check)`,
      namespace: "AWS/EC2", metricName: "StatusCheckFailed_System", dimensions: { InstanceId: args.instanceId },
      statistic: "Maximum", period: 60, evaluationPeriods: 2, threshold: 1, comparisonOperator: "GreaterThanOrEqualToThreshold",
    }, { parent: this });
    for (const [id, path] of WATCHED_MOUNTS.map((m) => [m === "/" ? "root-disk" : "data-disk", m] as const)) {
      new aws.cloudwatch.MetricAlarm(`${name}-${id}`, {
        ...common,
        alarmDescription: `mailfort ${args.stack}: ${path} is more than ${DISK_USED_THRESHOLD}% full, or the host stopped publishing its disk usage: free space or grow the volume (docs/operations.md#disk-usage)`,
        namespace: HOST_METRICS_NAMESPACE, metricName: DISK_USED_METRIC, dimensions: { InstanceId: args.instanceId, path },
        // One-minute periods, as the host publishes: five in a row over the line (or silent) alarm.
        statistic: "Maximum", period: PUBLISH_INTERVAL_SECONDS, evaluationPeriods: 5, datapointsToAlarm: 5,
        threshold: DISK_USED_THRESHOLD, comparisonOperator: "GreaterThanThreshold",
        // No data means the host's publisher is not reporting: worth a look, but not an ALARM.
        // "breaching" would put every new instance in ALARM until it has published five
        // minutes (and page on each replacement); "missing" goes to INSUFFICIENT_DATA instead,
        // which notifies when a publisher that was reporting falls silent.
        treatMissingData: "missing",
        insufficientDataActions: actions,
      }, { parent: this });
    }
    this.topicArn = topic.arn;
    this.registerOutputs({ topicArn: this.topicArn });
  }
}
