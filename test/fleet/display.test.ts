// Terminal output: a table redrawn in place on a TTY, plain lines for logs (CI, pipes).
import { describe, expect, it } from "vitest";
import { progressBar } from "../../fleet/display/progress-bar";
import { statusDisplay } from "../../fleet/display/status-table";

const sink = (isTTY: boolean) => {
  const chunks: string[] = [];
  return { isTTY, write: (t: string) => chunks.push(t), chunks };
};
const result = { stack: "a-prod", customer: "a", environment: "prod", status: "succeeded" as const, durationMs: 1500, logPath: "/x", changes: { create: 2, same: 0 } };

describe("status table and progress bar", () => {
  it("on a TTY, redraws the whole table in place", () => {
    const s = sink(true);
    const d = statusDisplay(s, "up");
    d.onStatus?.("a-prod", "queued");
    d.onStatus?.("b-prod", "queued");
    d.onStatus?.("a-prod", "succeeded", result);
    d.stop();
    expect(s.chunks[0]).not.toContain("\x1b[");
    expect(s.chunks[1]?.startsWith("\x1b[3A\x1b[0J")).toBe(true); // header, rule, one row drawn before
    expect(s.chunks.at(-1)).toMatch(/a-prod\s+succeeded\s+1\.5s\s+create 2/);
  });

  it("without a TTY, writes one plain line per finished or started stack and no escape codes", () => {
    const s = sink(false);
    const d = statusDisplay(s, "up");
    d.onStatus?.("a-prod", "queued");
    d.onStatus?.("a-prod", "running");
    d.onStatus?.("a-prod", "succeeded", result);
    d.stop();
    expect(s.chunks).toEqual(["[0/1] a-prod: running\n", "[1/1] a-prod: succeeded (1.5s)\n"]);
  });

  it("draws a bar in place on a TTY and counts lines otherwise", () => {
    const tty = sink(true);
    const bar = progressBar(tty, 4, "plan");
    bar.tick("a");
    bar.tick("b");
    bar.done();
    expect(tty.chunks[1]).toBe("\r\x1b[2Kplan [###############---------------] 2/4 b");
    const plain = sink(false);
    progressBar(plain, 2, "plan").tick("a", "planned");
    expect(plain.chunks).toEqual(["plan 1/2 a planned\n"]);
  });
});
