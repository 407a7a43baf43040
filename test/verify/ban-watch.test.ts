// A ban is a port that stays shut; a busy moment is one unanswered probe. The brute-force checks
// (verify/checks/bruteforce.ts, webmail-bruteforce.ts) must tell the two apart both ways: keep
// guessing through a busy moment (CI's lab, 2026-12-04, stopped at 2 failures on one timed-out
// probe and then waited for a ban that could not come), and never report a flicker as the ban.
import { describe, expect, it } from "vitest";
import { type BanTiming, type PortState, shutStreak, waitForBan } from "../../verify/ban-watch";
import { type AttemptResult, type GuessTiming, type Guesser, guessUntilBanned } from "../../verify/checks/bruteforce";
import { CheckFailed } from "../../verify/types";

const TIMING: GuessTiming = { banWithinMs: 400, guessingBudgetMs: 2000, pollMs: 10, shutProbes: 3, slowDownWaitMs: 5, droppedWaitMs: 5 };

/** A probe that answers from a script, then repeats its last answer. */
function scripted(states: readonly PortState[]): { probe: () => Promise<PortState>; calls: () => number } {
  let i = 0;
  return { probe: async () => states[Math.min(i++, states.length - 1)] ?? "open", calls: () => i };
}

/** A jail: each attempt's outcome from the script; a port shut once `banAfter` refusals were seen. */
function jail(outcomes: readonly AttemptResult["outcome"][], banAfter: number, flickers: readonly PortState[] = []): Guesser & { guesses: string[] } {
  const guesses: string[] = [];
  let refused = 0;
  let flicker = 0;
  return {
    service: "SMTP AUTH",
    port: 587,
    maxRetry: 5,
    guesses,
    attempt: async (guess) => {
      guesses.push(guess);
      const outcome = refused >= banAfter ? "gone" : (outcomes[guesses.length - 1] ?? "refused");
      if (outcome === "refused") refused++;
      return { outcome, detail: outcome === "slow-down" ? "454 4.7.0 Temporary authentication failure" : outcome };
    },
    probe: async () => (refused >= banAfter ? "filtered" : (flickers[flicker++] ?? "open")),
  };
}

describe("shutStreak and waitForBan", () => {
  const t: BanTiming = { banWithinMs: 300, guessingBudgetMs: 1000, pollMs: 5, shutProbes: 3, droppedWaitMs: 5 };

  it("a port shut for shutProbes probes in a row is a ban, timed from the first of them", async () => {
    const p = scripted(["filtered"]);
    const before = Date.now();
    const since = await shutStreak(p.probe, t);
    expect(since).toBeGreaterThanOrEqual(before);
    expect(since).toBeLessThanOrEqual(before + 5);
    expect(p.calls()).toBe(3);
  });

  it("one connect in the streak makes it a busy moment", async () => {
    expect(await shutStreak(scripted(["filtered", "filtered", "open"]).probe, t)).toBeUndefined();
    expect(await shutStreak(scripted(["refused", "open"]).probe, t)).toBeUndefined();
  });

  it("a flicker after the last failure is not the ban; the streak that follows is", async () => {
    const last = Date.now();
    const after = await waitForBan(scripted(["filtered", "open", "open", "refused", "refused", "refused"]).probe, last, t);
    expect(after).toBeDefined();
    expect(after!).toBeGreaterThan(0);
  });

  it("flickers alone for the whole window are no ban", async () => {
    let n = 0;
    const flicker = async (): Promise<PortState> => (n++ % 2 === 0 ? "filtered" : "open");
    expect(await waitForBan(flicker, Date.now(), t)).toBeUndefined();
  });
});

describe("guessUntilBanned", () => {
  it("guesses maxRetry times and reports the ban that follows", async () => {
    const g = jail([], 5);
    await expect(guessUntilBanned(g, TIMING)).resolves.toMatch(/^5 failed SMTP AUTH logins, banned \d+ s after the last one/);
    expect(g.guesses).toHaveLength(5);
  });

  it("a dropped attempt while the port still answers is no ban: the guessing goes on (the CI failure of 2026-12-04)", async () => {
    // Two refusals, a 454, an attempt dying without a verdict, one probe that times out, and then
    // the port answers again: the old check stopped there with 2 failures and failed 90 s later.
    const g = jail(["refused", "refused", "slow-down", "gone", "refused", "refused", "refused"], 5, ["filtered", "open"]);
    const detail = await guessUntilBanned(g, TIMING);
    expect(detail).toMatch(/^5 failed SMTP AUTH logins \(1 slow-down replies, last: 454 .*; 1 attempts dropped without a verdict while 587 still answered, last: gone\), banned \d+ s after the last one/);
  });

  it("a ban that comes before maxRetry (an earlier check's failures counted) ends the guessing, timed from the last failure", async () => {
    const g = jail([], 4);
    const detail = await guessUntilBanned(g, TIMING);
    expect(detail).toMatch(/^4 failed SMTP AUTH logins, banned (0|1) s after the last one/);
    expect(g.guesses).toHaveLength(5);
  });

  it("a port that keeps answering fails the check, even with flickers", async () => {
    const g = jail([], 99, ["filtered", "open", "filtered", "open", "filtered", "open"]);
    await expect(guessUntilBanned(g, TIMING)).rejects.toThrow(CheckFailed);
    await expect(guessUntilBanned(jail([], 99), TIMING)).rejects.toThrow(/still answers this client 0\.4 s after the last one/);
  });

  it("an accepted guess fails at once", async () => {
    await expect(guessUntilBanned(jail(["refused", "accepted"], 5), TIMING)).rejects.toThrow(/a guessed password was accepted/);
  });

  it("no refusal at all is inconclusive, never a pass", async () => {
    await expect(guessUntilBanned(jail(["gone"], 99), TIMING)).rejects.toThrow(/inconclusive: SMTP AUTH on 587 did not take a login/);
    const slow = jail(Array<AttemptResult["outcome"]>(10_000).fill("slow-down"), 99);
    await expect(guessUntilBanned(slow, { ...TIMING, guessingBudgetMs: 60 })).rejects.toThrow(/inconclusive: no SMTP AUTH login was refused/);
  });

  it("a ban later than the window fails, with its figure", async () => {
    // Refused twice, then 454s past the window, then the port shut: the jail was too slow.
    const outcomes: AttemptResult["outcome"][] = ["refused", "refused", ...Array<AttemptResult["outcome"]>(200).fill("slow-down"), "gone"];
    let n = 0;
    const g: Guesser = {
      service: "IMAP",
      port: 993,
      maxRetry: 5,
      attempt: async () => ({ outcome: outcomes[n++] ?? "gone", detail: "x" }),
      probe: async () => (n > outcomes.length - 1 ? "filtered" : "open"),
    };
    await expect(guessUntilBanned(g, { ...TIMING, banWithinMs: 100, slowDownWaitMs: 1 })).rejects.toThrow(/banned only \d+ s after the last one \(more than 0\.1 s\)/);
  });
});
