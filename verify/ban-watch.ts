// Telling a ban from a busy moment. fail2ban's ban drops (or rejects) this client's packets, so
// from outside a ban is a port that stops answering. A server busy enough to leave one connect
// unanswered for a few seconds looks the same for that one probe (CI's lab, 2026-12-04: testssl
// and the VM shared two cores, one probe of 587 timed out, the SMTP check took it for the ban,
// stopped guessing after 2 counted failures, and then waited 90 s for a ban that never came).
// A ban lasts minutes; so a port counts as banned only when it stays shut for several probes in
// a row, and a single unanswered probe is only a reason to look again.
import { fail } from "./types";

export type PortState = "open" | "refused" | "filtered";
export type PortProbe = () => Promise<PortState>;

export interface BanTiming {
  /** The ban must be in force this long after the last failed login. */
  readonly banWithinMs: number;
  /** How long the guessing may take: limits may ask a client to slow down, a busy server answers late. */
  readonly guessingBudgetMs: number;
  /** Between probes of the port, and between the probes that confirm it stays shut. */
  readonly pollMs: number;
  /** Probes in a row that must find the port shut before it counts as banned (the first included). */
  readonly shutProbes: number;
  /** After an attempt that died without a verdict while the port still answers. */
  readonly droppedWaitMs: number;
}

export const BAN_TIMING: BanTiming = { banWithinMs: 90_000, guessingBudgetMs: 180_000, pollMs: 3000, shutProbes: 3, droppedWaitMs: 2000 };

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * When the port stays shut for `shutProbes` probes in a row: the moment the first of them began.
 * Undefined as soon as one probe connects.
 */
export async function shutStreak(probe: PortProbe, timing: BanTiming): Promise<number | undefined> {
  const began = Date.now();
  for (let i = 0; i < timing.shutProbes; i++) {
    if (i > 0) await sleep(timing.pollMs);
    if ((await probe()) === "open") return undefined;
  }
  return began;
}

/**
 * Watch the port after the last failed login: the milliseconds from that failure to the start of
 * a shut streak that held (the ban's reaction time), or undefined when none began within banWithinMs.
 */
export async function waitForBan(probe: PortProbe, lastFailure: number, timing: BanTiming): Promise<number | undefined> {
  while (Date.now() - lastFailure < timing.banWithinMs) {
    const since = await shutStreak(probe, timing);
    if (since !== undefined) return since - lastFailure;
    await sleep(timing.pollMs);
  }
  return undefined;
}

/** How a check words its verdict: what it saw, and the port's state each way. */
export interface BanWording {
  /** "5 failed IMAP logins", with any notes about the guessing. */
  readonly seen: string;
  /** After "banned N s after the last one": "(993 no longer answers this client)". */
  readonly shut: string;
  /** Before "N s after the last one" when no ban came: "993 still answers this client". */
  readonly stillOpen: string;
}

/**
 * The verdict of a guessing run: the ban seen while guessing (bannedAfterMs), or else the watch
 * after the last failure; a ban later than banWithinMs, or none, fails the check.
 */
export async function banVerdict(probe: PortProbe, lastFailure: number, bannedAfterMs: number | undefined, words: BanWording, timing: BanTiming): Promise<string> {
  const after = bannedAfterMs ?? (await waitForBan(probe, lastFailure, timing));
  if (after === undefined) return fail(`${words.seen}, ${words.stillOpen} ${timing.banWithinMs / 1000} s after the last one`);
  if (after > timing.banWithinMs) fail(`${words.seen}, banned only ${(after / 1000).toFixed(0)} s after the last one (more than ${timing.banWithinMs / 1000} s)`);
  return `${words.seen}, banned ${(after / 1000).toFixed(0)} s after the last one ${words.shut}`;
}
