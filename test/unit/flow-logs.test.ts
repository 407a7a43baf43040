// The flow-log format, the outbound SMTP metric filter and its alarm as data. The filter runs
// over flow records with the test suite's own matcher: accepted TCP connections from the
// instance to port 25 count; inbound mail, replies from our own port 25, refused attempts,
// other hosts and other ports do not.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { FLOW_LOG_FORMAT, FLOW_METRICS_NAMESPACE, outboundSmtpBurstAlarm, outboundSmtpFilterPattern } from "../../infra/core/flow-logs";
import { HOST_METRICS_NAMESPACE } from "../../infra/core/host-metrics";
import { evaluateAlarm } from "../../lab/aws/alarms";
import { lineMatches, parseSpaceDelimitedPattern } from "../support/log-filter";

const ME = "10.42.0.10";
const pattern = outboundSmtpFilterPattern(ME);
/** A version-2 flow record, fields in the default order. */
const record = (src: string, dst: string, srcport: number, dstport: number, action = "ACCEPT", protocol = 6) =>
  `2 123456789012 eni-0abc ${src} ${dst} ${srcport} ${dstport} ${protocol} 10 840 1700000000 1700000060 ${action} OK`;

describe("the flow-log format", () => {
  it("is the default version-2 record, written out, so the filter's positions are stated", () => {
    expect(FLOW_LOG_FORMAT).toBe("${version} ${account-id} ${interface-id} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${protocol} ${packets} ${bytes} ${start} ${end} ${action} ${log-status}");
    expect(parseSpaceDelimitedPattern(pattern).map((t) => t.name)).toEqual(FLOW_LOG_FORMAT.split(" ").map((f) => f.slice(2, -1).replace(/-/g, "_")));
  });
});

describe("outboundSmtpFilterPattern", () => {
  it("counts an accepted TCP connection from the instance to a remote port 25", () => {
    expect(lineMatches(pattern, record(ME, "198.51.100.7", 49152, 25))).toBe(true);
  });

  it("does not count inbound mail, the server's own replies from port 25, or submission and IMAP", () => {
    expect(lineMatches(pattern, record("198.51.100.7", ME, 49152, 25))).toBe(false);
    expect(lineMatches(pattern, record(ME, "198.51.100.7", 25, 49152))).toBe(false);
    expect(lineMatches(pattern, record(ME, "198.51.100.7", 49152, 587))).toBe(false);
    expect(lineMatches(pattern, record(ME, "198.51.100.7", 49152, 2525))).toBe(false);
  });

  it("does not count refused attempts, UDP, other hosts (even ones whose address starts the same), or NODATA records", () => {
    expect(lineMatches(pattern, record(ME, "198.51.100.7", 49152, 25, "REJECT"))).toBe(false);
    expect(lineMatches(pattern, record(ME, "198.51.100.7", 49152, 25, "ACCEPT", 17))).toBe(false);
    expect(lineMatches(pattern, record("10.42.0.100", "198.51.100.7", 49152, 25))).toBe(false);
    expect(lineMatches(pattern, "2 123456789012 eni-0abc - - - - - - - 1700000000 1700000060 - NODATA")).toBe(false);
  });

  it("works for an IPv6 source, and refuses what is not an address", () => {
    const v6 = outboundSmtpFilterPattern("2600:1f18:1:200::10");
    expect(lineMatches(v6, record("2600:1f18:1:200::10", "2001:db8::25", 49152, 25))).toBe(true);
    expect(lineMatches(v6, record(ME, "198.51.100.7", 49152, 25))).toBe(false);
    expect(() => outboundSmtpFilterPattern('10.0.0.1" || srcaddr = "*')).toThrow(/not an IP address/);
  });
});

describe("outboundSmtpBurstAlarm", () => {
  const alarm = outboundSmtpBurstAlarm("prod", 300);
  it("sums the stack's own metric per 5 minutes, alarms on any of the last three periods above the threshold (late flow records), and treats silence as healthy", () => {
    expect(alarm).toMatchObject({ metricName: "prod/outbound-smtp-connections", statistic: "Sum", period: 300, evaluationPeriods: 3, datapointsToAlarm: 1, threshold: 300, comparisonOperator: "GreaterThanThreshold", treatMissingData: "notBreaching" });
    // Not the host's namespace: the instance role may publish there, and must not mask its own traffic.
    expect(FLOW_METRICS_NAMESPACE).not.toBe(HOST_METRICS_NAMESPACE);
    expect(outboundSmtpBurstAlarm("dev", 300).metricName).not.toBe(alarm.metricName);
  });

  it("evaluated as CloudWatch does (the lab's evaluator): quiet and normal traffic are OK, a burst alarms, also when its records came late", () => {
    const planned = { name: "burst", namespace: alarm.namespace, metricName: alarm.metricName, dimensions: {}, statistic: alarm.statistic, period: alarm.period,
      evaluationPeriods: alarm.evaluationPeriods, datapointsToAlarm: alarm.datapointsToAlarm, threshold: alarm.threshold, comparisonOperator: alarm.comparisonOperator, treatMissingData: alarm.treatMissingData };
    const now = 1_000 * 300 + 42;
    /** Sums per 5-minute period, the last value being the most recent complete period. */
    const periods = (sums: Array<number | undefined>) => sums.flatMap((v, i) => (v === undefined ? [] : [{ time: (1_000 - sums.length + i) * 300, value: v }]));
    expect(evaluateAlarm(planned, [], now).state).toBe("OK");
    expect(evaluateAlarm(planned, periods([0, 12, 300]), now).state).toBe("OK");
    expect(evaluateAlarm(planned, periods([0, 0, 301]), now).state).toBe("ALARM");
    expect(evaluateAlarm(planned, periods([2000, undefined, 0]), now).state).toBe("ALARM");
    expect(evaluateAlarm(planned, periods([2000, 0, 0, 0]), now).state).toBe("OK");
  });

  it("describes itself in one line ending in a runbook section that exists", () => {
    expect(alarm.description).not.toMatch(/\n/);
    expect(alarm.description.length).toBeLessThanOrEqual(1024);
    const anchor = /docs\/operations\.md#([a-z0-9-]+)\)$/.exec(alarm.description)?.[1];
    expect(anchor).toBe("outbound-smtp-burst");
    expect(readFileSync(join(__dirname, "..", "..", "docs", "operations.md"), "utf8")).toMatch(/^#+ Outbound SMTP burst$/m);
  });
});

describe("the test suite's log-filter matcher", () => {
  it("matches = and != on strings exactly and on numbers numerically, and needs every field", () => {
    expect(lineMatches('[a, b = "x", c = 25]', "1 x 25")).toBe(true);
    expect(lineMatches('[a, b = "x", c = 25]', "1 x 25.0")).toBe(true);
    expect(lineMatches('[a, b = "x", c = 25]', "1 xy 25")).toBe(false);
    expect(lineMatches('[a, b != "x"]', "1 y")).toBe(true);
    expect(lineMatches('[a, b]', "1 2 3")).toBe(false);
    expect(() => lineMatches("[a, b > 3]", "1 4")).toThrow(/unsupported term/);
  });
});
