// The synth scaling's peak RSS per size came from sampleMemory; a child of the previous round
// still exiting once counted as the next round's peak. Real processes, real /proc.
import { type ChildProcess, spawn } from "node:child_process";
import { afterEach, describe, expect, it } from "vitest";
import { familyOf, sampleMemory } from "../../bench/proc-memory";

const children: ChildProcess[] = [];
afterEach(() => void children.splice(0).forEach((c) => c.kill("SIGKILL")));

/** A node child holding about `mb` MiB resident until killed; resolves once it holds it. */
function holder(mb: number): Promise<ChildProcess> {
  const c = spawn(process.execPath, ["-e", `const b = Buffer.alloc(${mb} * 1024 * 1024, 1); console.log("ready"); setInterval(() => b[0]++, 1000);`], { stdio: ["ignore", "pipe", "inherit"] });
  children.push(c);
  return new Promise((resolve, reject) => {
    c.stdout?.once("data", () => resolve(c));
    c.once("error", reject);
  });
}

describe("sampleMemory", () => {
  it("counts the descendants started while it samples, not one left from before", async () => {
    await holder(300);
    const mem = sampleMemory(20);
    await holder(60);
    await new Promise((r) => setTimeout(r, 200));
    const peaks = mem.stop();
    // The 60 MiB child and node's own ~40 MiB; never the 300 MiB one.
    expect(peaks.workerMb).toBeGreaterThan(60);
    expect(peaks.workerMb).toBeLessThan(250);
  }, 30_000);

  it("familyOf follows parents down the tree and skips the subtrees it is told to", () => {
    const procs = new Map([[2, { ppid: 1 }], [3, { ppid: 2 }], [4, { ppid: 1 }], [5, { ppid: 4 }], [6, { ppid: 99 }]]);
    expect([...familyOf(1, procs)].sort()).toEqual([1, 2, 3, 4, 5]);
    expect([...familyOf(1, procs, new Set([4]))].sort()).toEqual([1, 2, 3]);
  });
});
