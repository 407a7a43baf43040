// Node child processes the way the language host starts them: the test's own node binary, an
// environment without vitest's loader options, output collected, a hard time limit.
import { type ChildProcess, spawn, spawnSync } from "node:child_process";

export interface Finished {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly durationMs: number;
}

/** The environment a child gets: ours plus `extra`, minus NODE_OPTIONS (vitest's hooks). */
export function childEnv(extra: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const env = { ...process.env, ...extra };
  delete env.NODE_OPTIONS;
  return env;
}

/** locateModule: resolve a module from a directory as the host does, with `node -e require.resolve`. */
export function locateModule(module: string, dir: string): string {
  const r = spawnSync(process.execPath, ["-e", `console.log(require.resolve(${JSON.stringify(module)}))`], { cwd: dir, encoding: "utf8", env: childEnv({}) });
  if (r.status !== 0) throw new Error(`cannot locate ${module} from ${dir}: ${r.stderr}`);
  return r.stdout.trim();
}

export function startNode(args: readonly string[], cwd: string, env: NodeJS.ProcessEnv): ChildProcess {
  return spawn(process.execPath, [...args], { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
}

export function runNode(args: readonly string[], cwd: string, env: NodeJS.ProcessEnv, timeoutMs: number): Promise<Finished> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = startNode(args, cwd, env);
    let stdout = "";
    let stderr = "";
    child.stdout?.on("data", (d: Buffer) => { stdout += d.toString(); });
    child.stderr?.on("data", (d: Buffer) => { stderr += d.toString(); });
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("error", (e) => { clearTimeout(timer); reject(e); });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      const exitCode = code ?? (signal === "SIGKILL" ? 137 : 1);
      if (signal === "SIGKILL") stderr += `\n[killed after ${timeoutMs} ms]`;
      resolve({ exitCode, stdout, stderr, durationMs: Date.now() - started });
    });
  });
}
