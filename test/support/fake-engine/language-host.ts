// Start a Pulumi program the way the Node.js language host (pulumi-language-nodejs, Run) does:
// locate @pulumi/pulumi/cmd/run from the program directory, then run
//   node [nodeargs] <run> --monitor A --engine A --sync D --organization O --project P
//        --root-directory R --stack S --pwd <program dir> [--dry-run] --parallel N <entry>
// in the program directory, with PULUMI_CONFIG (keys in the old "<ns>:config:<key>" form),
// PULUMI_CONFIG_SECRET_KEYS and, when runtime.options.typescript is on (the default),
// PULUMI_NODEJS_TYPESCRIPT=true. The exit code is judged as the host judges it.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Finished, childEnv, locateModule, runNode } from "./node-process";
import { programLocation } from "./project";

export interface ProgramRun {
  readonly projectDir: string;
  readonly stack: string;
  /** Stack config as the engine hands it over: "<ns>:<key>" -> string, secrets decrypted. */
  readonly config: Readonly<Record<string, string>>;
  readonly secretKeys: readonly string[];
  readonly dryRun: boolean;
  /** The fake engine's address (it serves both the monitor and the engine). */
  readonly engineAddress: string;
  readonly timeoutMs: number;
}

export interface ProgramResult extends Finished {
  /** The RunResponse error the host returns ("" when the program succeeded or bailed). */
  readonly error: string;
  /** Exit code 32: the program already reported its error through the engine; the CLI adds nothing. */
  readonly bail: boolean;
}

/** How the host turns the program's exit code into its RunResponse (execRuntime). */
export function hostVerdict(exitCode: number): { error: string; bail: boolean } {
  if (exitCode === 0) return { error: "", bail: false };
  if (exitCode === 32) return { error: "", bail: true };
  return { error: `Program exited with non-zero exit code: ${exitCode}`, bail: false };
}

/** The config map as the host puts it in PULUMI_CONFIG. */
export function legacyConfigKeys(config: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(config).map(([key, value]) => {
    const colon = key.indexOf(":");
    if (colon < 0) throw new Error(`config key ${key} has no namespace`);
    return [`${key.slice(0, colon)}:config:${key.slice(colon + 1)}`, value];
  }));
}

export async function runProgram(run: ProgramRun): Promise<ProgramResult> {
  const project = programLocation(run.projectDir);
  const runPath = locateModule("@pulumi/pulumi/cmd/run", project.programDir);
  // The host serves synchronous invokes over pipes in this directory; SDK 3.248 never opens them.
  const sync = mkdtempSync(join(tmpdir(), "fake-langhost-"));
  const args = [
    ...project.nodeArgs, runPath,
    "--monitor", run.engineAddress, "--engine", run.engineAddress, "--sync", sync,
    "--organization", "organization", "--project", project.name, "--root-directory", run.projectDir,
    "--stack", run.stack, "--pwd", project.programDir, ...(run.dryRun ? ["--dry-run"] : []), "--parallel", "16",
    project.entryPoint,
  ];
  const env = childEnv({
    PULUMI_CONFIG: JSON.stringify(legacyConfigKeys(run.config)),
    PULUMI_CONFIG_SECRET_KEYS: JSON.stringify(run.secretKeys),
    ...(project.typescript ? { PULUMI_NODEJS_TYPESCRIPT: "true" } : {}),
    ...(project.tsconfig !== undefined ? { PULUMI_NODEJS_TSCONFIG_PATH: project.tsconfig } : {}),
  });
  try {
    const finished = await runNode(args, project.programDir, env, run.timeoutMs);
    return { ...finished, ...hostVerdict(finished.exitCode) };
  } finally {
    rmSync(sync, { recursive: true, force: true });
  }
}
