import { describe, expect, it } from "vitest";
import { median, rate, ratio, round, summarize } from "../../bench/stats";

describe("bench statistics", () => {
  it("takes the middle value of an odd count and the mean of the middle two of an even count, unsorted input", () => {
    expect(median([9.5, 1, 4])).toBe(4);
    expect(median([3, 1, 4, 10])).toBe(3.5);
    expect(median([7])).toBe(7);
  });

  it("refuses the median of nothing rather than inventing a figure", () => {
    expect(() => median([])).toThrow(/no values/);
  });

  it("gives a ratio only when the denominator is a real, non-zero figure", () => {
    expect(ratio(3, 12)).toBe(0.25);
    expect(ratio(3, 0)).toBeUndefined();
    expect(ratio(undefined, 2)).toBeUndefined();
  });

  it("summarizes rounds without reordering them", () => {
    const s = summarize([12.5, 10, 11]);
    expect(s).toEqual({ rounds: [12.5, 10, 11], median: 11, min: 10, max: 12.5 });
  });

  it("computes messages per second and rounds for display", () => {
    expect(rate(100, 8)).toBe(12.5);
    expect(() => rate(100, 0)).toThrow();
    expect(round(2 / 3)).toBe(0.67);
    expect(round(2 / 3, 3)).toBe(0.667);
  });
});
