// Peak memory of this process and all its descendants (the synth workers), by sampling /proc:
// RSS of every live descendant, summed (what the machine must hold at once) and the largest
// single worker. Linux only; sampling every `intervalMs` can miss a spike shorter than that.
// Descendants already alive when sampling starts are not counted: they belong to what ran before
// (a synth child of 1.1 GiB still exiting once showed up as the next, 180 MiB, synth's peak).
import { readFileSync, readdirSync } from "node:fs";

export interface MemoryPeaks {
  /** Highest sum of RSS over this process and its descendants, MiB. */
  totalMb: number;
  /** Highest RSS of any single descendant, MiB. */
  workerMb: number;
  /** This process's own peak RSS (getrusage maxrss), MiB. */
  parentMb: number;
  samples: number;
}

function parentsAndRss(): Map<number, { ppid: number; rssKb: number }> {
  const out = new Map<number, { ppid: number; rssKb: number }>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const status = readFileSync(`/proc/${entry}/status`, "utf8");
      const ppid = Number(/^PPid:\s+(\d+)/m.exec(status)?.[1] ?? -1);
      const rssKb = Number(/^VmRSS:\s+(\d+)/m.exec(status)?.[1] ?? 0);
      out.set(Number(entry), { ppid, rssKb });
    } catch {
      // the process exited between readdir and read
    }
  }
  return out;
}

/** This process and its descendants among `procs`, leaving out the subtrees rooted at `skip`. */
export function familyOf(root: number, procs: ReadonlyMap<number, { ppid: number }>, skip: ReadonlySet<number> = new Set()): Set<number> {
  const mine = new Set([root]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const [pid, p] of procs) if (!mine.has(pid) && !skip.has(pid) && mine.has(p.ppid)) { mine.add(pid); grew = true; }
  }
  return mine;
}

export function sampleMemory(intervalMs = 100): { stop(): MemoryPeaks } {
  const peaks: MemoryPeaks = { totalMb: 0, workerMb: 0, parentMb: 0, samples: 0 };
  const before = familyOf(process.pid, parentsAndRss());
  before.delete(process.pid);
  const tick = (): void => {
    const procs = parentsAndRss();
    // A process from before that has exited frees its PID for a new one, which does count.
    for (const pid of before) if (!procs.has(pid)) before.delete(pid);
    const mine = familyOf(process.pid, procs, before);
    let total = 0;
    for (const pid of mine) {
      const kb = procs.get(pid)?.rssKb ?? 0;
      total += kb;
      if (pid !== process.pid) peaks.workerMb = Math.max(peaks.workerMb, kb / 1024);
    }
    peaks.totalMb = Math.max(peaks.totalMb, total / 1024);
    peaks.samples++;
  };
  tick();
  const timer = setInterval(tick, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      tick();
      peaks.parentMb = process.resourceUsage().maxRSS / 1024;
      return { ...peaks, totalMb: round(peaks.totalMb), workerMb: round(peaks.workerMb), parentMb: round(peaks.parentMb) };
    },
  };
}

const round = (n: number) => Math.round(n * 10) / 10;
