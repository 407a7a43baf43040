// The AWS paths' checks, each from its evidence: the emulator's request and IMDS logs, what the
// server serves on its TLS ports, the emulated CloudWatch, and the host itself (guest agent) for
// the forced renewal. The runner calls them at the point of the run where the evidence exists.
import { createPublicKey } from "node:crypto";
import type { MailConfig } from "../../infra/config";
import type { CheckResult } from "../../verify/contract";
import type { AlarmState, Datapoint, MetricId } from "./alarms";
import { DLM_METRICS_NAMESPACE } from "../../infra/core/backup-alarms";
import { alarmDimensions, evaluateAlarm } from "./alarms";
import { acmeCertificate, challengeChanges, servedCerts } from "./checks/certificate";
import { controlMetricWrongDimension, controlRoute53OtherName, controlSsmWithoutGetParametersByPath } from "./checks/controls";
import { leastPrivilege } from "./checks/least-privilege";
import { alarmsHealthy, metricsPublished } from "./checks/metrics";
import { forceRenewal, renewalKeepsKey } from "./checks/renewal";
import { secretsViaSsm } from "./checks/secrets";
import { tlsa311 } from "./checks/served-cert";
import { controlCall } from "./control";
import type { LabAws } from "./lab-aws";
import { callsBy, instanceKeys, readAwsLogs } from "./logs";
import { accountView, instancePolicies } from "./policies";

const logsOf = (aws: LabAws) => readAwsLogs(aws.emu.requestLog, aws.emu.imdsLog);
const stackPath = (aws: LabAws) => {
  const prefix = aws.plan.parameters[0]?.name.split("/").slice(0, 3).join("/");
  if (!prefix) throw new Error("the emulator plan has no SSM parameter");
  return prefix;
};

/** After readiness (and the certificate): secrets came from SSM, the certificate from ACME through Route53. */
export function bootChecks(cfg: MailConfig, aws: LabAws, secretsDisk: boolean): CheckResult[] {
  const logs = logsOf(aws);
  const keys = instanceKeys(logs.imds);
  return [
    secretsViaSsm({ calls: logs.calls, imds: logs.imds, keys, parameters: aws.plan.parameters.map((p) => p.name), path: stackPath(aws), secretsDisk }),
    acmeCertificate(cfg, servedCerts(cfg), aws.acmeRootPem, challengeChanges(logs.calls, keys)),
  ];
}

/** TLSA 3 1 1 of the stack's TLS key, from the SSM parameter the host reads it from. */
export function keyTlsa(aws: LabAws): string {
  const key = aws.plan.parameters.find((p) => p.name.endsWith("/tls/key"));
  if (!key) throw new Error("the stack has no tls/key parameter");
  return tlsa311(createPublicKey(key.value));
}

export async function renewalCheck(cfg: MailConfig, aws: LabAws): Promise<CheckResult> {
  const started = Date.now();
  const result = renewalKeepsKey(await forceRenewal(cfg, aws.acmeRootPem, keyTlsa(aws)));
  return { ...result, seconds: Math.round((Date.now() - started) / 1000) };
}

type PlannedAlarm = LabAws["plan"]["alarms"][number];

/**
 * The emulated CloudWatch's datapoints for one alarm: its metric and dimensions, its statistic per
 * its period, over its evaluation window and two periods more, ending with the last complete
 * period before `now` (s), one datapoint per period stamped with the period's start, as
 * CloudWatch gives them. The emulator asks moto one period at a time (mflab_aws.py): moto cuts
 * its buckets from the first datapoint it finds, and such a bucket stamped inside a complete
 * period held minutes of the next one (the fault phase saw a 5-minute sum in ALARM before its
 * five minutes had passed, and 1-minute periods left empty between two shifted buckets).
 */
function alarmPoints(aws: LabAws, alarm: PlannedAlarm, instanceId: string, now: number): Promise<Datapoint[]> {
  return controlCall<Datapoint[]>(aws.emu.control, "POST", "/statistics", {
    namespace: alarm.namespace, metricName: alarm.metricName, dimensions: alarmDimensions(alarm, aws.plan.instance.ref, instanceId),
    ...statisticsWindow(alarm, now), period: alarm.period, statistic: alarm.statistic,
  });
}

/** The statistics request's window for an alarm at `now`: whole periods, ending where the period in progress begins. */
export function statisticsWindow(alarm: Pick<PlannedAlarm, "period" | "evaluationPeriods">, now: number): { end: number; seconds: number } {
  return { end: Math.floor(now / alarm.period) * alarm.period, seconds: (alarm.evaluationPeriods + 2) * alarm.period };
}

/**
 * The alarms on Data Lifecycle Manager's own metrics (the backups'): the lab runs no DLM, so
 * nothing publishes them here. They are left out of the two checks below, by name in the detail;
 * their definitions are evaluated against DLM-shaped series in test/unit/backup-alarms.test.ts.
 */
const notEmulated = (a: PlannedAlarm) => a.namespace === DLM_METRICS_NAMESPACE;

export async function metricChecks(aws: LabAws, instanceId: string): Promise<CheckResult[]> {
  const metrics = await controlCall<MetricId[]>(aws.emu.control, "GET", "/metrics");
  const now = Date.now() / 1000;
  const alarms = aws.plan.alarms.filter((a) => !notEmulated(a));
  // One alarm at a time: seventeen connections at once overflowed the emulator's control socket
  // backlog (connect EAGAIN on the unix socket).
  const evaluated: { alarm: PlannedAlarm; points: Datapoint[] }[] = [];
  for (const alarm of alarms) {
    evaluated.push({
      alarm,
      points: await alarmPoints(aws, alarm, instanceId, now),
    });
  }
  const skipped = aws.plan.alarms.filter(notEmulated).map((a) => a.name);
  const published = metricsPublished(alarms, metrics, aws.plan.instance.ref, instanceId);
  return [
    skipped.length > 0 ? { ...published, detail: `${published.detail} (not checked here, DLM's own metrics, no DLM in the lab: ${skipped.join(", ")})` } : published,
    alarmsHealthy(evaluated, now),
  ];
}

/** Every planned alarm's state now, evaluated one at a time (the control socket's backlog), by name. */
export async function alarmStates(aws: LabAws, instanceId: string): Promise<{ states: Record<string, AlarmState>; details: Record<string, string> }> {
  const now = Date.now() / 1000;
  const states: Record<string, AlarmState> = {};
  const details: Record<string, string> = {};
  for (const alarm of aws.plan.alarms) {
    const { state, detail } = evaluateAlarm(alarm, await alarmPoints(aws, alarm, instanceId, now), now);
    states[alarm.name] = state;
    details[alarm.name] = detail;
  }
  return { states, details };
}

export interface AlarmWait {
  readonly reached: boolean;
  readonly seconds: number;
  /** The last evaluation: the alarm, its datapoints per period, the comparison. */
  readonly detail: string;
}

/**
 * Evaluate the planned alarm on `metricName` against the emulated CloudWatch every 10 s until it is
 * in `want` (or the time is up), with the same evaluator as aws-alarms-healthy.
 */
export async function waitAlarmState(aws: LabAws, instanceId: string, metricName: string, want: AlarmState, timeoutMs: number): Promise<AlarmWait> {
  const alarm = aws.plan.alarms.find((a) => a.metricName === metricName);
  if (!alarm) return { reached: false, seconds: 0, detail: `the plan has no alarm on ${metricName}` };
  const started = Date.now();
  for (;;) {
    const now = Date.now() / 1000;
    const points = await alarmPoints(aws, alarm, instanceId, now);
    const { state, detail } = evaluateAlarm(alarm, points, now);
    const seconds = Math.round((Date.now() - started) / 1000);
    if (state === want || Date.now() - started > timeoutMs) return { reached: state === want, seconds, detail: `${state} after ${seconds} s: ${detail}` };
    await new Promise((r) => setTimeout(r, 10_000));
  }
}

/** At the end of the run: least privilege over every call the host made, then the negative controls. */
export async function roleChecks(cfg: MailConfig, aws: LabAws, instanceId: string): Promise<CheckResult[]> {
  const logs = logsOf(aws);
  const hostCalls = callsBy(logs.calls, instanceKeys(logs.imds));
  const policies = instancePolicies(aws);
  return [
    ...leastPrivilege(policies, hostCalls, accountView(aws)),
    await controlSsmWithoutGetParametersByPath(aws, policies, hostCalls, stackPath(aws), cfg.region),
    controlRoute53OtherName(aws, policies, hostCalls),
    await controlMetricWrongDimension(aws, instanceId),
  ];
}
