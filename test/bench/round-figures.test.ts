import { describe, expect, it } from "vitest";
import { hadDeferral, roundFigures } from "../../bench/round-figures";

// Rounds as measured in the lab on 2026-11-28 (submission, 80 messages each).
const rounds = [
  { messages: 80, acceptSeconds: 11.47, totalSeconds: 348.56 },
  { messages: 80, acceptSeconds: 10.28, totalSeconds: 11.1 },
  { messages: 80, acceptSeconds: 11.97, totalSeconds: 522.51 },
  { messages: 80, acceptSeconds: 9.87, totalSeconds: 10.63 },
];

describe("throughput round figures", () => {
  it("flags a round whose queue emptied minutes after the client finished (a deferred delivery)", () => {
    expect(rounds.map(hadDeferral)).toEqual([true, false, true, false]);
  });

  it("leaves deferred rounds out of the end-to-end median but counts them on acceptance", () => {
    const f = roundFigures(rounds);
    expect(f.deferredRounds).toBe(2);
    expect(f.failedRounds).toBe(0);
    expect(f.endToEnd?.rounds).toEqual([7.21, 7.53]);
    expect(f.endToEnd?.median).toBe(7.37);
    expect(f.accepted?.rounds).toEqual([6.97, 7.78, 6.68, 8.11]);
    expect(f.accepted?.median).toBeCloseTo(7.375, 5);
  });

  it("leaves failed rounds out of both", () => {
    const f = roundFigures([{ messages: 10, acceptSeconds: 1, totalSeconds: 2, error: "refused" }]);
    expect(f).toEqual({ deferredRounds: 0, failedRounds: 1 });
  });
});
