// Synthesize a stack in a child process (Pulumi mocks are process-global, so each stack gets a
// fresh one). What comes back is the public view: secret values are "[secret]". Ask for a
// secretsDir to get the real SSM parameter tree written as files.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigError, type ConfigIssue } from "../config";
import { REPO_ROOT, type SynthOptions } from "./in-process";
import type { SynthResult } from "./result";

type ChildAnswer = { ok: SynthResult } | { configError: ConfigIssue[] } | { error: string };

/** A synth that has not finished by then is stuck (an output that never resolves): kill it. */
const DEFAULT_TIMEOUT_MS = 300_000;

export async function runSynth(stack: string, opts: SynthOptions & { timeoutMs?: number } = {}): Promise<SynthResult> {
  const work = mkdtempSync(join(tmpdir(), "mailfort-synth-"));
  try {
    const args = ["--import", "tsx", join(__dirname, "child.ts"), "--stack", stack, "--result", join(work, "result.json")];
    if (opts.configText !== undefined) {
      const file = join(work, `Pulumi.${stack}.yaml`);
      writeFileSync(file, opts.configText);
      args.push("--config-file", file);
    } else if (opts.configFile !== undefined) {
      args.push("--config-file", opts.configFile);
    }
    if (opts.secretsDir !== undefined) args.push("--secrets-dir", opts.secretsDir);
    if (opts.snapshots !== undefined) {
      writeFileSync(join(work, "snapshots.json"), JSON.stringify(opts.snapshots));
      args.push("--snapshots", join(work, "snapshots.json"));
    }
    if (opts.serial !== undefined) args.push("--serial", String(opts.serial));
    const env = { ...process.env, ...(opts.passphrase !== undefined ? { PULUMI_CONFIG_PASSPHRASE: opts.passphrase } : {}) };
    const { code, stderr, timedOut } = await run(process.execPath, args, env, opts.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    if (timedOut) throw new Error(`synth of ${stack} did not finish within ${opts.timeoutMs ?? DEFAULT_TIMEOUT_MS} ms and was stopped:\n${stderr}`);
    let answer: ChildAnswer;
    try {
      answer = JSON.parse(readFileSync(join(work, "result.json"), "utf8")) as ChildAnswer;
    } catch {
      throw new Error(`synth of ${stack} crashed (exit ${code}) before writing a result:\n${stderr}`);
    }
    if ("ok" in answer) return answer.ok;
    if ("configError" in answer) throw new ConfigError(answer.configError, `stack ${stack}`);
    throw new Error(`synth of ${stack} failed: ${answer.error}\n${stderr}`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs: number): Promise<{ code: number; stderr: string; timedOut: boolean }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: REPO_ROOT, env, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, timeoutMs);
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
    });
    child.on("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? 1, stderr, timedOut });
    });
  });
}
