// What `npm run synth` does, as a function: validate the stack (a bad config throws ConfigError
// before anything exists), synthesize it, and write the artifacts all or nothing.
import { existsSync } from "node:fs";
import { assertReplaceable, writeArtifacts } from "./artifacts";
import { type SynthOptions, loadStack, synthInProcess } from "./in-process";
import type { SynthResult } from "./result";

export interface WrittenSynth {
  readonly result: SynthResult;
  readonly files: readonly string[];
  /** The output directory did not exist before. */
  readonly fresh: boolean;
}

export async function synthToDirectory(stack: string, out: string, opts: SynthOptions = {}, synth: typeof synthInProcess = synthInProcess): Promise<WrittenSynth> {
  loadStack(stack, opts);
  assertReplaceable(out);
  const result = await synth(stack, opts);
  const fresh = !existsSync(out);
  return { result, files: writeArtifacts(out, result), fresh };
}
