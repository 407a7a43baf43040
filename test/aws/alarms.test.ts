// Alarm evaluation as CloudWatch does it, and metric identity by exact dimensions.
import { describe, expect, it } from "vitest";
import { alarmDimensions, evaluateAlarm, sameMetric } from "../../lab/aws/alarms";
import { statisticsWindow } from "../../lab/aws/report";
import type { PlannedAlarm } from "../../lab/aws/plan";

const disk: PlannedAlarm = {
  name: "disk", namespace: "mailfort", metricName: "disk_used_percent", dimensions: { InstanceId: "i-synth", path: "/" },
  statistic: "Maximum", period: 60, evaluationPeriods: 5, datapointsToAlarm: 5, threshold: 80, comparisonOperator: "GreaterThanThreshold", treatMissingData: "breaching",
};
const now = 10_000 * 60 + 30; // 30 s into a minute
const minutes = (values: Array<number | undefined>) => values.flatMap((v, i) => (v === undefined ? [] : [{ time: (10_000 - values.length + i) * 60, value: v }]));

describe("evaluateAlarm", () => {
  it("is OK with a datapoint under the threshold in each of the last complete periods", () => {
    expect(evaluateAlarm(disk, minutes([12, 12, 13, 13, 13]), now).state).toBe("OK");
  });
  it("is ALARM when all five breach, and not when one of them does not", () => {
    expect(evaluateAlarm(disk, minutes([81, 90, 95, 99, 99]), now).state).toBe("ALARM");
    expect(evaluateAlarm(disk, minutes([81, 90, 12, 99, 99]), now).state).toBe("OK");
  });
  it("counts silence as breaching with treatMissingData breaching: a publisher that stopped alarms", () => {
    expect(evaluateAlarm(disk, [], now)).toMatchObject({ state: "ALARM" });
    expect(evaluateAlarm(disk, minutes([12, 12, undefined, 13, 13]), now).state).toBe("OK");
  });
  it("is INSUFFICIENT_DATA without data when missing data is just missing", () => {
    expect(evaluateAlarm({ ...disk, treatMissingData: "missing" }, [], now).state).toBe("INSUFFICIENT_DATA");
  });
  it("ignores the period still in progress", () => {
    const inProgress = [{ time: 10_000 * 60, value: 99 }];
    expect(evaluateAlarm({ ...disk, treatMissingData: "missing" }, inProgress, now).state).toBe("INSUFFICIENT_DATA");
  });
});

describe("metric identity", () => {
  const dims = alarmDimensions(disk, "i-synth", "i-0abc");
  it("maps the synthesized instance id to the running one", () => expect(dims).toEqual({ InstanceId: "i-0abc", path: "/" }));
  it("matches only the exact dimension set", () => {
    const m = (d: Array<[string, string]>) => ({ Namespace: "mailfort", MetricName: "disk_used_percent", Dimensions: d.map(([Name, Value]) => ({ Name, Value })) });
    expect(sameMetric(m([["path", "/"], ["InstanceId", "i-0abc"]]), "mailfort", "disk_used_percent", dims)).toBe(true);
    expect(sameMetric(m([["InstanceId", "i-0abc"]]), "mailfort", "disk_used_percent", dims)).toBe(false);
    expect(sameMetric(m([["InstanceId", "i-0abc"], ["path", "/"], ["fstype", "ext4"]]), "mailfort", "disk_used_percent", dims)).toBe(false);
    expect(sameMetric(m([["InstanceId", "i-0abc"], ["path", "/srv"]]), "mailfort", "disk_used_percent", dims)).toBe(false);
    expect(sameMetric({ ...m([["InstanceId", "i-0abc"], ["path", "/"]]), Namespace: "CWAgent" }, "mailfort", "disk_used_percent", dims)).toBe(false);
  });
});

describe("the statistics window asked of the emulated CloudWatch", () => {
  it("covers whole periods only, ending where the period in progress begins (moto cuts buckets from the start it is given)", () => {
    const fiveMinutes = { period: 300, evaluationPeriods: 1 };
    const w = statisticsWindow(fiveMinutes, 1_800_000_000 + 125.5);
    expect(w).toEqual({ end: 1_800_000_000, seconds: 900 });
    expect((w.end - w.seconds) % 300).toBe(0);
    expect(statisticsWindow({ period: 60, evaluationPeriods: 5 }, 1_800_000_059).end).toBe(1_800_000_000);
  });
});
