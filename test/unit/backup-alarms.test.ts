// The backup alarms (infra/core/backup-alarms.ts) evaluated the way CloudWatch does (the lab's
// evaluator, lab/aws/alarms.ts) over series shaped like Data Lifecycle Manager's: it publishes
// only when it runs, one completion (or failure) per scheduled snapshot. The lab runs no DLM, so
// this is where the definitions meet their data.
import { describe, expect, it } from "vitest";
import { type BackupAlarm, BACKUP_SLACK_HOURS, backupAlarms } from "../../infra/core/backup-alarms";
import { type Datapoint, evaluateAlarm } from "../../lab/aws/alarms";
import type { PlannedAlarm } from "../../lab/aws/plan";

const HOUR = 3600;
const NOW = 1_800_000_000 - (1_800_000_000 % HOUR) + 600; // ten minutes into an hour

const planned = (b: BackupAlarm): PlannedAlarm => ({
  name: b.id, namespace: "AWS/EBS", metricName: b.metricName, dimensions: { DLMPolicyId: "policy-0123456789abcdef0" }, statistic: b.statistic,
  period: b.period, evaluationPeriods: b.evaluationPeriods, datapointsToAlarm: b.datapointsToAlarm, threshold: b.threshold,
  comparisonOperator: b.comparison, treatMissingData: b.treatMissingData,
});

/** One datapoint (value 1) in the hour that began `hoursAgo` complete hours before the current one. */
const at = (hoursAgo: readonly number[]): Datapoint[] => hoursAgo.map((h) => ({ time: NOW - (NOW % HOUR) - h * HOUR, value: 1 }));

describe.each([24, 12, 1])("backups every %i h", (interval) => {
  const [failed, stale] = backupAlarms(interval) as [BackupAlarm, BackupAlarm];
  const window = interval + BACKUP_SLACK_HOURS;

  it("backup-stale is OK while a snapshot completed within the interval and its slack", () => {
    expect(evaluateAlarm(planned(stale), at([interval]), NOW).state).toBe("OK");
    expect(evaluateAlarm(planned(stale), at([window]), NOW).state).toBe("OK");
  });

  it("backup-stale leaves OK (INSUFFICIENT_DATA, notified) once the newest completion is older than the window", () => {
    const r = evaluateAlarm(planned(stale), at([window + 1, window + 1 + interval]), NOW);
    expect(r.state, r.detail).toBe("INSUFFICIENT_DATA");
  });

  it("backup-stale never pages a new stack before its first snapshot (no data is not ALARM)", () => {
    expect(evaluateAlarm(planned(stale), [], NOW).state).not.toBe("ALARM");
  });

  it("backup-failed pages on one failed snapshot in the last hour and is quiet otherwise", () => {
    expect(evaluateAlarm(planned(failed), at([1]), NOW).state).toBe("ALARM");
    expect(evaluateAlarm(planned(failed), [], NOW).state).toBe("OK");
    expect(evaluateAlarm(planned(failed), at([3]), NOW).state).toBe("OK");
  });

  it("stays inside what CloudWatch accepts: whole hours, at most 7 days evaluated", () => {
    for (const b of [failed, stale]) {
      expect(b.period % 60).toBe(0);
      expect(b.period * b.evaluationPeriods).toBeLessThanOrEqual(7 * 24 * HOUR);
      expect(b.description).toMatch(/\(docs\/operations\.md#backup-(failed|stale)\)$/);
    }
  });
});
