// The host metrics table of docs/operations.md, from the table the alarms are generated from
// (infra/core/host-metrics.ts): each metric, how its alarm reads it, when it fires, what to do.
import { HOST_METRICS, HOST_METRICS_NAMESPACE, type HostMetric } from "../../infra/core/host-metrics";
import { table } from "./blocks";

const COMPARE: Record<HostMetric["comparison"], string> = { GreaterThanThreshold: ">", GreaterThanOrEqualToThreshold: ">=", LessThanThreshold: "<" };
const minutes = (s: number) => (s === 60 ? "minute" : `${s / 60} minutes`);

function when(m: HostMetric): string {
  if (m.evaluationPeriods === 1) return "in the last period";
  if (m.datapointsToAlarm === m.evaluationPeriods) return `in each of the last ${m.evaluationPeriods} periods`;
  return `in ${m.datapointsToAlarm} of the last ${m.evaluationPeriods} periods`;
}

export function hostMetricsTable(): string {
  const rows = HOST_METRICS.map((m) => [
    `\`${m.name}\`${m.perMount ? " (per `path`)" : ""}`,
    m.unit,
    `${m.statistic} per ${minutes(m.period)}`,
    `${COMPARE[m.comparison]} ${m.threshold} ${when(m)}`,
    `${m.runbook.replace("{path}", "a watched mount")} ([runbook](#${m.anchor}))`,
  ]);
  return `${HOST_METRICS.length} metrics in the \`${HOST_METRICS_NAMESPACE}\` namespace, each with dimension InstanceId.\n\n${table(["metric", "unit", "statistic", "alarm when", "what to do"], rows)}`;
}
