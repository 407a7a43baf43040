// Small statistics for the benchmarks: each figure is the median of several rounds, and the
// comparisons are ratios of medians measured side by side in the same run (the machine is
// shared and noisy, so absolute numbers from different runs do not compare; ratios do better).

export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error("median of no values");
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

/** numerator / denominator, or undefined when the denominator is zero or missing. */
export function ratio(numerator: number | undefined, denominator: number | undefined): number | undefined {
  if (numerator === undefined || denominator === undefined || denominator === 0) return undefined;
  return numerator / denominator;
}

export interface Summary {
  readonly rounds: readonly number[];
  readonly median: number;
  readonly min: number;
  readonly max: number;
}

export function summarize(rounds: readonly number[]): Summary {
  return { rounds: [...rounds], median: median(rounds), min: Math.min(...rounds), max: Math.max(...rounds) };
}

/** Round to `digits` decimals (for printing and the JSON; the tables should not show noise digits). */
export function round(n: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

/** Messages per second of a round: messages / seconds. */
export function rate(messages: number, seconds: number): number {
  if (seconds <= 0) throw new Error(`rate over ${seconds} s`);
  return messages / seconds;
}
