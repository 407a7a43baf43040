// Synth scaling: wall time and peak memory (the synth child process, sampled from /proc by
// proc-memory.ts) of `synth` for stacks of 1, 5, 20 and 200 (the config's cap) generated domains,
// and the size of the user data EC2 would receive (gzip, before base64; the EC2 limit is 16 KiB;
// it no longer grows with the domains, which travel in the SSM host bundle).
import { cpus, loadavg } from "node:os";
import { runSynth } from "../infra/synth";
import { sampleMemory } from "./proc-memory";
import { type Summary, round, summarize } from "./stats";

/**
 * A stack file of n customer domains, one mailbox each (also the infra scale tests' fixture).
 * The passwords are encrypted values the synth cannot open: each becomes a placeholder hash.
 */
export function generatedStack(n: number): string {
  const domains = Array.from({ length: n }, (_, i) => `customer${i + 1}.example`);
  return [
    "config:",
    "  mailfort:region: eu-central-1",
    "  mailfort:environment: staging",
    `  mailfort:hostname: mail.${domains[0]}`,
    "  mailfort:domains:",
    ...domains.map((d) => `    - name: ${d}`),
    "  mailfort:mailboxes:",
    ...domains.flatMap((d, i) => [`    - address: postbox@${d}`, `      passwordHashSecret: pw${i + 1}`]),
    ...domains.flatMap((_, i) => [`  mailfort:pw${i + 1}:`, "    secure: v1:bm90LWRlY3J5cHRlZA==:bm90LWRlY3J5cHRlZA=="]),
    "  mailfort:tls:",
    "    mode: acme",
    "    acmeEmail: ops@provider.example.net",
    "",
  ].join("\n");
}

export interface SynthScaleRow {
  readonly domains: number;
  readonly wallSeconds: Summary;
  /** Highest RSS of the synth child (MiB), over the rounds. */
  readonly peakChildMb: number;
  readonly userDataGzipBytes: number;
  readonly resources: number;
  readonly records: number;
  /** Resource-to-resource dependencies the program registered (each resource's dependency URNs,
   * summed): what a real `pulumi up` records in its state too. Absent in results before 2026-12-02. */
  readonly dependencyLinks?: number;
}

export interface SynthScaleResult {
  readonly rows: readonly SynthScaleRow[];
  readonly cpus: number;
  readonly loadBefore: number;
}

export async function runSynthScale(sizes: readonly number[], rounds: number, log: (l: string) => void): Promise<SynthScaleResult> {
  const loadBefore = round(loadavg()[0] ?? 0);
  const rows: SynthScaleRow[] = [];
  // Interleaved: round 1 of every size, then round 2, ... so load drift spreads over all sizes.
  const walls = new Map<number, number[]>();
  const peaks = new Map<number, number>();
  const facts = new Map<number, { userDataGzipBytes: number; resources: number; records: number; dependencyLinks: number }>();
  for (let r = 1; r <= rounds; r++) {
    for (const n of sizes) {
      const mem = sampleMemory(50);
      const started = process.hrtime.bigint();
      const result = await runSynth(`bench${n}`, { configText: generatedStack(n) });
      const wall = Number(process.hrtime.bigint() - started) / 1e9;
      const p = mem.stop();
      walls.set(n, [...(walls.get(n) ?? []), wall]);
      peaks.set(n, Math.max(peaks.get(n) ?? 0, p.workerMb));
      facts.set(n, { userDataGzipBytes: Buffer.from(result.userData, "base64").length, resources: result.resources.filter((x) => x.custom).length, records: result.records.length, dependencyLinks: dependencyLinks(result.resources) });
      log(`synth: round ${r}, ${n} domain(s): ${wall.toFixed(1)} s, peak child RSS ${p.workerMb} MiB, user data ${facts.get(n)?.userDataGzipBytes} bytes gzip, ${facts.get(n)?.dependencyLinks} dependency links`);
    }
  }
  for (const n of sizes) {
    const f = facts.get(n);
    if (!f) continue;
    const w = summarize(walls.get(n) ?? []);
    rows.push({ domains: n, wallSeconds: { ...w, median: round(w.median), min: round(w.min), max: round(w.max), rounds: w.rounds.map((x) => round(x)) }, peakChildMb: peaks.get(n) ?? 0, ...f });
  }
  return { rows, cpus: cpus().length, loadBefore };
}

/** Every resource's dependency URNs, summed. */
export function dependencyLinks(resources: ReadonlyArray<{ readonly options?: { readonly dependencies: readonly string[] } }>): number {
  return resources.reduce((n, r) => n + (r.options?.dependencies.length ?? 0), 0);
}
