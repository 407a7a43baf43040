// The lab's containment check (lab/containment-check.ts) judged on recorded attempts: what counts
// as a suspension, and each way the server could fail the promise (never suspended, more
// accepted or delivered than limit x factor, the other mailbox refused too, the lift not taking).
// The run itself needs the lab VM (npm run lab).
import { describe, expect, it } from "vitest";
import { type Attempt, type ContainmentEvidence, isSuspension, judgeContainment, loopAttempts } from "../../lab/containment-check";

const SUSPENDED = "<carol@second.test>: SASL login name rejected: account suspended for sending like a hijacked account; contact the postmaster";
const ok = (n: number): Attempt => ({ n, stage: "data", code: 250, text: "2.0.0 Ok: queued as 4Bc1x2y3z4" });
const held = (n: number): Attempt => ({ n, stage: "data", code: 451, text: "4.7.1 Ratelimit exceeded" });
const suspended = (n: number): Attempt => ({ n, stage: "rcpt", code: 554, text: `5.7.1 ${SUSPENDED}` });

/** The lab stack: 10 an hour, factor 2; ten accepted, then held, then suspended at attempt 26. */
function good(): ContainmentEvidence {
  const loop = [...Array.from({ length: 10 }, (_, i) => ok(i + 1)), ...Array.from({ length: 15 }, (_, i) => held(i + 11)), suspended(26)];
  return {
    login: "carol@second.test", otherLogin: "bob@mailfort.test", threshold: 20, loop, delivered: 10, listed: true, other: ok(1), afterLift: held(1), listedAfterLift: false,
    alarmFired: { reached: true, seconds: 95, detail: "ALARM after 95 s: mailfort-lab-suspended-senders: suspended_senders Maximum per 60 s over the last 1: [1] vs GreaterThanOrEqualToThreshold 1" },
    alarmCleared: { reached: true, seconds: 80, detail: "OK after 80 s: mailfort-lab-suspended-senders: suspended_senders Maximum per 60 s over the last 1: [0] vs GreaterThanOrEqualToThreshold 1" },
  };
}

describe("lab-containment's judgement", () => {
  it("passes the issue's scenario, and says what happened", () => {
    const j = judgeContainment(good());
    expect(j.status).toBe("pass");
    expect(j.detail).toMatch(/carol@second\.test: 10 accepted, suspended at attempt 26 \(554 5\.7\.1 .*account suspended.*\); remote MX got 10 \(at most 20\); bob@mailfort\.test: accepted; alarm in ALARM 95 s after the loop, OK 80 s after the lift; after the lift: 451 at data/);
  });

  it("a suspension is a 5xx that says suspended; a rate-limit hold or another refusal is not", () => {
    expect(isSuspension(suspended(1))).toBe(true);
    expect(isSuspension(held(1))).toBe(false);
    expect(isSuspension({ n: 1, stage: "rcpt", code: 554, text: "5.7.1 Relay access denied" })).toBe(false);
    expect(isSuspension({ n: 1, stage: "rcpt", code: 451, text: "4.7.1 account suspended" })).toBe(false);
  });

  it("the loop leaves room past the threshold for the detector's minute", () => {
    expect(loopAttempts(20)).toBe(51);
    expect(loopAttempts(12.5)).toBe(43);
  });

  const failing: Array<[string, (e: ContainmentEvidence) => ContainmentEvidence, RegExp]> = [
    ["never suspended", (e) => ({ ...e, loop: e.loop.filter((a) => !isSuspension(a)) }), /was not suspended within 25 attempts/],
    ["more accepted than limit x factor", (e) => ({ ...e, loop: [...Array.from({ length: 21 }, (_, i) => ok(i + 1)), suspended(22)] }), /21 messages were accepted, more than 20/],
    ["more delivered to the remote MX", (e) => ({ ...e, delivered: 21 }), /the remote MX received 21 of the loop's messages, more than 20/],
    ["the loop refused as spam instead", (e) => ({ ...e, loop: [ok(1), { n: 2, stage: "data", code: 554, text: "5.7.1 Spam message rejected" }, suspended(3)] }), /attempt 2 was refused for another reason/],
    ["not on the suspended list", (e) => ({ ...e, listed: false }), /is not on \/var\/lib\/mailfort\/suspended-senders after the loop/],
    ["the other mailbox refused too", (e) => ({ ...e, other: suspended(1) }), /bob@mailfort\.test could not send while carol@second\.test was suspended/],
    ["still suspended after the lift", (e) => ({ ...e, afterLift: suspended(1) }), /after mailfort-containment lift, carol@second\.test is still refused/],
    ["after the lift, refused otherwise", (e) => ({ ...e, afterLift: { n: 1, stage: "mail", code: 421, text: "4.7.0 too many connections" } }), /neither accepted nor held by the hourly limit/],
    ["still listed after the lift", (e) => ({ ...e, listedAfterLift: true }), /still on \/var\/lib\/mailfort\/suspended-senders after the lift/],
    ["no alarm while suspended", (e) => ({ ...e, alarmFired: { reached: false, seconds: 240, detail: "OK after 240 s: ... [0] ..." } }), /the suspended-senders alarm did not fire while carol@second\.test was suspended: OK after 240 s/],
    ["the alarm stays on after the lift", (e) => ({ ...e, alarmCleared: { reached: false, seconds: 240, detail: "ALARM after 240 s" } }), /the suspended-senders alarm did not clear after the lift: ALARM after 240 s/],
  ];
  it.each(failing)("fails when %s", (_name, change, problem) => {
    const j = judgeContainment(change(good()));
    expect(j.status).toBe("fail");
    expect(j.detail).toMatch(problem);
  });
});
