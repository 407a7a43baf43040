// The offline fleet plan at scale: generated customers (one prod stack each: 2 domains, 2
// mailboxes, 1 alias; real synth + policy pack per stack) planned with `parallel` synth workers;
// wall time and peak memory (the plan process and its synth workers, from /proc).
import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { dump } from "js-yaml";
import { generateCommand } from "../fleet/commands";
import { planCommand } from "../fleet/plan-command";
import { realPlanEngine } from "../fleet/plan-engine";
import { openWorkspace } from "../fleet/workspace";
import { sampleMemory } from "./proc-memory";
import { round } from "./stats";

export interface FleetScaleRow {
  readonly customers: number;
  readonly stacks: number;
  readonly parallel: number;
  readonly wallS: number;
  readonly perStackS: number;
  readonly peakTotalMb: number;
  readonly peakWorkerMb: number;
  readonly parentMb: number;
  readonly planned: number;
  readonly loadBefore: number;
}

export interface FleetScaleResult {
  readonly rows: readonly FleetScaleRow[];
}

export function benchInventory(n: number): unknown {
  return {
    defaults: { region: "eu-west-1", config: { tls: { mode: "acme", acmeEmail: "ops@msp.example.net" } } },
    customers: Array.from({ length: n }, (_, i) => ({
      name: `bench${String(i + 1).padStart(3, "0")}`,
      environments: ["prod"],
      tier: ["small", "medium", "large"][i % 3],
      domains: [{ name: `bench${i + 1}.example` }, { name: `bench${i + 1}-parked.example`, sendsMail: false }],
      mailboxes: [{ address: `alice@bench${i + 1}.example` }, { address: `bob@bench${i + 1}.example` }],
      aliases: [{ from: `info@bench${i + 1}.example`, to: [`alice@bench${i + 1}.example`] }],
    })),
  };
}

export async function runFleetScale(projectDir: string, sizes: readonly number[], parallel: number, log: (l: string) => void): Promise<FleetScaleResult> {
  const rows: FleetScaleRow[] = [];
  for (const n of sizes) {
    const dir = mkdtempSync(join(tmpdir(), `fleet-bench-${n}-`));
    copyFileSync(join(projectDir, "Pulumi.yaml"), join(dir, "Pulumi.yaml"));
    mkdirSync(join(dir, "fleet"));
    writeFileSync(join(dir, "fleet/inventory.yaml"), dump(benchInventory(n)));
    const ws = openWorkspace(dir);
    generateCommand(ws, { force: false }, () => undefined);
    const loadBefore = loadavg()[0] ?? 0;
    const mem = sampleMemory();
    const started = process.hrtime.bigint();
    const engine = realPlanEngine({ workers: parallel });
    const { plan } = await planCommand(ws, { parallel, engine, sink: { isTTY: false, write: () => true } }).finally(() => engine.close());
    const wallS = Number(process.hrtime.bigint() - started) / 1e9;
    const peaks = mem.stop();
    const planned = plan.stacks.filter((s) => s.status === "planned").length;
    log(`fleet: ${n} customers, ${parallel} workers: ${wallS.toFixed(1)} s, ${planned}/${plan.stacks.length} planned, peak RSS ${peaks.totalMb} MiB`);
    rows.push({ customers: n, stacks: plan.stacks.length, parallel, wallS: round(wallS), perStackS: round(wallS / plan.stacks.length), peakTotalMb: peaks.totalMb, peakWorkerMb: peaks.workerMb, parentMb: peaks.parentMb, planned, loadBefore: round(loadBefore) });
  }
  return { rows };
}
