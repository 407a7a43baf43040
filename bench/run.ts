// `npm run bench [-- native throughput memory ban boot synth fleet] [options]`: mailfort's benchmarks, printed
// as they run and written to bench/results/<YYYY-MM-DD>.md and .json, with every headline figure
// compared with the newest earlier results file that has it. The VM benchmarks share one lab
// boot (`npm run lab -- up` with a bench-only limits override, see lab-session.ts; KVM when it
// works, TCG otherwise) and tear the lab down even on failure. Run as root; only one lab at a
// time (use `flock /tmp/mailfort-lab.lock npm run bench` when others use the lab on the same machine).
// `native` needs no VM: the same throughput targets in the host checkers' Debian 13 root, in network
// namespaces of its own, on this machine's CPU (bench/native); it runs first, before any qemu starts.
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { join } from "node:path";
import { Command } from "commander";
import { bootUntilUp, labDir, labPaths, measureWebmailMemory, repoRoot, runningVm, shutdownVm, waitGuestAgent } from "../lab";
import { runBanReaction } from "./ban-reaction";
import { type BootReport, bootReport } from "./boot";
import { BENCH_LIMITS, type BenchLab, benchLabDown, benchLabUp } from "./lab-session";
import { type MemorySnapshot, memorySnapshot } from "./memory";
import { runFleetScale } from "./fleet-scale";
import { GOALS, NATIVE_RATIO_TARGETS } from "./headline";
import { figureHistory, readReport } from "./history";
import { type BenchReport, type MemoryResult, finalizeReport, mergeReports, renderMarkdown } from "./report";
import { runSynthCommand } from "./synth-command";
import { runSynthScale } from "./synth-scale";
import type { Target } from "./targets";
import { runNativeThroughput } from "./native/throughput";
import { runThroughput } from "./throughput";
import { throughputFigures } from "./throughput-figures";

const ALL = ["native", "throughput", "memory", "ban", "boot", "synth", "fleet"] as const;
type Bench = (typeof ALL)[number];

function log(line: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
}

interface Opts { rounds: string; messages: string; bareMessages: string; sessions: string; bodyBytes: string; synthSizes: string; synthRounds: string; synthRuns: string; fleetCustomers: string; fleetWorkers: string; boots: string; timeout: string; settleSeconds: string; out: string }

/** The rounds both throughput benchmarks run (the same for the VM and the native one). */
function throughputOptions(o: Opts): { rounds: number; messages: number; bareMessages: number; sessions: number; bodyBytes: number } {
  return { rounds: Number(o.rounds), messages: Number(o.messages), bareMessages: Number(o.bareMessages), sessions: Number(o.sessions), bodyBytes: Number(o.bodyBytes) };
}

const CLAMAV_NOTE =
  "the lab network is closed, so freshclam cannot fetch ClamAV's signature database and clamd does not start without one; " +
  "a ClamAV figure from the lab would be clamd without signatures, which is not the real cost. The schema's note (infra/config/schema.ts) puts ClamAV at ~1.2 GiB with signatures loaded: " +
  "turn features.clamav on only with a t4g.medium (4 GB) or larger.";

/** The webmail's memory with one browser session (which enrols first: the bench's data volume is blank). */
async function webmailFigures(lab: BenchLab): Promise<MemoryResult["webmail"]> {
  rmSync(labPaths.webmailState(), { force: true });
  const m = await measureWebmailMemory(lab.cfg, log);
  const r = m.results[0];
  return { atRestMb: m.atRestMb, withSessionMb: m.withSessionMb, session: r ? `${r.status}: ${r.detail}` : "the session check did not run" };
}

async function vmBenchmarks(selected: ReadonlySet<Bench>, o: Opts, report: { -readonly [K in keyof BenchReport]: BenchReport[K] }): Promise<void> {
  const at = () => new Date().toISOString();
  const boots: BootReport[] = [];
  let lab: BenchLab | undefined;
  try {
    const started = Date.now();
    lab = await benchLabUp({ readyTimeoutSeconds: Number(o.timeout) }, log);
    log(`vm: ${lab.ready.ready ? "READY" : "NOT READY"} after ${Math.round(lab.ready.seconds)} s (image ${lab.image.cached ? "cached" : `built in ${lab.image.buildSeconds} s`}; up total ${Math.round((Date.now() - started) / 1000)} s)`);
    const accel = lab.vm.accelerator;
    report.machine = { ...report.machine, vm: `qemu ${accel.kind.toUpperCase()}, 2 vCPU, 2048 MiB, Debian 13`, accelerator: accel };
    log(`vm: ${accel.detail}`);
    if (!lab.ready.ready) throw new Error(`the lab VM did not become ready: ${lab.ready.detail}`);
    await waitGuestAgent(120_000);
    const tag = lab.image.cached ? "image reused from the cache" : "image built in this run (cold)";
    if (selected.has("boot")) {
      boots.push(await bootReport(`boot 1: ${tag}, blank data volume`, labPaths.serialLog(), join(labDir(), "bench", "serial-boot1.log"), { hostSecondsToReady: lab.ready.seconds, imageCached: lab.image.cached, imageBuildSeconds: lab.image.buildSeconds }));
      const b = boots[0];
      if (b) log(`boot: READY at guest uptime ${b.console.readyAt ?? "?"} s; ${b.console.stages.map((s) => `${s.name.split(" -> ")[1]} +${s.seconds.toFixed(0)}s`).join(", ")}`);
    }
    let atRest: MemorySnapshot | undefined;
    let afterLoad: MemorySnapshot | undefined;
    if (selected.has("memory")) {
      log(`memory: letting the guest settle ${o.settleSeconds} s after READY`);
      await new Promise((r) => setTimeout(r, Number(o.settleSeconds) * 1000));
      atRest = await memorySnapshot(`at rest (${o.settleSeconds} s after READY)`);
      log(`memory: at rest ${atRest.meminfo.usedMb} MiB used of ${atRest.meminfo.totalMb}; top PSS ${atRest.units.slice(0, 5).map((u) => `${u.unit} ${u.pssMb}`).join(", ")}`);
    }
    if (selected.has("throughput")) {
      const targets: Target[] = ["bare", "inbound", "bare-auth-client", "submission"];
      const t = await runThroughput({ ...throughputOptions(o), targets, mailHostname: lab.cfg.hostname, appPasswords: lab.cfg.auth.appPasswords }, log);
      report.throughput = { at: at(), data: t };
      const f = throughputFigures(t.rounds);
      log(`throughput: medians end to end ${Object.entries(f.perTarget).map(([k, v]) => `${k} ${v.endToEnd?.median.toFixed(2) ?? "-"} msg/s`).join(", ")}; b/a ${f.ratios.bOverA ?? "-"}, c/a' ${f.ratios.cOverAprime ?? "-"}`);
    }
    if (selected.has("memory")) {
      afterLoad = await memorySnapshot(selected.has("throughput") ? "right after the throughput load" : "second sample (no load run)");
      log(`memory: after load ${afterLoad.meminfo.usedMb} MiB used; top PSS ${afterLoad.units.slice(0, 5).map((u) => `${u.unit} ${u.pssMb}`).join(", ")}`);
      const webmail = lab.cfg.features.webmail ? await webmailFigures(lab) : undefined;
      const mem: MemoryResult = { ...(atRest ? { atRest } : {}), ...(afterLoad ? { afterLoad } : {}), targetMb: 500, clamav: { measured: false, note: CLAMAV_NOTE }, ...(webmail ? { webmail } : {}) };
      report.memory = { at: at(), data: mem };
    }
    // After the load and the memory figures (a ban's log lines and nft work would disturb neither,
    // but the attacker's guessing costs the guest CPU), before the second boot replaces the VM.
    if (selected.has("ban")) report.banReaction = { at: at(), data: await runBanReaction(lab.cfg, log) };
    if (selected.has("boot") && Number(o.boots) >= 2) {
      log("boot: second boot (new instance from the now-cached image, blank data volume)");
      await shutdownVm(lab.vm, log);
      const { ready } = await bootUntilUp(lab.cfg, lab.image, lab.boot, { readyTimeoutSeconds: Number(o.timeout) }, log);
      if (!ready.ready) throw new Error(`second boot not ready: ${ready.detail}`);
      await waitGuestAgent(120_000);
      boots.push(await bootReport("boot 2: image reused from the cache, blank data volume", labPaths.serialLog(), join(labDir(), "bench", "serial-boot2.log"), { hostSecondsToReady: ready.seconds, imageCached: true, imageBuildSeconds: 0 }));
      log(`boot: second boot READY after ${Math.round(ready.seconds)} s (host wall)`);
    }
  } finally {
    if (boots.length > 0) report.boot = { at: at(), data: boots };
    log("lab: tearing down");
    await benchLabDown(log).catch((e: unknown) => log(`down failed: ${e instanceof Error ? e.message : String(e)}`));
  }
}

async function main(): Promise<void> {
  const program = new Command("bench")
    .description("mailfort benchmarks: native (throughput on this CPU, no VM), throughput, memory, ban (fail2ban's reaction), boot, synth, fleet (default: all)")
    .argument("[benchmarks...]", `any of ${ALL.join(", ")}`)
    .option("--rounds <n>", "throughput rounds per target (interleaved)", "5")
    .option("--messages <n>", "messages per throughput round (b, c)", "80")
    .option("--bare-messages <n>", "messages per round against the bare Postfix (a, a'): it is ~10x faster", "320")
    .option("--sessions <n>", "parallel SMTP sessions per round", "4")
    .option("--body-bytes <n>", "message body size", "2048")
    .option("--synth-sizes <list>", "domain counts for the synth scaling (the config caps a stack at 200)", "1,5,20,200")
    .option("--synth-rounds <n>", "synth rounds per size", "3")
    .option("--synth-runs <n>", `runs of the whole \`npm run synth -- --stack lab\` command (after one warm-up; target <= ${GOALS.synthCommandSeconds} s)`, "5")
    .option("--fleet-customers <n>", `generated customers for the fleet plan (target: ${GOALS.fleetPlanSeconds.customers} in <= ${GOALS.fleetPlanSeconds.seconds} s)`, String(GOALS.fleetPlanSeconds.customers))
    .option("--fleet-workers <n>", "synth workers of the fleet plan", String(GOALS.fleetPlanSeconds.workers))
    .option("--boots <n>", "boots for the boot benchmark (2: the second with the cached image)", "2")
    .option("--settle-seconds <n>", "wait after READY before the at-rest memory sample", "60")
    .option("--timeout <seconds>", "readiness timeout per boot", "1500")
    .option("--out <dir>", "results directory", join(repoRoot(), "bench", "results"))
    .option("--render-only <date>", "only recompute the figures of <out>/<date>.json from its measurements and rewrite it and <date>.md (after a change to the report code)")
    .parse();
  const ro = program.opts<{ renderOnly?: string; out: string }>();
  if (ro.renderOnly !== undefined) {
    const stored = readReport(ro.out, `${ro.renderOnly}.json`);
    const final = finalizeReport(stored, figureHistory(ro.out).filter((h) => h.date < stored.date));
    writeFileSync(join(ro.out, `${ro.renderOnly}.json`), `${JSON.stringify(final, null, 2)}\n`);
    writeFileSync(join(ro.out, `${ro.renderOnly}.md`), renderMarkdown(final));
    log(`recomputed ${ro.renderOnly}.json and rendered ${ro.renderOnly}.md`);
    return;
  }
  const names = program.args.length > 0 ? program.args : [...ALL];
  const bad = names.filter((n) => !(ALL as readonly string[]).includes(n));
  if (bad.length > 0) throw new Error(`unknown benchmark(s) ${bad.join(", ")}: choose from ${ALL.join(", ")}`);
  const selected = new Set(names as Bench[]);
  const o = program.opts<Opts>();
  const needVm = selected.has("throughput") || selected.has("memory") || selected.has("ban") || selected.has("boot");
  if (selected.has("native") && process.getuid && process.getuid() !== 0) throw new Error("the native bench mounts an overlay, chroots and creates network namespaces: run as root");
  if (needVm) {
    if (process.getuid && process.getuid() !== 0) throw new Error("the VM benchmarks create network namespaces and run qemu: run as root");
    if (runningVm()) throw new Error("a lab VM is already running (npm run lab -- up?): only one lab at a time; `npm run lab -- down` first");
  }
  const date = new Date().toISOString().slice(0, 10);
  const report: { -readonly [K in keyof BenchReport]: BenchReport[K] } = {
    date,
    command: `npm run bench -- ${process.argv.slice(2).join(" ")}`.trim(),
    machine: { cpus: cpus().length, node: process.version, load1: Math.round((loadavg()[0] ?? 0) * 100) / 100, vm: "no VM (offline benchmarks only)" },
    notes: [
      `Bench-only stack override (the product defaults are unchanged): mailfort:limits raised to ${Object.entries(BENCH_LIMITS).map(([k, v]) => `${k}=${v}`).join(", ")}, because every load comes from one client address (the lab sender) and these per-client limits exist to stop exactly that. The firewall's per-source flood guard follows connectionsPerMinute. All other settings are the lab stack's.`,
      "Clients: Postfix smtp-source (a, b; -d: several messages per connection) and nodemailer with a connection pool (a', c; smtp-source cannot AUTH), run in the lab sender namespace (VM) or the native bench's own sender namespace, with the lab sender's address.",
    ],
  };
  try {
    // Synth and fleet first: they need no VM, and a running qemu would steal a core from them.
    if (selected.has("synth")) {
      report.synthCommand = { at: new Date().toISOString(), data: await runSynthCommand(repoRoot(), Number(o.synthRuns), log) };
      const s = await runSynthScale(o.synthSizes.split(",").map(Number), Number(o.synthRounds), log);
      report.synth = { at: new Date().toISOString(), data: s };
    }
    if (selected.has("fleet")) {
      report.fleet = { at: new Date().toISOString(), data: await runFleetScale(repoRoot(), [Number(o.fleetCustomers)], Number(o.fleetWorkers), log) };
    }
    // Native before the VM: a running qemu would take the CPU the native figures are about.
    if (selected.has("native")) {
      const n = await runNativeThroughput({ ...throughputOptions(o), targets: ["bare", "inbound", "bare-auth-client", "submission"] }, log);
      report.nativeThroughput = { at: new Date().toISOString(), data: n };
      const f = throughputFigures(n.rounds);
      log(`native: b/a ${f.ratios.bOverA ?? "-"} (target >= ${NATIVE_RATIO_TARGETS.bOverA}), c/a' ${f.ratios.cOverAprime ?? "-"} (target >= ${NATIVE_RATIO_TARGETS.cOverAprime})`);
    }
    if (needVm) await vmBenchmarks(selected, o, report);
  } finally {
    mkdirSync(o.out, { recursive: true });
    const jsonFile = join(o.out, `${date}.json`);
    const sameDay = existsSync(jsonFile) ? readReport(o.out, `${date}.json`) : undefined;
    const final = finalizeReport(mergeReports(report, sameDay), figureHistory(o.out).filter((h) => h.date < date));
    writeFileSync(jsonFile, `${JSON.stringify(final, null, 2)}\n`);
    writeFileSync(join(o.out, `${date}.md`), renderMarkdown(final));
    log(`written: ${jsonFile} and ${date}.md`);
  }
}

main().catch((e: unknown) => {
  log(e instanceof Error ? (e.stack ?? e.message) : String(e));
  process.exit(1);
});
