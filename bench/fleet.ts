// Scaling benchmark of the offline fleet plan (not a test): 1, 10 and 50 generated customers,
// real synth + policy pack per stack, `--parallel` workers (default: CPU count). Prints wall
// time and peak memory (the plan process and its synth workers, from /proc) and how they grow;
// writes bench/results/fleet-<date>.json.   npm run bench:fleet [-- --sizes 1,10,50 --parallel 2]
import { cpus, loadavg } from "node:os";
import { join } from "node:path";
import { dump } from "js-yaml";
import { mkdirSync, mkdtempSync, copyFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { generateCommand } from "../fleet/commands";
import { planCommand } from "../fleet/plan-command";
import { realPlanEngine } from "../fleet/plan-engine";
import { formatTable } from "../fleet/runner";
import { openWorkspace, writeText } from "../fleet/workspace";
import { sampleMemory } from "./proc-memory";

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
}

function inventory(n: number): unknown {
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

interface Row { customers: number; stacks: number; parallel: number; wallS: number; perStackS: number; peakTotalMb: number; peakWorkerMb: number; parentMb: number; planned: number; loadBefore: number }

async function main(): Promise<void> {
  const sizes = arg("sizes", "1,10,50").split(",").map(Number);
  const parallel = Number(arg("parallel", String(Math.max(1, cpus().length))));
  const rows: Row[] = [];
  for (const n of sizes) {
    const dir = mkdtempSync(join(tmpdir(), `fleet-bench-${n}-`));
    copyFileSync("Pulumi.yaml", join(dir, "Pulumi.yaml"));
    mkdirSync(join(dir, "fleet"));
    writeFileSync(join(dir, "fleet/inventory.yaml"), dump(inventory(n)));
    const ws = openWorkspace(dir);
    generateCommand(ws, { force: false }, () => undefined);
    const loadBefore = loadavg()[0] ?? 0;
    const mem = sampleMemory();
    const started = process.hrtime.bigint();
    const engine = realPlanEngine({ workers: parallel });
    const { plan } = await planCommand(ws, { parallel, engine, sink: { isTTY: false, write: (t) => process.stderr.write(t) } }).finally(() => engine.close());
    const wallS = Number(process.hrtime.bigint() - started) / 1e9;
    const peaks = mem.stop();
    rows.push({ customers: n, stacks: plan.stacks.length, parallel, wallS: round(wallS), perStackS: round(wallS / plan.stacks.length), peakTotalMb: peaks.totalMb, peakWorkerMb: peaks.workerMb, parentMb: peaks.parentMb, planned: plan.stacks.filter((s) => s.status === "planned").length, loadBefore: round(loadBefore) });
  }
  const base = rows[0];
  const table = formatTable(
    ["customers", "stacks", "workers", "wall s", "s/stack", "x wall vs first", "peak RSS all MiB", "peak worker MiB", "parent maxRSS MiB", "planned", "load1 before"],
    rows.map((r) => [r.customers, r.stacks, r.parallel, r.wallS, r.perStackS, base ? round(r.wallS / base.wallS) : 1, r.peakTotalMb, r.peakWorkerMb, r.parentMb, r.planned, r.loadBefore].map(String)),
  );
  process.stdout.write(`\nfleet plan scaling (real synth + policy pack per stack; ${cpus().length} CPUs; node ${process.version})\n${table}\n`);
  const out = join("bench", "results", `fleet-${new Date().toISOString().slice(0, 10)}.json`);
  writeText(out, `${JSON.stringify({ date: new Date().toISOString(), cpus: cpus().length, node: process.version, command: `npm run bench:fleet -- --sizes ${sizes.join(",")} --parallel ${parallel}`, rows }, null, 2)}\n`);
  process.stdout.write(`written: ${out}\n`);
}

const round = (n: number) => Math.round(n * 100) / 100;
void main();
