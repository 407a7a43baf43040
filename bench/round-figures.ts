// Figures of a target's throughput rounds. A round whose queue took much longer to empty than the
// client took to send had a deferred delivery: Postfix retries it only after minimal_backoff_time
// (300 s), so its end-to-end rate measures that timer, not throughput. Such rounds are flagged and
// left out of the end-to-end median; the client-side acceptance rate counts every round.
import { type Summary, round, summarize } from "./stats";

export interface RoundTimes {
  readonly messages: number;
  readonly acceptSeconds: number;
  readonly totalSeconds: number;
  readonly error?: string;
}

/** Seconds between the last acceptance and an empty queue beyond which a round had a deferral. */
export const DEFERRAL_GAP_SECONDS = 60;

export function hadDeferral(r: RoundTimes): boolean {
  return r.totalSeconds - r.acceptSeconds > DEFERRAL_GAP_SECONDS;
}

export interface RoundFigures {
  /** End to end (queue empty), rounds without error or deferral. */
  readonly endToEnd?: Summary;
  /** Client side (every message accepted with 250), rounds without error. */
  readonly accepted?: Summary;
  readonly deferredRounds: number;
  readonly failedRounds: number;
}

export function roundFigures(rounds: readonly RoundTimes[]): RoundFigures {
  const ok = rounds.filter((r) => r.error === undefined);
  const clean = ok.filter((r) => !hadDeferral(r));
  const e2e = clean.map((r) => round(r.messages / r.totalSeconds));
  const acc = ok.filter((r) => r.acceptSeconds > 0).map((r) => round(r.messages / r.acceptSeconds));
  return {
    ...(e2e.length > 0 ? { endToEnd: summarize(e2e) } : {}),
    ...(acc.length > 0 ? { accepted: summarize(acc) } : {}),
    deferredRounds: ok.length - clean.length,
    failedRounds: rounds.length - ok.length,
  };
}
