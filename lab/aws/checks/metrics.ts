// aws-metrics-published: for every CloudWatch alarm of the stack, its metric (namespace, name
// and exactly its dimensions, as CloudWatch matches them) arrived in the emulated CloudWatch;
// an alarm nobody publishes for would never fire. aws-alarms-healthy: evaluated as CloudWatch
// does over what arrived, every alarm is OK on a server that passed its checks.
import type { CheckResult } from "../../../verify/contract";
import { type AlarmState, type Datapoint, type MetricId, alarmDimensions, evaluateAlarm, sameMetric } from "../alarms";
import type { PlannedAlarm } from "../plan";

export const METRICS_CHECK = { id: "aws-metrics-published", title: "every alarm's metric arrives in CloudWatch with exactly the alarm's namespace, name and dimensions" } as const;
export const ALARMS_CHECK = { id: "aws-alarms-healthy", title: "evaluated over the metrics of the healthy server, every alarm is OK (none in ALARM)" } as const;

const show = (dims: Readonly<Record<string, string>>) => Object.entries(dims).map(([k, v]) => `${k}=${v}`).join(",");

export function metricsPublished(alarms: readonly PlannedAlarm[], metrics: readonly MetricId[], instanceRef: string, instanceId: string): CheckResult {
  const missing: string[] = [];
  for (const a of alarms) {
    const dims = alarmDimensions(a, instanceRef, instanceId);
    if (metrics.some((m) => sameMetric(m, a.namespace, a.metricName, dims))) continue;
    const near = metrics.filter((m) => m.Namespace === a.namespace && m.MetricName === a.metricName).map((m) => `{${m.Dimensions.map((d) => `${d.Name}=${d.Value}`).join(",")}}`);
    missing.push(`${a.name}: no ${a.namespace} ${a.metricName} {${show(dims)}}${near.length ? ` (arrived with other dimensions: ${near.slice(0, 3).join(" ")})` : ""}`);
  }
  return {
    ...METRICS_CHECK,
    status: missing.length === 0 && alarms.length > 0 ? "pass" : "fail",
    detail: missing.length === 0 ? `${alarms.length} alarms, each metric published: ${alarms.map((a) => `${a.namespace} ${a.metricName}{${show(alarmDimensions(a, instanceRef, instanceId))}}`).join("; ")}` : missing.join("; "),
    seconds: 0,
  };
}

export function alarmsHealthy(evaluated: ReadonlyArray<{ alarm: PlannedAlarm; points: readonly Datapoint[] }>, now: number): CheckResult {
  const states = evaluated.map(({ alarm, points }) => ({ alarm, ...evaluateAlarm(alarm, points, now) }));
  const bad = states.filter((s) => s.state !== "OK");
  const count = (st: AlarmState) => states.filter((s) => s.state === st).length;
  return {
    ...ALARMS_CHECK,
    status: bad.length === 0 && states.length > 0 ? "pass" : "fail",
    detail: bad.length === 0 ? `${count("OK")} alarms OK: ${states.map((s) => s.detail).join("; ")}` : bad.map((s) => `${s.state} ${s.detail}`).join("; "),
    seconds: 0,
  };
}
