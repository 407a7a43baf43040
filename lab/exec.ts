// Running the system tools the lab drives (ip, nsd, postfix, qemu-img, mkfs...), with their
// output kept for the error message: a failed step says which command failed and why.
import { spawnSync } from "node:child_process";

class CommandError extends Error {}

export interface RunOptions {
  /** Run inside this network namespace (`ip netns exec`). */
  readonly netns?: string;
  /** Do not throw on a non-zero exit. */
  readonly allowFail?: boolean;
  readonly input?: string;
  readonly timeoutMs?: number;
  readonly env?: NodeJS.ProcessEnv;
}

export interface RunResult {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
  /** The timeout stopped it (its status is then whatever it exited with on SIGTERM). */
  readonly timedOut?: boolean;
}

export function run(cmd: string, args: readonly string[], opts: RunOptions = {}): RunResult {
  const [file, argv] = opts.netns ? ["ip", ["netns", "exec", opts.netns, cmd, ...args]] : [cmd, [...args]];
  const r = spawnSync(file, argv, {
    encoding: "utf8",
    input: opts.input,
    timeout: opts.timeoutMs ?? 120_000,
    env: opts.env ?? process.env,
    maxBuffer: 64 * 1024 * 1024,
  });
  const timedOut = (r.error as NodeJS.ErrnoException | undefined)?.code === "ETIMEDOUT";
  const result = { status: r.status ?? -1, stdout: r.stdout ?? "", stderr: (r.stderr ?? "") + (r.error ? String(r.error) : ""), ...(timedOut ? { timedOut } : {}) };
  if (result.status !== 0 && !opts.allowFail) {
    throw new CommandError(`command failed (exit ${result.status}): ${[file, ...argv].join(" ")}\n${result.stderr.trim() || result.stdout.trim()}`);
  }
  return result;
}

/** True when `cmd` is on PATH. */
export function haveCommand(cmd: string): boolean {
  return spawnSync("sh", ["-c", `command -v ${cmd}`], { encoding: "utf8" }).status === 0;
}
