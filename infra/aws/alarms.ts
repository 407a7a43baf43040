// CloudWatch alarms to an SNS topic (e-mailed when alarmEmail is set; encrypted with the
// monitoring key, whose policy lets CloudWatch and EventBridge publish): the instance's status
// checks (with automatic recovery on a failed host), one alarm per metric the host publishes
// itself (mailfort-metrics; the table with thresholds and runbooks is infra/core/host-metrics.ts),
// and the data volume's backups as Data Lifecycle Manager reports them (infra/core/backup-alarms.ts).
import * as aws from "./sdk";
import * as pulumi from "@pulumi/pulumi";
import { DLM_METRICS_NAMESPACE, DLM_POLICY_DIMENSION, backupAlarms } from "../core/backup-alarms";
import { HOST_METRICS_NAMESPACE, hostAlarms } from "../core/host-metrics";
import { DATA_DIR, WATCHED_MOUNTS } from "../core/host";
import { TYPE_PREFIX } from "./tags";

/** A snapshot policy the alarms watch. */
export interface BackupsWatched {
  readonly policyId: pulumi.Input<string>;
  readonly intervalHours: number;
}

export interface AlarmsArgs {
  stack: string;
  region: string;
  instanceId: pulumi.Input<string>;
  /** The monitoring key (monitoring-key.ts): AWS's aws/sns key would drop the alarms' messages. */
  topicKeyArn: pulumi.Input<string>;
  alarmEmail?: string;
  backups?: BackupsWatched;
  tags: Record<string, string>;
}

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
    // The host's own metrics, one alarm each (per mount for disk usage), from the table that
    // states them with their thresholds and runbooks (infra/core/host-metrics.ts).
    for (const alarm of hostAlarms(WATCHED_MOUNTS, DATA_DIR)) {
      const m = alarm.metric;
      new aws.cloudwatch.MetricAlarm(`${name}-${alarm.id}`, {
        ...common,
        alarmDescription: `mailfort ${args.stack}: ${alarm.description}`,
        namespace: HOST_METRICS_NAMESPACE, metricName: m.name, dimensions: { InstanceId: args.instanceId, ...alarm.dimensions },
        statistic: m.statistic, period: m.period, evaluationPeriods: m.evaluationPeriods, datapointsToAlarm: m.datapointsToAlarm,
        threshold: m.threshold, comparisonOperator: m.comparison,
        // No data means the host's publisher (or this one measurement) is not reporting: worth a
        // look, but not an ALARM. "breaching" would put every new instance in ALARM until it
        // has published a few minutes (and page on each replacement); "missing" goes to
        // INSUFFICIENT_DATA instead, which notifies when a metric that was arriving falls silent.
        treatMissingData: m.treatMissingData,
        insufficientDataActions: actions,
      }, { parent: this });
    }
    if (args.backups !== undefined) {
      for (const b of backupAlarms(args.backups.intervalHours)) {
        new aws.cloudwatch.MetricAlarm(`${name}-${b.id}`, {
          ...common,
          alarmDescription: `mailfort ${args.stack}: ${b.description}`,
          namespace: DLM_METRICS_NAMESPACE, metricName: b.metricName, dimensions: { [DLM_POLICY_DIMENSION]: args.backups.policyId },
          statistic: b.statistic, period: b.period, evaluationPeriods: b.evaluationPeriods, datapointsToAlarm: b.datapointsToAlarm,
          threshold: b.threshold, comparisonOperator: b.comparison, treatMissingData: b.treatMissingData,
          insufficientDataActions: actions,
        }, { parent: this });
      }
    }
    this.topicArn = topic.arn;
    this.registerOutputs({ topicArn: this.topicArn });
  }
}
