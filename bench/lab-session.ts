// One lab VM boot for the benchmarks: the same steps as `npm run lab -- up` (lab/runner.ts), but
// the lab stack is synthesized with a bench-only override of the per-client limits (anvil,
// Rspamd ratelimit, the firewall's per-source flood guard derived from them). Why: every
// benchmark client is one address (the lab `sender`), and the product defaults (30 connections,
// 60 messages per minute per client; 200 messages per user per hour) exist precisely to stop one
// client from sending this much. The product defaults are not changed; the report says so.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseDocument } from "yaml";
import type { MailConfig } from "../infra/config";
import {
  type BootInputs, LAB_STACK, type LabImage, type LabSynth, type Readiness, type RunningVm, labDir, labDown, labStackConfig, labStackFile, runLabSynth, startAround,
} from "../lab";

/** The per-client limits raised for the bench (schema maxima or near them); everything else is the lab stack. */
export const BENCH_LIMITS = {
  connectionsPerMinute: 1000,
  concurrentConnectionsPerClient: 100,
  messagesPerMinute: 10_000,
  authAttemptsPerMinute: 1000,
  outboundPerUserPerHour: 100_000,
} as const;

const BENCH_RELAXATIONS = ["config-weak-auth-limit", "config-high-outbound-limit"].map((id) => ({
  id, reason: "benchmark only: one client sends the whole load and must not be throttled",
}));

/** The lab stack file with BENCH_LIMITS merged into mailfort:limits (and optional feature flags). */
export function benchStackText(labStackYaml: string, features: Record<string, boolean> = {}): string {
  const doc = parseDocument(labStackYaml);
  const limits = (doc.getIn(["config", "mailfort:limits"]) as { toJSON(): Record<string, unknown> } | undefined)?.toJSON() ?? {};
  doc.setIn(["config", "mailfort:limits"], doc.createNode({ ...limits, ...BENCH_LIMITS }));
  // Limits this high are refused as ineffective unless relaxed with a written reason.
  const policy = (doc.getIn(["config", "mailfort:policy"]) as { toJSON(): { relax?: unknown[] } } | undefined)?.toJSON() ?? {};
  doc.setIn(["config", "mailfort:policy"], doc.createNode({ ...policy, relax: [...(policy.relax ?? []), ...BENCH_RELAXATIONS] }));
  if (Object.keys(features).length > 0) {
    const current = (doc.getIn(["config", "mailfort:features"]) as { toJSON(): Record<string, unknown> } | undefined)?.toJSON() ?? {};
    doc.setIn(["config", "mailfort:features"], doc.createNode({ ...current, ...features }));
  }
  doc.commentBefore = ` BENCH ONLY (written by bench/lab-session.ts): the lab stack with per-client limits raised so one\n benchmark client is not throttled. Never deploy this.\n${doc.commentBefore ?? ""}`;
  return doc.toString();
}

export interface BenchLab {
  readonly cfg: MailConfig;
  readonly image: LabImage;
  readonly vm: RunningVm;
  readonly ready: Readiness;
  readonly stackFile: string;
  readonly synth: LabSynth;
  readonly boot: BootInputs;
}

export async function benchLabUp(opts: { readyTimeoutSeconds: number; features?: Record<string, boolean> }, log: (l: string) => void): Promise<BenchLab> {
  const dir = join(labDir(), "bench");
  mkdirSync(dir, { recursive: true });
  const stackFile = join(dir, `Pulumi.${LAB_STACK}.yaml`);
  writeFileSync(stackFile, benchStackText(readFileSync(labStackFile(), "utf8"), opts.features));
  const cfg = labStackConfig(stackFile);
  const synth = runLabSynth(cfg, log, { configFile: stackFile });
  // The same start as `lab up` (guest-crash re-boot included), with the bench's own stack.
  const { image, vm, ready, boot } = await startAround(cfg, synth, { readyTimeoutSeconds: opts.readyTimeoutSeconds }, log);
  return { cfg, image, vm, ready, stackFile, synth, boot };
}

/** Everything down (VM, DNS, remote, namespaces): the lab's own teardown. */
export async function benchLabDown(log: (l: string) => void): Promise<void> {
  await labDown(log);
}
