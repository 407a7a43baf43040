// Scaling benchmark of the offline fleet plan (not a test): 1, 10 and 50 generated customers,
// real synth + policy pack per stack, `--parallel` synth workers (default: CPU count). Prints wall
// time and peak memory and how they grow; writes bench/results/fleet-<date>.json.
//   npm run bench:fleet [-- --sizes 1,10,50 --parallel 2]
// (`npm run bench -- fleet` measures the 50-customer plan into the main bench report.)
import { cpus } from "node:os";
import { join } from "node:path";
import { formatTable } from "../fleet/runner";
import { writeText } from "../fleet/workspace";
import { runFleetScale } from "./fleet-scale";
import { round } from "./stats";

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
}

async function main(): Promise<void> {
  const sizes = arg("sizes", "1,10,50").split(",").map(Number);
  const parallel = Number(arg("parallel", String(Math.max(1, cpus().length))));
  const { rows } = await runFleetScale(process.cwd(), sizes, parallel, (l) => process.stderr.write(`${l}\n`));
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

void main();
