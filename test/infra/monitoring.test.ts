// Out-of-band monitoring under the offline synth: the GuardDuty detector and the findings rule,
// the monitoring key and the alarm topic's policy, the VPC flow logs with their delivery role,
// metric filter and burst alarm, and what `existing`, `off` and an existing subnet leave out.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { type SynthResult, runSynth } from "../../infra/synth";
import { guardDutyFindingPattern } from "../../infra/core/guardduty-findings";
import { FLOW_LOG_FORMAT, FLOW_METRICS_NAMESPACE, outboundSmtpFilterPattern } from "../../infra/core/flow-logs";
import { list, ofType, only, roleStatements, statements } from "./helpers";

const LAB_TEXT = readFileSync(join(__dirname, "..", "..", "stacks", "Pulumi.lab.yaml"), "utf8");
/** The lab stack with its monitoring block (the file's last keys) replaced by `block`, plus `extra` config lines. */
function labWith(block: string, extra = ""): string {
  const at = LAB_TEXT.indexOf("  mailfort:monitoring:\n");
  if (at < 0) throw new Error("the lab stack has no mailfort:monitoring block");
  return `${LAB_TEXT.slice(0, at)}${block}${extra}`;
}

const TOPIC = "aws:sns/topic:Topic";
const KEY = "aws:kms/key:Key";
const RULE = "aws:cloudwatch/eventRule:EventRule";
const TARGET = "aws:cloudwatch/eventTarget:EventTarget";
const DETECTOR = "aws:guardduty/detector:Detector";
const FEATURE = "aws:guardduty/detectorFeature:DetectorFeature";
const FLOW_LOG = "aws:ec2/flowLog:FlowLog";
const LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup";
const FILTER = "aws:cloudwatch/logMetricFilter:LogMetricFilter";
const ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm";
const TOPIC_POLICY = "aws:sns/topicPolicy:TopicPolicy";

let dev: SynthResult;
let v6: SynthResult;
let quiet: SynthResult;
beforeAll(async () => {
  [dev, v6, quiet] = await Promise.all([
    runSynth("dev", { passphrase: "" }),
    runSynth("monv6", { configText: labWith("  mailfort:monitoring:\n    guardduty: existing\n    flowLogs:\n      retentionDays: 30\n      outboundSmtpPer5Min: 50\n", "  mailfort:features:\n    ipv6: true\n") }),
    runSynth("quiet", { configText: labWith("  mailfort:monitoring:\n    guardduty: off\n", "  mailfort:network:\n    subnetId: subnet-0123456789abcdef0\n") }),
  ]);
}, 300_000);

/** The key behind alias/mailfort-<stack>-monitoring. */
function monitoringKey(r: SynthResult) {
  const alias = only(r, "aws:kms/alias:Alias", `alias/mailfort-${r.stack}-monitoring`);
  return ofType(r, KEY).find((k) => k.id === alias.inputs.targetKeyId);
}
const keyStatements = (r: SynthResult) => statements(monitoringKey(r)?.inputs.policy) as unknown as Array<Record<string, unknown>>;

describe("guardduty: create (the default)", () => {
  it("creates the detector with EBS malware scans and no agent-based feature", () => {
    expect(only(dev, DETECTOR).inputs).toMatchObject({ enable: true, findingPublishingFrequency: "FIFTEEN_MINUTES" });
    expect(ofType(dev, FEATURE).map((f) => [f.inputs.name, f.inputs.status, f.inputs.detectorId])).toEqual([["EBS_MALWARE_PROTECTION", "ENABLED", only(dev, DETECTOR).id]]);
  });

  it("routes the findings of severity >= 4 about this instance, its address or its role to the alarm topic, as one readable line", () => {
    const rule = only(dev, RULE);
    expect((rule.inputs.tags as Record<string, string>)["mailfort:guardduty-detector"]).toBe(only(dev, DETECTOR).id);
    expect(JSON.parse(String(rule.inputs.eventPattern))).toEqual(guardDutyFindingPattern({ instanceId: String(dev.outputs.instanceId), publicIpv4: String(dev.outputs.ipv4), roleName: "mailfort-dev-role" }));
    expect(ofType(dev, "aws:iam/role:Role").map((r) => r.name)).toContain("mailfort-dev-role");
    const target = only(dev, TARGET);
    expect(target.inputs.arn).toBe(only(dev, TOPIC).id);
    expect(JSON.parse(String((target.inputs.inputTransformer as { inputTemplate: string }).inputTemplate))).toMatch(/^mailfort dev: GuardDuty finding <type> \(severity <severity>\): <title>\. /);
  });
});

describe("the alarm topic and the monitoring key", () => {
  it("encrypts the topic with the stack's own key, not aws/sns (which alarms and EventBridge cannot use)", () => {
    expect(only(dev, TOPIC).inputs.kmsMasterKeyId).toBe(`arn:aws:kms:eu-west-1:123456789012:key/${monitoringKey(dev)?.id}`);
  });

  it("lets CloudWatch and EventBridge use the key, and CloudWatch Logs only for the flow-log group", () => {
    expect(keyStatements(dev).map((s) => s.Sid)).toEqual(["AccountAdministers", "AlarmsPublishToTopic", "FindingsPublishToTopic", "FlowLogGroupEncrypts"]);
    const logs = keyStatements(dev)[3];
    expect(logs?.Principal).toEqual({ Service: "logs.eu-west-1.amazonaws.com" });
    expect(logs?.Condition).toEqual({ ArnEquals: { "kms:EncryptionContext:aws:logs:arn": "arn:aws:logs:eu-west-1:123456789012:log-group:/mailfort/dev/vpc-flow-logs" } });
    // Without flow logs the key grants CloudWatch Logs nothing.
    expect(keyStatements(quiet).map((s) => s.Sid)).toEqual(["AccountAdministers", "AlarmsPublishToTopic", "FindingsPublishToTopic"]);
  });

  it("lets only this stack's alarms and its findings rule publish, each pinned by aws:SourceArn", () => {
    const doc = statements(only(dev, TOPIC_POLICY).inputs.policy);
    expect(only(dev, TOPIC_POLICY).inputs.arn).toBe(only(dev, TOPIC).id);
    expect(doc.map((s) => [s.Sid, list(s.Action), s.Resource])).toEqual([
      ["StackAlarmsPublish", ["sns:Publish"], only(dev, TOPIC).id],
      ["FindingsRulePublishes", ["sns:Publish"], only(dev, TOPIC).id],
    ]);
    expect(doc[0]?.Condition).toEqual({ ArnLike: { "aws:SourceArn": "arn:aws:cloudwatch:eu-west-1:123456789012:alarm:mailfort-dev-*" }, StringEquals: { "aws:SourceAccount": "123456789012" } });
    expect(doc[1]?.Condition).toEqual({ ArnEquals: { "aws:SourceArn": `arn:aws:events:eu-west-1:123456789012:rule/${only(dev, RULE).id}` } });
    // The alarms' names (Pulumi names them after their logical names) fall under the pattern.
    for (const alarm of ofType(dev, ALARM)) expect(alarm.name).toMatch(/^mailfort-dev-/);
    // guardduty off: no rule, so only the alarms may publish.
    expect(statements(only(quiet, TOPIC_POLICY).inputs.policy).map((s) => s.Sid)).toEqual(["StackAlarmsPublish"]);
  });
});

describe("VPC flow logs (on by default for the network mailfort creates)", () => {
  it("logs ALL traffic of the created VPC each minute, in the format the filter reads, to the encrypted group", () => {
    const group = only(dev, LOG_GROUP);
    expect(group.inputs).toMatchObject({ name: "/mailfort/dev/vpc-flow-logs", retentionInDays: 90, kmsKeyId: only(dev, TOPIC).inputs.kmsMasterKeyId });
    expect(only(dev, FLOW_LOG).inputs).toMatchObject({
      vpcId: only(dev, "aws:ec2/vpc:Vpc").id, trafficType: "ALL", logDestinationType: "cloud-watch-logs",
      logDestination: "arn:aws:logs:eu-west-1:123456789012:log-group:/mailfort/dev/vpc-flow-logs", logFormat: FLOW_LOG_FORMAT, maxAggregationInterval: 60,
    });
  });

  it("delivers through a role only the flow-log service of this account may assume, writing only that group", () => {
    const role = ofType(dev, "aws:iam/role:Role").find((r) => r.name.includes("flow-logs"));
    expect(only(dev, FLOW_LOG).inputs.iamRoleArn).toBe(`arn:aws:iam::123456789012:role/${role?.name}`);
    const trust = statements(role?.inputs.assumeRolePolicy) as unknown as Array<Record<string, unknown>>;
    expect(trust).toEqual([{
      Effect: "Allow", Principal: { Service: "vpc-flow-logs.amazonaws.com" }, Action: "sts:AssumeRole",
      Condition: { StringEquals: { "aws:SourceAccount": "123456789012" }, ArnLike: { "aws:SourceArn": "arn:aws:ec2:eu-west-1:123456789012:vpc-flow-log/*" } },
    }]);
    const policy = ofType(dev, "aws:iam/rolePolicy:RolePolicy").filter((p) => p.inputs.role === role?.name);
    expect(policy).toHaveLength(1);
    const group = "arn:aws:logs:eu-west-1:123456789012:log-group:/mailfort/dev/vpc-flow-logs";
    expect(statements(policy[0]?.inputs.policy).map((s) => [list(s.Action), s.Resource])).toEqual([
      [["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"], [group, `${group}:log-stream:*`]],
      [["logs:DescribeLogGroups"], "arn:aws:logs:eu-west-1:123456789012:log-group:*"],
    ]);
  });

  it("keeps the host out of it: the instance role may not publish the flow metric, nor touch logs, alarms or GuardDuty", () => {
    const profile = only(dev, "aws:ec2/instance:Instance").inputs.iamInstanceProfile;
    const role = ofType(dev, "aws:iam/instanceProfile:InstanceProfile").find((p) => p.inputs.name === profile || p.name === profile)?.inputs.role;
    const granted = roleStatements(dev, String(role));
    expect(granted.length).toBeGreaterThan(0);
    const put = granted.filter((st) => list(st.Action).includes("cloudwatch:PutMetricData"));
    expect(put.map((st) => st.Condition)).toEqual([{ StringEquals: { "cloudwatch:namespace": "mailfort" } }]);
    expect(granted.flatMap((st) => list(st.Action)).filter((a) => /^(logs|events|guardduty|sns|ec2):|^cloudwatch:(?!PutMetricData$)/.test(a))).toEqual([]);
  });

  it("counts the instance's outbound port-25 connections and alarms on a burst, with a runbook, quiet when nothing is sent", () => {
    const filter = only(dev, FILTER);
    expect(filter.inputs.pattern).toBe(outboundSmtpFilterPattern("10.42.0.10"));
    expect(filter.inputs.metricTransformation).toEqual({ namespace: FLOW_METRICS_NAMESPACE, name: "dev/outbound-smtp-connections", value: "1", defaultValue: "0" });
    const alarm = ofType(dev, ALARM).find((a) => a.inputs.namespace === FLOW_METRICS_NAMESPACE);
    expect(alarm?.inputs).toMatchObject({
      metricName: "dev/outbound-smtp-connections", statistic: "Sum", period: 300, evaluationPeriods: 3, datapointsToAlarm: 1, threshold: 300,
      comparisonOperator: "GreaterThanThreshold", treatMissingData: "notBreaching", alarmActions: [only(dev, TOPIC).id],
    });
    expect(String(alarm?.inputs.alarmDescription)).toMatch(/^mailfort dev: more than 300 outbound SMTP connections in 5 minutes: .*postsuper -h ALL.*\(docs\/operations\.md#outbound-smtp-burst\)$/);
  });
});

describe("the backups watched from AWS's side", () => {
  it("alarms on the DLM policy's failed snapshots (paging) and on its completions over the interval + 2 h (no data notified, never ALARM on a new stack)", () => {
    const policy = only(dev, "aws:dlm/lifecyclePolicy:LifecyclePolicy");
    const dlm = ofType(dev, ALARM).filter((a) => a.inputs.namespace === "AWS/EBS");
    const by = (m: string) => dlm.find((a) => a.inputs.metricName === m)?.inputs;
    const interval = Number(((policy.inputs.policyDetails as { schedules: { createRule: { interval: number } }[] }).schedules[0])?.createRule.interval);
    expect(by("SnapshotsCreateFailed")).toMatchObject({
      dimensions: { DLMPolicyId: policy.id }, statistic: "Sum", period: 3600, evaluationPeriods: 1, threshold: 1,
      comparisonOperator: "GreaterThanOrEqualToThreshold", treatMissingData: "notBreaching", alarmActions: [only(dev, TOPIC).id],
    });
    expect(by("SnapshotsCreateCompleted")).toMatchObject({
      dimensions: { DLMPolicyId: policy.id }, statistic: "Sum", period: 3600, evaluationPeriods: interval + 2, threshold: 1,
      comparisonOperator: "LessThanThreshold", treatMissingData: "missing", insufficientDataActions: [only(dev, TOPIC).id],
    });
    expect(String(by("SnapshotsCreateCompleted")?.alarmDescription)).toMatch(/^mailfort dev: no snapshot of the data volume completed in the last \d+ hours.*\(docs\/operations\.md#backup-stale\)$/);
  });
});

describe("every alarm's runbook", () => {
  /** GitHub's heading anchors of docs/operations.md. */
  const anchors = new Set([...readFileSync(join(__dirname, "..", "..", "docs", "operations.md"), "utf8").matchAll(/^#{1,6} (.+)$/gm)]
    .map((m) => (m[1] ?? "").trim().toLowerCase().replace(/[^\p{L}\p{M}\p{N}_\- ]/gu, "").replace(/ /g, "-")));
  it("is one line naming a section of docs/operations.md that exists", () => {
    const alarms = [...ofType(dev, ALARM), ...ofType(v6, ALARM)];
    // Per stack: two status checks, 16 host metric alarms (disk per mount), the outbound SMTP
    // burst, and the backups' two (a failed snapshot, none in the interval).
    expect(alarms.length).toBe(2 * (2 + 16 + 1 + 2));
    for (const a of alarms) {
      const description = String(a.inputs.alarmDescription);
      expect(description).not.toMatch(/\n/);
      const anchor = /docs\/operations\.md#([a-z0-9-]+)\)$/.exec(description)?.[1];
      expect(anchor !== undefined && anchors.has(anchor), `${a.name}: ${description}`).toBe(true);
    }
  });
});

describe("guardduty: existing, with IPv6 and tuned flow logs", () => {
  it("creates no detector but looks up the region's, and still routes the findings, by the IPv6 address too", () => {
    expect(ofType(v6, DETECTOR)).toHaveLength(0);
    expect(String((only(v6, RULE).inputs.tags as Record<string, string>)["mailfort:guardduty-detector"])).toMatch(/^[0-9a-f]{32}$/);
    const pattern = JSON.parse(String(only(v6, RULE).inputs.eventPattern));
    expect(JSON.stringify(pattern)).toContain(String(v6.outputs.ipv6));
    expect(pattern).toEqual(guardDutyFindingPattern({ instanceId: String(v6.outputs.instanceId), publicIpv4: String(v6.outputs.ipv4), ipv6: String(v6.outputs.ipv6), roleName: "mailfort-monv6-role" }));
  });

  it("takes retention and threshold from the config, and counts IPv6 connections into the same metric", () => {
    expect(only(v6, LOG_GROUP).inputs.retentionInDays).toBe(30);
    expect(ofType(v6, FILTER).map((f) => f.inputs.pattern)).toEqual([outboundSmtpFilterPattern("10.42.0.10"), outboundSmtpFilterPattern(String(v6.outputs.ipv6))]);
    expect(new Set(ofType(v6, FILTER).map((f) => JSON.stringify(f.inputs.metricTransformation))).size).toBe(1);
    expect(ofType(v6, ALARM).find((a) => a.inputs.namespace === FLOW_METRICS_NAMESPACE)?.inputs.threshold).toBe(50);
  });
});

describe("guardduty: off on an existing subnet", () => {
  it("routes no findings and keeps no flow logs (the network's owner does), but keeps every alarm on the encrypted topic", () => {
    for (const type of [DETECTOR, FEATURE, RULE, TARGET, FLOW_LOG, LOG_GROUP, FILTER]) expect(ofType(quiet, type)).toHaveLength(0);
    expect(ofType(quiet, ALARM).map((a) => a.inputs.metricName).sort()).toEqual(["SnapshotsCreateCompleted", "SnapshotsCreateFailed", "StatusCheckFailed_Instance", "StatusCheckFailed_System",
      "disk_used_percent", "disk_used_percent", "queue_active", "queue_deferred", "deliveries_deferred", "deliveries_bounced", "smtp_auth_failures", "imap_login_failures", "fail2ban_banned", "rspamd_rejects", "outbound_top_sender", "cert_days_left", "dnsbl_listed", "reboot_required_hours", "suspended_senders", "report_alerts"].sort());
    expect(String(only(quiet, TOPIC).inputs.kmsMasterKeyId)).toMatch(/^arn:aws:kms:/);
  });
});
