// The alarms that watch the data volume's snapshots from AWS's side. Data Lifecycle Manager
// publishes its own metrics per policy (namespace AWS/EBS, dimension DLMPolicyId): a snapshot
// it failed to take, and each one it completed. The host cannot tell the age of its newest
// snapshot without ec2:DescribeSnapshots, which IAM grants only on "*" (every snapshot of the
// account), so the age is read from DLM's completions instead: none in a scheduled interval plus
// slack and the alarm leaves OK.

/** Where DLM publishes its policies' metrics. */
export const DLM_METRICS_NAMESPACE = "AWS/EBS";
export const DLM_POLICY_DIMENSION = "DLMPolicyId";

/** Hours past the scheduled interval before a missing snapshot is news: DLM starts within the hour of its time. */
export const BACKUP_SLACK_HOURS = 2;

export interface BackupAlarm {
  /** Alarm resource suffix. */
  readonly id: string;
  readonly metricName: "SnapshotsCreateFailed" | "SnapshotsCreateCompleted";
  readonly statistic: "Sum";
  readonly period: number;
  readonly evaluationPeriods: number;
  readonly datapointsToAlarm: number;
  readonly threshold: number;
  readonly comparison: "GreaterThanOrEqualToThreshold" | "LessThanThreshold";
  readonly treatMissingData: "notBreaching" | "missing";
  /** One line, ending in its runbook link. */
  readonly description: string;
}

const HOUR = 3600;

export function backupAlarms(intervalHours: number): BackupAlarm[] {
  const window = intervalHours + BACKUP_SLACK_HOURS;
  return [
    {
      id: "backup-failed", metricName: "SnapshotsCreateFailed",
      // Any failed snapshot pages: the data volume went one interval without a backup.
      statistic: "Sum", period: HOUR, evaluationPeriods: 1, datapointsToAlarm: 1, threshold: 1, comparison: "GreaterThanOrEqualToThreshold",
      // No failures published is the normal case.
      treatMissingData: "notBreaching",
      description: "Data Lifecycle Manager failed to snapshot the data volume: read the policy's state and the snapshot's error in the EC2 console (Lifecycle Manager), fix the cause, and take a snapshot by hand if the next one is far (docs/operations.md#backup-failed)",
    },
    {
      id: "backup-stale", metricName: "SnapshotsCreateCompleted",
      // Completions over the last interval + slack, hour by hour. DLM publishes only when it
      // runs, so "no snapshot completed in the window" is no data at all: the alarm goes to
      // INSUFFICIENT_DATA, which notifies the topic like ALARM does (the alarms' insufficient-data
      // actions). "breaching" would instead put a new stack in ALARM until its first snapshot.
      statistic: "Sum", period: HOUR, evaluationPeriods: window, datapointsToAlarm: window, threshold: 1, comparison: "LessThanThreshold",
      treatMissingData: "missing",
      description: `no snapshot of the data volume completed in the last ${window} hours (one every ${intervalHours} h is scheduled): backups have stopped; check the Lifecycle Manager policy is ENABLED and the volume still carries its backup tag (docs/operations.md#backup-stale)`,
    },
  ];
}
