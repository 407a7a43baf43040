// The induced faults' verdicts, from what the lab saw: each fault must put exactly its own alarm
// in ALARM, and no alarm outside the faults' own may reach ALARM while they run. Pure (the states
// come from lab/aws/alarms.ts's evaluator), so it is tested without a VM.
import type { CheckResult } from "../../verify/types";
import type { AlarmState } from "../aws/alarms";

/** One induced fault, as lab/faults/induce.ts set it off. */
export interface InducedFault {
  readonly id: string;
  readonly title: string;
  /** The alarms (planned names) this fault must put in ALARM. */
  readonly expect: readonly string[];
  /**
   * Alarms this fault may set off as well, because they watch the same trouble from another side
   * (a pile-up of deferred mail is also many deferred delivery attempts); named, never a wildcard.
   */
  readonly tolerate: readonly string[];
  /** Seconds into the phase when the fault was in place. */
  readonly inducedAt: number;
  /** What was done, for the report (e.g. "110 messages to down.test"). */
  readonly how: string;
  /** Set when inducing it failed: the fault fails with this, whatever the alarms did. */
  readonly error?: string;
}

/** The states of every planned alarm at one moment of the phase. */
export interface AlarmSample {
  /** Seconds into the phase. */
  readonly at: number;
  readonly states: Readonly<Record<string, AlarmState>>;
  /** The evaluator's detail per alarm (datapoints and comparison), for the report. */
  readonly details: Readonly<Record<string, string>>;
}

const firstAlarm = (samples: readonly AlarmSample[], alarm: string) => samples.find((s) => s.states[alarm] === "ALARM");

/** Whether every fault's expected alarms have been seen in ALARM: the phase may stop polling. */
export function allFired(faults: readonly InducedFault[], samples: readonly AlarmSample[]): boolean {
  return faults.every((f) => f.error !== undefined || f.expect.every((a) => firstAlarm(samples, a) !== undefined));
}

export function judgeFaults(faults: readonly InducedFault[], baseline: AlarmSample, samples: readonly AlarmSample[], alarms: readonly string[]): CheckResult[] {
  const results = faults.map((f): CheckResult => {
    const check = { id: `alarm-fault-${f.id}`, title: f.title };
    if (f.error !== undefined) return { ...check, status: "fail", detail: `the fault could not be induced (${f.how}): ${f.error}`, seconds: 0 };
    const missing = f.expect.filter((a) => firstAlarm(samples, a) === undefined);
    const last = samples.at(-1);
    if (missing.length > 0) {
      const why = missing.map((a) => `${a} never reached ALARM (last: ${last?.states[a] ?? "not evaluated"}; ${last?.details[a] ?? ""})`).join("; ");
      return { ...check, status: "fail", detail: `${f.how}: ${why}`, seconds: Math.round(last?.at ?? 0) };
    }
    const fired = f.expect.map((a) => `${a} in ALARM ${Math.round((firstAlarm(samples, a)?.at ?? 0) - f.inducedAt)} s after the fault`);
    const alsoFired = f.tolerate.filter((a) => firstAlarm(samples, a) !== undefined);
    const also = alsoFired.length > 0 ? `; also ${alsoFired.join(", ")} (same trouble)` : "";
    const at = Math.max(...f.expect.map((a) => firstAlarm(samples, a)?.at ?? 0));
    return { ...check, status: "pass", detail: `${f.how}: ${fired.join(", ")}${also}`, seconds: Math.round(at - f.inducedAt) };
  });

  // Exactly the matching alarms: anything else in ALARM, before the faults (the server was not
  // healthy to begin with) or during them (a fault set off an alarm that is not its own).
  const allowed = new Set(faults.flatMap((f) => [...f.expect, ...f.tolerate]));
  const before = alarms.filter((a) => baseline.states[a] === "ALARM");
  const stray = alarms.filter((a) => !allowed.has(a)).flatMap((a) => {
    const s = firstAlarm(samples, a);
    return s ? [`${a} (${Math.round(s.at)} s into the phase: ${s.details[a] ?? ""})`] : [];
  });
  const problems = [
    ...(before.length > 0 ? [`already in ALARM before any fault: ${before.map((a) => `${a} (${baseline.details[a] ?? ""})`).join("; ")}`] : []),
    ...(stray.length > 0 ? [`in ALARM though no fault is theirs: ${stray.join("; ")}`] : []),
    ...(samples.length === 0 ? ["the alarms were never evaluated during the faults"] : []),
  ];
  results.push({
    id: "alarm-faults-only-matching",
    title: "while the faults run, no alarm but the faults' own goes to ALARM (and none was in ALARM before)",
    status: problems.length > 0 ? "fail" : "pass",
    detail: problems.length > 0 ? problems.join("; ") : `${alarms.length - allowed.size} other alarms stayed out of ALARM over ${samples.length} evaluations (${Math.round(samples.at(-1)?.at ?? 0)} s)`,
    seconds: 0,
  });
  return results;
}
