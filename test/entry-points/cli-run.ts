// One `pulumi up` (or preview) of a mailfort stack as the CLI would run it, minus the CLI: the
// stack file read and decrypted with the passphrase (the engine hands decrypted config to the
// language host), a fake engine replaying the synth's provider answers, and the program started
// through @pulumi/pulumi/cmd/run exactly as the Node.js language host starts it.
import { loadStack, REPO_ROOT } from "../../infra/synth/in-process";
import { type ProgramResult, runProgram } from "../support/fake-engine/language-host";
import { type Recording, replayAnswers } from "../support/fake-engine/replay";
import { startFakeEngine } from "../support/fake-engine/server";
import type { EngineLog, Registration } from "../support/fake-engine/types";

export interface CliRun {
  readonly stack: string;
  readonly result: ProgramResult;
  readonly registrations: readonly Registration[];
  readonly logs: readonly EngineLog[];
  readonly shutdownSignalled: boolean;
  /** The config the program got, secrets decrypted (for leak checks). */
  readonly config: Readonly<Record<string, string>>;
  readonly secretKeys: readonly string[];
}

export interface CliRunRequest {
  readonly stack: string;
  readonly dryRun: boolean;
  readonly passphrase: string;
  /** The stack file's text, if not stacks/Pulumi.<stack>.yaml. */
  readonly configText?: string;
  /** Config values to set on top of the stack file, as `pulumi config set` would (unvalidated). */
  readonly configOverride?: Readonly<Record<string, string>>;
  readonly recording: Recording;
  readonly timeoutMs: number;
}

export async function runStackThroughCli(req: CliRunRequest): Promise<CliRun> {
  const { file } = loadStack(req.stack, { passphrase: req.passphrase, ...(req.configText !== undefined ? { configText: req.configText } : {}) });
  const config = { ...file.values, ...req.configOverride };
  const engine = await startFakeEngine({ stack: req.stack, project: "mailfort", dryRun: req.dryRun, answers: replayAnswers(req.recording) });
  try {
    const result = await runProgram({
      projectDir: REPO_ROOT, stack: req.stack, config, secretKeys: [...file.secretKeys],
      dryRun: req.dryRun, engineAddress: engine.address, timeoutMs: req.timeoutMs,
    });
    return {
      stack: req.stack, result, registrations: engine.registrations, logs: engine.logs, shutdownSignalled: engine.shutdownSignalled,
      config, secretKeys: [...file.secretKeys],
    };
  } finally {
    await engine.close();
  }
}
