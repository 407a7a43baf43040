// `npm test`: every suite, in two lanes side by side. The lab (test/lab: a VM under the emulated
// CPU for most of an hour, much of it waiting on timers: alarm periods, bans, greylisting) and
// the rest (typecheck, lint, then every other vitest file). One after the other they took 89.6
// of CI's 90 minutes on 2026-12-03 (lab 68.5 min, the rest about 21); side by side the rest
// finishes while the lab runs. Each lane's lines carry its name; the run fails if either fails,
// and says which, with both lanes' times.
import { type ChildProcess, spawn } from "node:child_process";
import { createInterface } from "node:readline";

interface Lane {
  readonly name: string;
  /** Commands run one after the other; the lane stops at the first that fails. */
  readonly steps: readonly (readonly string[])[];
}

const LANES: readonly Lane[] = [
  { name: "lab", steps: [["npx", "vitest", "run", "test/lab"]] },
  {
    name: "suites",
    steps: [
      ["npm", "run", "--silent", "typecheck"],
      ["npm", "run", "--silent", "lint"],
      ["npx", "vitest", "run", "--exclude", "test/lab/**"],
    ],
  },
];

interface LaneResult {
  readonly name: string;
  readonly failedStep?: string;
  readonly minutes: number;
}

const running = new Set<ChildProcess>();

function step(lane: string, argv: readonly string[]): Promise<number> {
  const [cmd, ...args] = argv as [string, ...string[]];
  const child = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"], env: process.env });
  running.add(child);
  // Whole lines, prefixed, so the two lanes' output stays readable in one log.
  for (const stream of [child.stdout, child.stderr]) createInterface({ input: stream }).on("line", (l) => process.stdout.write(`[${lane}] ${l}\n`));
  return new Promise((resolve) => {
    child.on("error", (e) => {
      process.stdout.write(`[${lane}] cannot start ${argv.join(" ")}: ${e.message}\n`);
      resolve(127);
    });
    child.on("close", (code, signal) => {
      running.delete(child);
      resolve(code ?? (signal ? 128 : 1));
    });
  });
}

async function runLane(lane: Lane): Promise<LaneResult> {
  const started = Date.now();
  const minutes = () => (Date.now() - started) / 60_000;
  for (const argv of lane.steps) {
    const code = await step(lane.name, argv);
    if (code !== 0) return { name: lane.name, failedStep: `${argv.join(" ")} (exit ${code})`, minutes: minutes() };
  }
  return { name: lane.name, minutes: minutes() };
}

// Stopped from outside (CI's time limit, ^C): stop both lanes' children too.
for (const sig of ["SIGINT", "SIGTERM"] as const) {
  process.on(sig, () => {
    for (const c of running) c.kill(sig);
    process.exit(130);
  });
}

void Promise.all(LANES.map(runLane)).then((results) => {
  for (const r of results) console.log(`npm test: ${r.name} ${r.failedStep ? `FAILED at ${r.failedStep}` : "passed"} in ${r.minutes.toFixed(1)} min`);
  process.exit(results.some((r) => r.failedStep) ? 1 : 0);
});
