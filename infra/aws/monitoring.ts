// Everything that watches the server from outside it and pages through SNS, never through the
// server's own mail: the alarms (alarms.ts), GuardDuty findings about the server
// (guardduty.ts, finding-alerts.ts), and the VPC flow logs with their outbound SMTP alarm
// (flow-logs.ts), all to the one alarm topic, encrypted with the stack's monitoring key.
import * as aws from "./sdk";
import * as pulumi from "@pulumi/pulumi";
import type { MailConfig } from "../config";
import { Alarms, type BackupsWatched } from "./alarms";
import { FindingAlerts } from "./finding-alerts";
import { FlowLogs } from "./flow-logs";
import { GuardDutyDetector } from "./guardduty";
import { monitoringKey } from "./monitoring-key";
import { alertTopicPolicy } from "./monitoring-policies";

export interface MonitoredServer {
  /** The VPC mailfort created; undefined on an existing subnet (its owner runs the flow logs). */
  readonly createdVpcId?: pulumi.Output<string>;
  readonly instanceId: pulumi.Output<string>;
  readonly instanceRoleName: pulumi.Output<string>;
  readonly privateIpv4: pulumi.Output<string>;
  readonly publicIpv4: pulumi.Output<string>;
  readonly ipv6?: pulumi.Output<string | undefined>;
  /** The data volume's snapshot policy, when backups are on: its alarms read DLM's metrics. */
  readonly backups?: BackupsWatched;
}

/** The flow-log group's name: fixed, so the key policy can name it before the group exists. */
export function flowLogGroupName(stack: string): string {
  return `/mailfort/${stack}/vpc-flow-logs`;
}

/** Whether this stack keeps flow logs: on by default, for a network it creates. */
export function flowLogsOn(cfg: MailConfig): boolean {
  return cfg.monitoring.flowLogs.enabled && cfg.network.subnetId === undefined;
}

export function outOfBandMonitoring(name: string, cfg: MailConfig, server: MonitoredServer, tags: Record<string, string>, parent: pulumi.Resource): void {
  const child = { parent };
  const flowLogs = flowLogsOn(cfg) && server.createdVpcId !== undefined;
  const groupName = flowLogs ? flowLogGroupName(cfg.stack) : undefined;
  const key = monitoringKey(`${name}-monitoring-key`, { stack: cfg.stack, region: cfg.region, ...(groupName !== undefined ? { flowLogGroupName: groupName } : {}), tags }, parent);
  const alarms = new Alarms(`${name}-alarms`, {
    stack: cfg.stack, region: cfg.region, instanceId: server.instanceId, topicKeyArn: key.arn, tags,
    ...(cfg.alarmEmail !== undefined ? { alarmEmail: cfg.alarmEmail } : {}),
    ...(server.backups !== undefined ? { backups: server.backups } : {}),
  }, child);

  const guardduty = cfg.monitoring.guardduty;
  // `existing` looks the region's detector up: without one the lookup fails the deploy, where the
  // rule would otherwise wait for findings nobody produces.
  const detectorId = guardduty === "create" ? new GuardDutyDetector(`${name}-guardduty`, { tags }, child).detectorId
    : guardduty === "existing" ? aws.guardduty.getDetectorOutput({}, child).id : undefined;
  const findings = detectorId === undefined ? undefined : new FindingAlerts(`${name}-findings`, {
    stack: cfg.stack, instanceId: server.instanceId, instanceRoleName: server.instanceRoleName, publicIpv4: server.publicIpv4, detectorId, topicArn: alarms.topicArn, tags,
    ...(server.ipv6 !== undefined ? { ipv6: server.ipv6 } : {}),
  }, child);

  const partition = aws.getPartitionOutput({}, child).partition;
  const accountId = aws.getCallerIdentityOutput({}, child).accountId;
  new aws.sns.TopicPolicy(`${name}-alerts`, {
    arn: alarms.topicArn,
    policy: pulumi.all([partition, accountId, alarms.topicArn, findings?.ruleArn]).apply(([p, account, topicArn, ruleArn]) =>
      JSON.stringify(alertTopicPolicy({ partition: p, region: cfg.region, accountId: account }, topicArn, cfg.stack, ruleArn))),
  }, child);

  if (groupName !== undefined && server.createdVpcId !== undefined) {
    new FlowLogs(`${name}-flow-logs`, {
      stack: cfg.stack, region: cfg.region, vpcId: server.createdVpcId, logGroupName: groupName,
      retentionDays: cfg.monitoring.flowLogs.retentionDays, keyArn: key.arn,
      privateIpv4: server.privateIpv4, ...(server.ipv6 !== undefined ? { ipv6: server.ipv6 } : {}),
      outboundSmtpThreshold: cfg.monitoring.flowLogs.outboundSmtpPer5Min, topicArn: alarms.topicArn, tags,
    }, child);
  }
}
