// Synthesize one stack in a child process (Pulumi mocks are process-global, and the caller's own
// process may hold other state): a pool of one synth worker, closed afterwards. What comes back
// is the public view: secret values are "[secret]". Ask for a secretsDir to get the real SSM
// parameter tree written as files. Many stacks: startSynthWorkers (workers.ts) keeps its workers.
import type { SynthOptions } from "./in-process";
import type { SynthResult } from "./result";
import { startSynthWorkers } from "./workers";

/** A synth that has not finished by then is stuck (an output that never resolves): kill it. */
const DEFAULT_TIMEOUT_MS = 300_000;

export async function runSynth(stack: string, opts: SynthOptions & { timeoutMs?: number } = {}): Promise<SynthResult> {
  const { timeoutMs, ...options } = opts;
  const workers = startSynthWorkers({ size: 1, synthsPerWorker: 1, timeoutMs: timeoutMs ?? DEFAULT_TIMEOUT_MS });
  try {
    return await workers.synth(stack, options);
  } finally {
    await workers.close();
  }
}
