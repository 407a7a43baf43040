// Monitoring out of band: what pages the operator must go through AWS (SNS), never through the
// server's own mail, and the network's traffic must be on record. Judged from the graph: a
// stack file that asks for monitoring proves nothing if the program does not create it.
import type { PolicyResource } from "@pulumi/policy";
import { asArray, field, resourcePolicy, stackPolicy, str } from "../define";
import { HOST_TYPES, lastFile } from "../lib/host-files";
import { type HostFile, userDataOf } from "../lib/user-data";

export const VPC = "aws:ec2/vpc:Vpc";
export const FLOW_LOG = "aws:ec2/flowLog:FlowLog";
export const LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup";
export const METRIC_ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm";
export const EVENT_RULE = "aws:cloudwatch/eventRule:EventRule";
export const EVENT_TARGET = "aws:cloudwatch/eventTarget:EventTarget";

/** GuardDuty's lowest medium severity: findings from here up must page someone. The pack's own
 * copy (the product's is infra/core/guardduty-findings.ts; independent-lists.test.ts holds them together). */
export const MEDIUM_SEVERITY = 4;
const SNS_TOPIC_ARN = /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]+$/;
/** A runbook is a section of the operations guide, named in the alarm's description. */
const RUNBOOK_LINK = /docs\/operations\.md#[a-z0-9-]+/;

const groupNamed = (groups: readonly PolicyResource[], arn: string) =>
  groups.find((g) => typeof g.props.name === "string" && arn.endsWith(`:log-group:${g.props.name}`));

export const flowLogsPolicy = stackPolicy({
  name: "monitoring-flow-logs",
  area: "monitoring",
  description: "Every VPC the stack creates has a flow log of ALL traffic to a CloudWatch Logs group that is KMS-encrypted and has a retention.",
  why: "Without flow records a hijacked account's spam run or a compromised host's connections leave no trace to alarm on or to investigate; unencrypted or unbounded logs leak or cost without end.",
  check: (resources, report) => {
    const vpcs = resources.filter((r) => r.type === VPC);
    const logs = resources.filter((r) => r.type === FLOW_LOG && str(r.props.vpcId) !== undefined);
    const groups = resources.filter((r) => r.type === LOG_GROUP);
    if (logs.length < vpcs.length) {
      report(`${vpcs.length} VPC(s) created, but ${logs.length} VPC flow log(s): set monitoring.flowLogs.enabled: true (or log the VPC with aws.ec2.FlowLog)`, vpcs[0]?.urn);
    }
    for (const log of logs) {
      const traffic = str(log.props.trafficType);
      if (traffic !== "ALL") report(`${log.name}: trafficType is ${JSON.stringify(traffic ?? "unset")}; log ALL traffic (accepted outbound connections are what the SMTP burst alarm counts)`, log.urn);
      if (str(log.props.logDestinationType) !== "cloud-watch-logs") {
        report(`${log.name}: delivers to ${JSON.stringify(log.props.logDestinationType ?? "unset")}; deliver to CloudWatch Logs, where the metric filter counts outbound SMTP`, log.urn);
        continue;
      }
      const group = groupNamed(groups, str(log.props.logDestination) ?? "");
      if (group === undefined) { report(`${log.name}: its log group ${JSON.stringify(log.props.logDestination)} is not one of the stack's`, log.urn); continue; }
      if (str(group.props.kmsKeyId) === undefined) report(`${group.name}: the flow-log group is not encrypted with a KMS key; set kmsKeyId`, group.urn);
      const days = Number(group.props.retentionInDays ?? 0);
      if (!(days > 0)) report(`${group.name}: the flow-log group keeps records forever; set retentionInDays (monitoring.flowLogs.retentionDays)`, group.urn);
    }
  },
});

/** The numeric lower bound of a GuardDuty rule's severity filter, if it has one. */
function severityFloor(pattern: unknown): number | undefined {
  for (const cond of asArray(field(pattern, "detail", "severity"))) {
    const numeric = asArray(field(cond, "numeric"));
    if ((numeric[0] === ">=" || numeric[0] === ">") && typeof numeric[1] === "number") return numeric[1];
  }
  return undefined;
}

function guardDutyRules(resources: readonly PolicyResource[]): Array<{ rule: PolicyResource; pattern: unknown }> {
  return resources.filter((r) => r.type === EVENT_RULE).flatMap((rule) => {
    // Read outside the try: a pattern unknown during preview throws CrossGuard's UnknownValueError,
    // which must reach the analyzer (it reports the policy as not judgeable yet), not read as "no rule".
    const text = str(rule.props.eventPattern) ?? "null";
    let pattern: unknown;
    try {
      pattern = JSON.parse(text);
    } catch (e) {
      if (e instanceof SyntaxError) return [];
      throw e;
    }
    return asArray(field(pattern, "source")).includes("aws.guardduty") ? [{ rule, pattern }] : [];
  });
}

export const guardDutyPolicy = stackPolicy({
  name: "monitoring-guardduty",
  area: "monitoring",
  description: "In prod, GuardDuty findings of medium severity and up reach an SNS topic through an EventBridge rule (relax with a reason when the account routes them otherwise).",
  why: "A server sending spam, mining or talking to a command-and-control host is what GuardDuty reports; a finding nobody is told about protects nothing.",
  check: (resources, report, { facts }) => {
    if (facts.environment !== "prod") return;
    const rules = guardDutyRules(resources);
    if (rules.length === 0) {
      report("no EventBridge rule routes GuardDuty findings: set monitoring.guardduty to create (or existing, when another stack owns the detector)");
      return;
    }
    for (const { rule, pattern } of rules) {
      const floor = severityFloor(pattern);
      if (floor === undefined || floor > MEDIUM_SEVERITY) report(`${rule.name}: passes findings from severity ${floor ?? "(none: no severity filter)"}; match severity >= ${MEDIUM_SEVERITY} (medium and up)`, rule.urn);
    }
    const toTopic = resources.some((r) => r.type === EVENT_TARGET && SNS_TOPIC_ARN.test(str(r.props.arn) ?? ""));
    if (!toTopic) report("the GuardDuty findings rule has no SNS topic as its target: findings would reach nobody");
  },
});

export const alarmActionsPolicy = resourcePolicy({
  name: "monitoring-alarm-actions",
  area: "monitoring",
  description: "Every CloudWatch alarm notifies an SNS topic and carries a one-line description that names its runbook (a section of docs/operations.md).",
  why: "An alarm without an action changes a console colour at 3 a.m. and nobody knows; one without a runbook leaves whoever is paged guessing.",
  types: [METRIC_ALARM],
  check: (props, report) => {
    if (props.actionsEnabled === false) report("actionsEnabled is false: the alarm notifies nobody");
    const actions = asArray(props.alarmActions).map(String);
    if (!actions.some((a) => SNS_TOPIC_ARN.test(a))) report(`alarmActions ${JSON.stringify(actions)} name no SNS topic; add the stack's alarm topic`);
    const description = str(props.alarmDescription) ?? "";
    if (description.trim() === "") report("has no alarmDescription; say in one line what broke and what to do, with its docs/operations.md section");
    else if (/[\r\n]/.test(description)) report("alarmDescription spans several lines; notifications show one line");
    else if (!RUNBOOK_LINK.test(description)) report(`alarmDescription ${JSON.stringify(description.slice(0, 80))} names no runbook; end it with its docs/operations.md#<section>`);
  },
});

/** What an instance's mailfort.env says it publishes: the namespace and each metric's name. */
function publishedMetrics(files: readonly HostFile[]): { namespace: string | undefined; names: string[] } | undefined {
  const env = lastFile(files, "/etc/mailfort/mailfort.env")?.content;
  if (env === undefined) return undefined;
  const value = (key: string) => env.match(new RegExp(`^${key}="?([^"\\n]*)"?$`, "m"))?.[1];
  // collector:name:unit triples (configs/bin/mailfort-metrics reads them the same way).
  const names = (value("MAILFORT_METRICS") ?? "").split(/\s+/).filter(Boolean).map((spec) => spec.split(":")[1] ?? spec);
  return { namespace: value("MAILFORT_METRICS_NAMESPACE"), names };
}

export const hostMetricAlarmsPolicy = stackPolicy({
  name: "monitoring-host-metric-alarms",
  area: "monitoring",
  description: "Every metric the host publishes (mailfort.env MAILFORT_METRICS, in MAILFORT_METRICS_NAMESPACE) has a CloudWatch alarm, and every alarm in that namespace watches a metric the host publishes.",
  why: "A metric nobody alarms on is read by nobody at 3 a.m.; an alarm on a metric nobody publishes never fires (or sits in INSUFFICIENT_DATA until everyone ignores it).",
  check: (resources, report) => {
    const alarms = resources.filter((r) => r.type === METRIC_ALARM);
    for (const host of resources.filter((r) => HOST_TYPES.includes(r.type))) {
      const ud = userDataOf(host.props);
      const published = ud ? publishedMetrics(ud.files) : undefined;
      if (!published) { report(`${host.name}: its user data writes no /etc/mailfort/mailfort.env, so what it publishes cannot be checked`, host.urn); continue; }
      if (published.namespace === undefined) { report(`${host.name}: mailfort.env sets no MAILFORT_METRICS_NAMESPACE`, host.urn); continue; }
      if (published.names.length === 0) report(`${host.name}: mailfort.env names no metric in MAILFORT_METRICS: the host publishes nothing its alarms could read`, host.urn);
      const inNamespace = alarms.filter((a) => str(a.props.namespace) === published.namespace);
      for (const name of published.names) {
        if (!inNamespace.some((a) => str(a.props.metricName) === name)) report(`${host.name}: publishes ${published.namespace} ${name} but no alarm watches it; add it to the host metrics table with its alarm (infra/core/host-metrics.ts)`, host.urn);
      }
      for (const a of inNamespace) {
        const name = str(a.props.metricName);
        if (name !== undefined && !published.names.includes(name)) report(`${a.name}: watches ${published.namespace} ${name}, which the host does not publish (not in MAILFORT_METRICS): the alarm can never fire`, a.urn);
      }
    }
  },
});

export const DLM_POLICY = "aws:dlm/lifecyclePolicy:LifecyclePolicy";
/** Where Data Lifecycle Manager publishes per policy (the pack's own copy; infra/core/backup-alarms.ts is the product's). */
const DLM_NAMESPACE = "AWS/EBS";
const DLM_METRICS = ["SnapshotsCreateFailed", "SnapshotsCreateCompleted"] as const;

export const backupAlarmsPolicy = stackPolicy({
  name: "monitoring-backup-alarms",
  area: "monitoring",
  description: "Every Data Lifecycle Manager policy has an alarm on its failed snapshots (SnapshotsCreateFailed) and one on its completed ones (SnapshotsCreateCompleted), in AWS/EBS by DLMPolicyId, the second with missing data not counted as OK.",
  why: "Backups that stopped silently are found at the restore that needed them: a failed snapshot must page, and so must a schedule that stopped producing snapshots at all (a disabled policy, a volume that lost its tag).",
  check: (resources, report) => {
    const policies = resources.filter((r) => r.type === DLM_POLICY);
    if (policies.length === 0) return;
    const alarms = resources.filter((r) => {
      if (r.type !== METRIC_ALARM || str(r.props.namespace) !== DLM_NAMESPACE) return false;
      const dims = r.props.dimensions;
      return typeof dims === "object" && dims !== null && "DLMPolicyId" in dims;
    });
    for (const metric of DLM_METRICS) {
      const watching = alarms.filter((a) => str(a.props.metricName) === metric);
      if (watching.length < policies.length) {
        report(`${policies.length} snapshot polic${policies.length === 1 ? "y" : "ies"} but ${watching.length} alarm(s) on ${DLM_NAMESPACE} ${metric} by DLMPolicyId: add them (infra/core/backup-alarms.ts)`);
      }
      // DLM publishes completions only when it runs: silence must not read as healthy.
      if (metric === "SnapshotsCreateCompleted") {
        for (const a of watching.filter((x) => ["notBreaching", "ignore"].includes(str(x.props.treatMissingData) ?? ""))) {
          report(`${a.name}: treatMissingData ${str(a.props.treatMissingData)} reads a schedule that stopped as healthy; use missing (INSUFFICIENT_DATA, notified) or breaching`, a.urn);
        }
      }
    }
  },
});
