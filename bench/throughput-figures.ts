// The figures of a throughput run, computed ONCE from its rounds: per target the end-to-end and
// client-side medians (round-figures.ts: deferred rounds out of end to end, failed rounds out of
// both), and the ratios b/a and c/a' on each. The JSON report stores these and the Markdown,
// the comparison with earlier runs and docs/performance.md print them; nothing recomputes them.
import { type RoundFigures, type RoundTimes, roundFigures } from "./round-figures";
import { ratio, round } from "./stats";
import { TARGETS, type Target } from "./targets";

export interface ThroughputRatios {
  /** Inbound path over bare Postfix, end to end. */
  readonly bOverA?: number;
  /** Submission over bare Postfix with the same client, end to end. */
  readonly cOverAprime?: number;
  readonly bOverAAccepted?: number;
  readonly cOverAprimeAccepted?: number;
}

export interface ThroughputFigures {
  readonly perTarget: Partial<Record<Target, RoundFigures>>;
  readonly ratios: ThroughputRatios;
}

export function throughputFigures(rounds: ReadonlyArray<RoundTimes & { readonly target: Target }>): ThroughputFigures {
  const perTarget: Partial<Record<Target, RoundFigures>> = {};
  for (const t of Object.keys(TARGETS) as Target[]) {
    const mine = rounds.filter((r) => r.target === t);
    if (mine.length > 0) perTarget[t] = roundFigures(mine);
  }
  const e2e = (t: Target) => perTarget[t]?.endToEnd?.median;
  const acc = (t: Target) => perTarget[t]?.accepted?.median;
  const entries: Array<[keyof ThroughputRatios, number | undefined]> = [
    ["bOverA", ratio(e2e("inbound"), e2e("bare"))],
    ["cOverAprime", ratio(e2e("submission"), e2e("bare-auth-client"))],
    ["bOverAAccepted", ratio(acc("inbound"), acc("bare"))],
    ["cOverAprimeAccepted", ratio(acc("submission"), acc("bare-auth-client"))],
  ];
  const ratios = Object.fromEntries(entries.flatMap(([k, v]) => (v === undefined ? [] : [[k, round(v, 3)]]))) as ThroughputRatios;
  return { perTarget, ratios };
}
