// The lab's induced-fault phase without a VM: the verdicts (lab/faults/judge.ts), the alarm
// lookup and the auth window (phase.ts), the guesser's evidence (induce.ts) and the relisted
// test DNSBL zone (lab/dns/zones.ts).
import { describe, expect, it } from "vitest";
import type { AlarmState } from "../../lab/aws/alarms";
import { UNREACHABLE_DOMAIN, dnsblZoneFile, unreachableZoneFile } from "../../lab/dns/zones";
import { FAILED_LOGINS, type LoginAttempt, loginsHow } from "../../lab/faults/induce";
import { type AlarmSample, type InducedFault, allFired, judgeFaults } from "../../lab/faults/judge";
import { authWindowWait, plannedAlarm } from "../../lab/faults/phase";

const ALARMS = ["s-alarms-data-disk", "s-alarms-root-disk", "s-alarms-queue-deferred", "s-alarms-deliveries-deferred", "s-alarms-cert-expiry", "s-alarms-rspamd-rejects"];

function sample(at: number, alarming: readonly string[]): AlarmSample {
  const states: Record<string, AlarmState> = Object.fromEntries(ALARMS.map((a) => [a, alarming.includes(a) ? "ALARM" : "OK"]));
  return { at, states, details: Object.fromEntries(ALARMS.map((a) => [a, `${a} detail`])) };
}

const disk: InducedFault = { id: "data-disk-full", title: "disk", expect: ["s-alarms-data-disk"], tolerate: [], inducedAt: 10, how: "filled to 90%" };
const queue: InducedFault = { id: "queue-pile-up", title: "queue", expect: ["s-alarms-queue-deferred"], tolerate: ["s-alarms-deliveries-deferred"], inducedAt: 60, how: "110 messages" };

describe("judgeFaults", () => {
  it("passes each fault whose alarm fired, with the seconds from the fault to its alarm", () => {
    const samples = [sample(100, []), sample(400, ["s-alarms-data-disk"]), sample(500, ["s-alarms-data-disk", "s-alarms-queue-deferred", "s-alarms-deliveries-deferred"])];
    const r = judgeFaults([disk, queue], sample(0, []), samples, ALARMS);
    expect(r.map((x) => [x.id, x.status, x.seconds])).toEqual([
      ["alarm-fault-data-disk-full", "pass", 390],
      ["alarm-fault-queue-pile-up", "pass", 440],
      ["alarm-faults-only-matching", "pass", 0],
    ]);
    expect(r[1]?.detail).toContain("also s-alarms-deliveries-deferred (same trouble)");
    expect(allFired([disk, queue], samples)).toBe(true);
    expect(allFired([disk, queue], samples.slice(0, 2))).toBe(false);
  });

  it("fails a fault whose alarm never fired, quoting the evaluator's last word", () => {
    const r = judgeFaults([disk, queue], sample(0, []), [sample(100, ["s-alarms-data-disk"])], ALARMS);
    expect(r[1]).toMatchObject({ id: "alarm-fault-queue-pile-up", status: "fail" });
    expect(r[1]?.detail).toContain("s-alarms-queue-deferred never reached ALARM (last: OK; s-alarms-queue-deferred detail)");
  });

  it("fails the phase when an alarm that belongs to no fault fires, or one was in ALARM before", () => {
    const stray = judgeFaults([disk], sample(0, []), [sample(100, ["s-alarms-data-disk", "s-alarms-rspamd-rejects"])], ALARMS).at(-1);
    expect(stray).toMatchObject({ status: "fail" });
    expect(stray?.detail).toContain("in ALARM though no fault is theirs: s-alarms-rspamd-rejects (100 s into the phase");
    // A tolerated alarm is only tolerated for the fault that names it.
    expect(judgeFaults([disk], sample(0, []), [sample(100, ["s-alarms-data-disk", "s-alarms-deliveries-deferred"])], ALARMS).at(-1)?.status).toBe("fail");
    const before = judgeFaults([disk], sample(0, ["s-alarms-root-disk"]), [sample(100, ["s-alarms-data-disk"])], ALARMS).at(-1);
    expect(before?.detail).toContain("already in ALARM before any fault: s-alarms-root-disk");
    expect(judgeFaults([disk], sample(0, []), [], ALARMS).at(-1)?.detail).toContain("never evaluated");
  });

  it("fails a fault that could not be induced, whatever the alarms did", () => {
    const r = judgeFaults([{ ...disk, how: "not induced", error: "fallocate: No space left" }], sample(0, []), [sample(100, ["s-alarms-data-disk"])], ALARMS);
    expect(r[0]).toMatchObject({ status: "fail" });
    expect(r[0]?.detail).toContain("fallocate: No space left");
    expect(allFired([{ ...disk, error: "x" }], [])).toBe(true);
  });
});

describe("the phase's helpers", () => {
  it("finds a planned alarm by its id suffix, and only one", () => {
    expect(plannedAlarm(ALARMS, "data-disk")).toBe("s-alarms-data-disk");
    expect(() => plannedAlarm(ALARMS, "dnsbl-listed")).toThrow(/0 alarms named \*-dnsbl-listed/);
    expect(() => plannedAlarm([...ALARMS, "t-alarms-data-disk"], "data-disk")).toThrow(/2 alarms/);
  });

  it("starts the guesser only with two and a half minutes of a 5-minute period left", () => {
    expect(authWindowWait(1_800_000_000)).toBe(0); // a period just began
    expect(authWindowWait(1_800_000_000 + 150)).toBe(0); // 150 s left
    expect(authWindowWait(1_800_000_000 + 151)).toBe(154); // 149 s left: wait for the next one
  });

  it("counts only refused logins as the fault, and says what else happened", () => {
    const refused = (proto: LoginAttempt["proto"], n: number): LoginAttempt => ({ proto, n, refused: true, text: "535 5.7.8 Error: authentication failed" });
    const all = Array.from({ length: FAILED_LOGINS }, (_, i) => [refused("smtp", i + 1), refused("imap", i + 1)]).flat();
    expect(loginsHow(all, "smtp", "bob@x.test")).toEqual({ how: `${FAILED_LOGINS} of ${FAILED_LOGINS} SMTP AUTH logins as bob@x.test with a wrong password refused, from the scanner's address pool` });
    const cut = all.map((a) => (a.proto === "imap" && a.n === 7 ? { ...a, refused: false, text: "connection: [Errno 111] Connection refused" } : a));
    expect(loginsHow(cut, "imap", "bob@x.test").error).toContain("attempt 7: connection: [Errno 111] Connection refused");
    expect(loginsHow(all.slice(0, 10), "imap", "bob@x.test").error).toContain("only 5");
  });
});

describe("the lab DNS for the faults", () => {
  it("lists the server beside the attacker on the test DNSBL, with a new serial", () => {
    const { text } = dnsblZoneFile("dnsbl.example.test", ["10.77.0.10"], 2);
    expect(text).toContain("IN SOA ns.lab.test. hostmaster.lab.test. ( 2 ");
    expect(text).toContain("10.0.77.10 300 IN A 127.0.0.2");
    expect(dnsblZoneFile("dnsbl.example.test").text).not.toContain("10.0.77.10 ");
  });

  it("points down.test's MX at an address where nothing takes mail", () => {
    const { zone, text } = unreachableZoneFile();
    expect(zone).toBe(UNREACHABLE_DOMAIN);
    expect(text).toMatch(/^@ 300 IN MX 10 mx\.down\.test\.$/m);
    expect(text).toMatch(/^mx\.down\.test\. 300 IN A 10\.77\.0\.\d+$/m);
  });
});
