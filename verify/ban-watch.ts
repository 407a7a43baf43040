// Telling a ban from a busy moment. fail2ban's ban drops (or rejects) this client's packets, so
// from outside a ban is a port that stops answering. A server busy enough to leave one connect
// unanswered for a few seconds looks the same for that one probe (CI's lab, 2026-12-04: testssl
// and the VM shared two cores, one probe of 587 timed out, the SMTP check took it for the ban,
// stopped guessing after 2 counted failures, and then waited 90 s for a ban that never came).
// A ban lasts minutes; so a port counts as banned only when it stays shut for several probes in
// a row, and a single unanswered probe is only a reason to look again.
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
}

export const BAN_TIMING: BanTiming = { banWithinMs: 90_000, guessingBudgetMs: 180_000, pollMs: 3000, shutProbes: 3 };

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
