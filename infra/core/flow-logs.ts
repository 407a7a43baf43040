// VPC flow logs as data: the record format the flow log writes, the CloudWatch Logs metric
// filter that counts the instance's outbound SMTP connections in it, and the alarm on bursts.
// The format and the filter are built from one field list, so the filter's positions cannot
// drift from what the flow log writes.

/** The default (version 2) flow-log fields, in order; written out so the filter can rely on them. */
export const FLOW_LOG_FIELDS = [
  "version", "account-id", "interface-id", "srcaddr", "dstaddr", "srcport", "dstport",
  "protocol", "packets", "bytes", "start", "end", "action", "log-status",
] as const;
type FlowLogField = (typeof FLOW_LOG_FIELDS)[number];

/** The flow log's logFormat: `${version} ${account-id} ...`. */
export const FLOW_LOG_FORMAT = FLOW_LOG_FIELDS.map((f) => `\${${f}}`).join(" ");

/** Records are aggregated over at most a minute (AWS's default is 10), so a burst shows within minutes. */
export const FLOW_LOG_AGGREGATION_SECONDS = 60;

/** CloudWatch's namespace for what the metric filters publish: not "mailfort", which the host
 * may write to (its role's PutMetricData is limited to that exact namespace), so the host
 * cannot hide its own traffic. */
export const FLOW_METRICS_NAMESPACE = "mailfort/flow-logs";

/** The metric per stack: metric filters of several stacks in one account must not add up. */
export function outboundSmtpMetricName(stack: string): string {
  return `${stack}/outbound-smtp-connections`;
}

const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;
const IPV6 = /^[0-9a-f:]+$/i;

/**
 * A space-delimited metric filter pattern matching the flow records of accepted TCP connections
 * from `sourceAddress` to port 25: one record per connection and aggregation interval.
 * Inbound mail (dstaddr is the instance, dstport 25) and refused attempts (REJECT) do not match.
 */
export function outboundSmtpFilterPattern(sourceAddress: string): string {
  if (!IPV4.test(sourceAddress) && !IPV6.test(sourceAddress)) throw new Error(`internal: ${JSON.stringify(sourceAddress)} is not an IP address`);
  const conditions: Partial<Record<FlowLogField, string>> = {
    srcaddr: `= "${sourceAddress}"`,
    dstport: "= 25",
    protocol: "= 6", // TCP
    action: '= "ACCEPT"',
  };
  // Metric filter field names are identifiers: the format's dashes become underscores.
  return `[${FLOW_LOG_FIELDS.map((f) => `${f.replace(/-/g, "_")}${conditions[f] !== undefined ? ` ${conditions[f]}` : ""}`).join(", ")}]`;
}

export interface BurstAlarmSpec {
  readonly namespace: string;
  readonly metricName: string;
  readonly statistic: "Sum";
  readonly period: number;
  readonly evaluationPeriods: number;
  readonly datapointsToAlarm: number;
  readonly threshold: number;
  readonly comparisonOperator: "GreaterThanThreshold";
  readonly treatMissingData: "notBreaching";
  readonly description: string;
}

/**
 * The alarm on outbound SMTP bursts. One 5-minute period over the threshold is enough: a spam
 * run is to be stopped before the address lands on blocklists. It may be any of the last three:
 * flow records reach CloudWatch Logs up to about ten minutes late, and a period whose data came
 * after it was first evaluated must still count. No data is healthy: a quiet server writes no
 * matching records (the filter's default value fills in zeros while other traffic is logged).
 */
export function outboundSmtpBurstAlarm(stack: string, threshold: number): BurstAlarmSpec {
  return {
    namespace: FLOW_METRICS_NAMESPACE,
    metricName: outboundSmtpMetricName(stack),
    statistic: "Sum",
    period: 300,
    evaluationPeriods: 3,
    datapointsToAlarm: 1,
    threshold,
    comparisonOperator: "GreaterThanThreshold",
    treatMissingData: "notBreaching",
    description: `mailfort ${stack}: more than ${threshold} outbound SMTP connections in 5 minutes: find the sending account (\`postqueue -p\`, sasl_username in the mail log), hold the queue (\`postsuper -h ALL\`), reset that account's password (docs/operations.md#outbound-smtp-burst)`,
  };
}
