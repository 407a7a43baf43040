// A pool of synth workers (worker.ts): at most `size` child processes, each synthesizing one
// stack at a time. A worker loads the program once and then serves stack after stack; it is
// replaced after `synthsPerWorker` stacks (what a long-lived Node process accumulates stays
// bounded), when a synth overruns its time (killed: an output that never resolves), and when it
// dies. What comes back is the public view: secret values are "[secret]".
import { type ChildProcess, fork } from "node:child_process";
import { join } from "node:path";
import { ConfigError } from "../config";
// Type-only from in-process, REPO_ROOT from paths: the parent of the workers never loads the
// program (@pulumi/pulumi, the AWS SDK, the mocks) it only asks its workers to run.
import type { SynthOptions } from "./in-process";
import { REPO_ROOT } from "./paths";
import type { SynthResult } from "./result";
import type { SynthAnswer, SynthRequest } from "./worker-messages";

export interface SynthWorkersOptions {
  /** Worker processes at most (each ~250 MiB and one core while it synthesizes). */
  readonly size: number;
  /** Stacks a worker synthesizes before it is replaced by a fresh one. */
  readonly synthsPerWorker?: number;
  /** A synth that has not finished by then is stuck: its worker is killed. */
  readonly timeoutMs?: number;
}

export interface SynthWorkers {
  synth(stack: string, opts?: SynthOptions): Promise<SynthResult>;
  /** Stop every worker (queued synths are refused); resolves when they have exited. */
  close(): Promise<void>;
  /** Worker processes started so far: each paid the module loading once. */
  readonly started: number;
}

interface Job {
  readonly req: SynthRequest;
  readonly resolve: (r: SynthResult) => void;
  readonly reject: (e: Error) => void;
}

interface Worker {
  readonly child: ChildProcess;
  readonly exited: Promise<void>;
  synths: number;
  stderr: string;
  job?: Job;
  timer?: NodeJS.Timeout;
}

const WORKER = join(REPO_ROOT, "infra", "synth", "worker.ts");
const STDERR_KEPT = 8000;

export function startSynthWorkers(o: SynthWorkersOptions): SynthWorkers {
  if (!Number.isInteger(o.size) || o.size < 1) throw new Error(`synth workers: size must be a whole number >= 1, got ${o.size}`);
  const perWorker = o.synthsPerWorker ?? 25;
  const timeoutMs = o.timeoutMs ?? 300_000;
  const queue: Job[] = [];
  const workers = new Set<Worker>();
  let nextId = 1;
  let started = 0;
  let closed = false;

  const settle = (w: Worker): Job | undefined => {
    const job = w.job;
    clearTimeout(w.timer);
    w.job = undefined;
    return job;
  };

  const spawnWorker = (): Worker => {
    const child = fork(WORKER, [], { cwd: REPO_ROOT, execArgv: ["--import", "tsx"], stdio: ["ignore", "ignore", "pipe", "ipc"] });
    started++;
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    const w: Worker = { child, exited, synths: 0, stderr: "" };
    child.stderr?.on("data", (d: Buffer) => void (w.stderr = (w.stderr + d.toString()).slice(-STDERR_KEPT)));
    child.on("message", (a: SynthAnswer) => {
      const job = settle(w);
      if (job === undefined || job.req.id !== a.id) return;
      w.synths++;
      if ("ok" in a) job.resolve(a.ok);
      else if ("configError" in a) job.reject(new ConfigError(a.configError, `stack ${job.req.stack}`));
      else job.reject(new Error(`synth of ${job.req.stack} failed: ${a.error}\n${w.stderr}`));
      if (w.synths >= perWorker) retire(w);
      dispatch();
    });
    child.once("exit", (code, signal) => {
      workers.delete(w);
      const job = settle(w);
      job?.reject(new Error(`synth of ${job.req.stack} crashed (worker exit ${code ?? signal}) before answering:\n${w.stderr}`));
      dispatch();
    });
    child.once("error", (e) => {
      workers.delete(w);
      settle(w)?.reject(e);
      dispatch();
    });
    workers.add(w);
    return w;
  };

  const retire = (w: Worker): void => {
    workers.delete(w);
    if (w.child.connected) w.child.disconnect();
  };

  const dispatch = (): void => {
    while (!closed && queue.length > 0) {
      const w = [...workers].find((x) => x.job === undefined) ?? (workers.size < o.size ? spawnWorker() : undefined);
      if (w === undefined) return;
      const job = queue.shift() as Job;
      w.stderr = "";
      w.job = job;
      w.timer = setTimeout(() => {
        settle(w)?.reject(new Error(`synth of ${job.req.stack} did not finish within ${timeoutMs} ms and was stopped:\n${w.stderr}`));
        workers.delete(w);
        w.child.kill("SIGKILL");
        dispatch();
      }, timeoutMs);
      w.child.send(job.req);
    }
  };

  return {
    synth(stack, opts = {}) {
      if (closed) return Promise.reject(new Error("synth workers: closed"));
      return new Promise<SynthResult>((resolve, reject) => {
        queue.push({ req: { id: nextId++, stack, options: opts }, resolve, reject });
        dispatch();
      });
    },
    async close() {
      closed = true;
      for (const job of queue.splice(0)) job.reject(new Error(`synth of ${job.req.stack}: the workers were closed first`));
      const all = [...workers];
      for (const w of all) {
        const job = settle(w);
        job?.reject(new Error(`synth of ${job.req.stack}: the workers were closed first`));
        retire(w);
      }
      await Promise.all(all.map((w) => w.exited));
    },
    get started() {
      return started;
    },
  };
}
