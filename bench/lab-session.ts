// One lab VM boot for the benchmarks: the same steps as `npm run lab -- up` (lab/runner.ts), but
// the lab stack is synthesized with a bench-only override of the per-client limits (anvil,
// Rspamd ratelimit, the firewall's per-source flood guard derived from them). Why: every
// benchmark client is one address (the lab `sender`), and the product defaults (30 connections,
// 60 messages per minute per client; 200 messages per user per hour) exist precisely to stop one
// client from sending this much. The product defaults are not changed; the report says so.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseDocument } from "yaml";
import { type MailConfig, parseMailConfig, parseStackFile } from "../infra/config";
import { ptrRecords } from "../infra/core/dns";
import type { DnsRecord } from "../infra/core/dns";
import type { LabImage } from "../lab/image/build";
import { labDir, labPaths } from "../lab/paths";
import { labDown, startAround } from "../lab/runner";
import { LAB_STACK, repoRoot } from "../lab/stack";
import { type LabSynth, decodeUserData } from "../lab/synth";
import { labHost } from "../lab/topology";
import type { Readiness, RunningVm } from "../lab/vm/vm";

/** The per-client limits raised for the bench (schema maxima or near them); everything else is the lab stack. */
export const BENCH_LIMITS = {
  connectionsPerMinute: 1000,
  concurrentConnectionsPerClient: 100,
  messagesPerMinute: 10_000,
  authAttemptsPerMinute: 1000,
  outboundPerUserPerHour: 100_000,
} as const;

/** The lab stack file with BENCH_LIMITS merged into mailfort:limits (and optional feature flags). */
export function benchStackText(labStackYaml: string, features: Record<string, boolean> = {}): string {
  const doc = parseDocument(labStackYaml);
  const limits = (doc.getIn(["config", "mailfort:limits"]) as { toJSON(): Record<string, unknown> } | undefined)?.toJSON() ?? {};
  doc.setIn(["config", "mailfort:limits"], doc.createNode({ ...limits, ...BENCH_LIMITS }));
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
}

function benchConfig(stackFile: string): MailConfig {
  const stack = parseStackFile(readFileSync(stackFile, "utf8"), stackFile);
  return parseMailConfig({ values: stack.values, secretKeys: stack.secretKeys }, LAB_STACK);
}

/** runLabSynth (lab/synth.ts) with --config-file: the same post-processing onto lab addresses. */
function synthBench(cfg: MailConfig, stackFile: string, log: (l: string) => void): LabSynth {
  const outDir = labPaths.synthOut();
  const secretsDir = labPaths.secrets();
  rmSync(outDir, { recursive: true, force: true });
  rmSync(secretsDir, { recursive: true, force: true });
  const tsx = join(repoRoot(), "node_modules", ".bin", "tsx");
  const r = spawnSync(tsx, [join(repoRoot(), "tools", "synth.ts"), "--stack", LAB_STACK, "--config-file", stackFile, "--out", outDir, "--secrets-dir", secretsDir], { encoding: "utf8", cwd: repoRoot(), timeout: 300_000 });
  if (r.status !== 0) throw new Error(`synth of the bench stack ${stackFile} failed (exit ${r.status}):\n${r.stderr || r.stdout}`);
  log(`synth: ${(r.stdout.split("\n")[0] ?? "").trim()}`);
  const synth = JSON.parse(readFileSync(join(outDir, "synth.json"), "utf8")) as { records: DnsRecord[]; outputs: { ipv4: string; caCertPem?: string } };
  const cloudIpv4 = synth.outputs.ipv4;
  const labIpv4 = labHost("mail").address;
  const records = synth.records
    .filter((rec) => rec.type !== "PTR")
    .map((rec) => (rec.type === "A" ? { ...rec, values: rec.values.map((v) => (v === cloudIpv4 ? labIpv4 : v)) } : rec));
  records.push(...ptrRecords(cfg, { ipv4: labIpv4 }));
  const zoneFiles = new Map<string, string>();
  for (const f of readdirSync(join(outDir, "zones"))) {
    const zone = f.replace(/\.zone$/, "");
    if (zone.endsWith(".in-addr.arpa") || zone.endsWith(".ip6.arpa")) continue;
    zoneFiles.set(zone, readFileSync(join(outDir, "zones", f), "utf8").split(cloudIpv4).join(labIpv4));
  }
  const caFile = join(secretsDir, "mailfort", LAB_STACK, "tls", "ca");
  const caPem = existsSync(caFile) ? readFileSync(caFile, "utf8") : (synth.outputs.caCertPem ?? "");
  return { outDir, secretsDir, userData: decodeUserData(readFileSync(join(outDir, "user-data"), "utf8")), records, zoneFiles, caPem, cloudIpv4 };
}

export async function benchLabUp(opts: { readyTimeoutSeconds: number; features?: Record<string, boolean> }, log: (l: string) => void): Promise<BenchLab> {
  const dir = join(labDir(), "bench");
  mkdirSync(dir, { recursive: true });
  const stackFile = join(dir, `Pulumi.${LAB_STACK}.yaml`);
  writeFileSync(stackFile, benchStackText(readFileSync(join(repoRoot(), "stacks", `Pulumi.${LAB_STACK}.yaml`), "utf8"), opts.features));
  const cfg = benchConfig(stackFile);
  const synth = synthBench(cfg, stackFile, log);
  // The same start as `lab up` (guest-crash re-boot included), with the bench's own stack.
  const { image, vm, ready } = await startAround(cfg, synth, { readyTimeoutSeconds: opts.readyTimeoutSeconds }, log);
  return { cfg, image, vm, ready, stackFile, synth };
}

/** Everything down (VM, DNS, remote, namespaces): the lab's own teardown. */
export async function benchLabDown(log: (l: string) => void): Promise<void> {
  await labDown(log);
}
