// The round schedule both throughput benchmarks (VM and native) share: one warm-up round per
// target (not counted: first connections pay cold caches - postscreen's first-contact test, the
// TLS session cache, Rspamd's maps, the node client's module load), then `rounds` rounds that
// visit every target in turn, so drift of the shared, noisy machine hits every target alike.
import type { ClientRun } from "./load-clients";
import { rate, round } from "./stats";
import type { RoundResult } from "./throughput";
import type { Target } from "./targets";

export type RoundTiming = Pick<RoundResult, "acceptSeconds" | "totalSeconds" | "messagesPerSecond" | "error">;

/**
 * A round's clock: the client's run, then the wait until the server's queue is empty (`drain`
 * resolves to that moment, host ms): mail accepted but not yet delivered has not been through
 * the whole path. A client error or a queue that never drains is the round's error.
 */
export async function timeRound(messages: number, client: () => Promise<ClientRun>, drain: () => Promise<number>): Promise<RoundTiming> {
  const c = await client();
  let error = c.error;
  let done = Date.now();
  try {
    done = await drain();
  } catch (e) {
    error ??= e instanceof Error ? e.message : String(e);
  }
  const acceptSeconds = (c.accepted - c.t0) / 1000;
  const totalSeconds = Math.max(acceptSeconds, (done - c.t0) / 1000);
  return { acceptSeconds: round(acceptSeconds), totalSeconds: round(totalSeconds), messagesPerSecond: round(rate(messages, totalSeconds)), ...(error !== undefined ? { error } : {}) };
}

export type RoundRunner = (target: Target, round: number, warmUp: boolean) => Promise<RoundResult>;

export function roundLine(r: RoundResult): string {
  const top = r.cpu.slice(0, 3).map((c) => `${c.unit} ${c.cpuSeconds}s`).join(", ");
  return `round ${r.round} ${r.target}: ${r.messages} msgs, accepted in ${r.acceptSeconds} s, queue empty at ${r.totalSeconds} s = ${r.messagesPerSecond} msg/s${r.error ? ` ERROR ${r.error}` : ""} [cpu: ${top}]`;
}

/** Warm-up, then the interleaved rounds; returns the counted rounds. */
export async function interleavedRounds(targets: readonly Target[], rounds: number, run: RoundRunner, log: (l: string) => void): Promise<RoundResult[]> {
  for (const t of targets) {
    const r = await run(t, 0, true);
    log(`warm-up ${t}: ${r.error ?? "ok"}`);
  }
  const out: RoundResult[] = [];
  for (let i = 1; i <= rounds; i++) {
    for (const t of targets) {
      const r = await run(t, i, false);
      out.push(r);
      log(roundLine(r));
    }
  }
  return out;
}
