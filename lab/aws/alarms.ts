// The synthesized alarms against what arrived in the emulated CloudWatch: does every alarm's
// metric (namespace, name and exactly its dimensions, as CloudWatch matches them) have a
// publisher, and would any alarm be in ALARM on a healthy server? Moto stores metrics but never
// evaluates alarms, so the lab evaluates them here, the way CloudWatch does: the last
// `evaluationPeriods` complete periods, missing periods per `treatMissingData`, ALARM when
// `datapointsToAlarm` of them breach.
import type { PlannedAlarm } from "./plan";

export interface MetricId {
  readonly Namespace: string;
  readonly MetricName: string;
  readonly Dimensions: ReadonlyArray<{ Name: string; Value: string }>;
}

export interface Datapoint {
  /** Start of the period (epoch seconds). */
  readonly time: number;
  /** The alarm's statistic over that period. */
  readonly value: number;
}

export type AlarmState = "OK" | "ALARM" | "INSUFFICIENT_DATA";

/** The alarm's dimensions with the synthesized instance id replaced by the running one. */
export function alarmDimensions(alarm: PlannedAlarm, instanceRef: string, instanceId: string): Record<string, string> {
  return Object.fromEntries(Object.entries(alarm.dimensions).map(([k, v]) => [k, v === instanceRef ? instanceId : v]));
}

/** CloudWatch matches a metric by namespace, name and the exact set of dimensions. */
export function sameMetric(m: MetricId, namespace: string, name: string, dims: Readonly<Record<string, string>>): boolean {
  if (m.Namespace !== namespace || m.MetricName !== name || m.Dimensions.length !== Object.keys(dims).length) return false;
  return m.Dimensions.every((d) => dims[d.Name] === d.Value);
}

const COMPARE: Readonly<Record<string, (v: number, t: number) => boolean>> = {
  GreaterThanThreshold: (v, t) => v > t,
  GreaterThanOrEqualToThreshold: (v, t) => v >= t,
  LessThanThreshold: (v, t) => v < t,
  LessThanOrEqualToThreshold: (v, t) => v <= t,
};

export function evaluateAlarm(alarm: PlannedAlarm, points: readonly Datapoint[], now: number): { state: AlarmState; detail: string } {
  const compare = COMPARE[alarm.comparisonOperator];
  if (!compare) throw new Error(`alarm ${alarm.name}: comparison ${alarm.comparisonOperator} is not evaluated by the lab`);
  const lastEnd = Math.floor(now / alarm.period) * alarm.period;
  const periods = Array.from({ length: alarm.evaluationPeriods }, (_, i) => lastEnd - (alarm.evaluationPeriods - i) * alarm.period);
  const verdicts = periods.map((start) => {
    const p = points.find((x) => x.time >= start && x.time < start + alarm.period);
    if (p) return compare(p.value, alarm.threshold) ? "breaching" : "ok";
    if (alarm.treatMissingData === "breaching") return "breaching";
    if (alarm.treatMissingData === "notBreaching") return "ok";
    return "missing";
  });
  const needed = alarm.datapointsToAlarm ?? alarm.evaluationPeriods;
  const breaching = verdicts.filter((v) => v === "breaching").length;
  const shown = verdicts.map((v, i) => {
    const p = points.find((x) => x.time >= periods[i]! && x.time < periods[i]! + alarm.period);
    return p ? `${p.value}` : v === "breaching" ? "none(breaching)" : "none";
  }).join(", ");
  const detail = `${alarm.name}: ${alarm.metricName} ${alarm.statistic} per ${alarm.period} s over the last ${alarm.evaluationPeriods}: [${shown}] vs ${alarm.comparisonOperator} ${alarm.threshold}`;
  if (breaching >= needed) return { state: "ALARM", detail };
  if (verdicts.every((v) => v === "missing")) return { state: "INSUFFICIENT_DATA", detail };
  return { state: "OK", detail };
}
