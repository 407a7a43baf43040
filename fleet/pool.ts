// Bounded parallelism with dependencies: at most `limit` jobs run at once; a job starts only
// after every job it depends on has finished (it is told whether they succeeded). Jobs are
// started in list order among those ready. A failing job never stops the others.

export interface Job<T> {
  readonly id: string;
  readonly dependsOn?: readonly string[];
  readonly item: T;
}

export interface JobDone<R> {
  readonly id: string;
  readonly ok: boolean;
  readonly value?: R;
  readonly error?: unknown;
}

export interface PoolRun<R> {
  /** In the order of the input jobs. */
  readonly results: ReadonlyArray<JobDone<R>>;
  /** The most jobs that were running at the same moment (to check the bound). */
  readonly maxConcurrent: number;
}

export async function runPool<T, R>(
  jobs: ReadonlyArray<Job<T>>,
  limit: number,
  work: (item: T, deps: ReadonlyArray<JobDone<R>>) => Promise<R>,
): Promise<PoolRun<R>> {
  if (!Number.isInteger(limit) || limit < 1) throw new Error(`parallelism must be a whole number >= 1, got ${limit}`);
  const ids = new Set(jobs.map((j) => j.id));
  for (const j of jobs) for (const d of j.dependsOn ?? []) if (!ids.has(d)) throw new Error(`job ${j.id} depends on unknown job ${d}`);
  const done = new Map<string, JobDone<R>>();
  const waiting = [...jobs];
  let running = 0;
  let maxConcurrent = 0;

  await new Promise<void>((resolveAll, rejectAll) => {
    const pump = (): void => {
      if (done.size === jobs.length) return resolveAll();
      while (running < limit) {
        const idx = waiting.findIndex((j) => (j.dependsOn ?? []).every((d) => done.has(d)));
        if (idx < 0) break;
        const [job] = waiting.splice(idx, 1) as [Job<T>];
        running++;
        maxConcurrent = Math.max(maxConcurrent, running);
        const deps = (job.dependsOn ?? []).map((d) => done.get(d) as JobDone<R>);
        // Promise.resolve().then: a synchronous throw in `work` is a failed job, not a crash.
        Promise.resolve()
          .then(() => work(job.item, deps))
          .then((value) => done.set(job.id, { id: job.id, ok: true, value }), (error: unknown) => done.set(job.id, { id: job.id, ok: false, error }))
          .finally(() => { running--; pump(); });
      }
      if (running === 0 && waiting.length > 0) rejectAll(new Error(`dependency cycle among: ${waiting.map((j) => j.id).join(", ")}`));
    };
    pump();
  });
  return { results: jobs.map((j) => done.get(j.id) as JobDone<R>), maxConcurrent };
}
