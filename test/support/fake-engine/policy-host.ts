// Start a policy pack the way the Node.js language host does for `--policy-pack <dir>`
// (RunPlugin, kind analyzer): locate @pulumi/pulumi/cmd/run-policy-pack from the pack directory,
// run `node <run-policy-pack> [nodeargs] <engine address> <pack dir>` IN the pack directory with
// the stack's identity and config in the environment (what the host learns from ConfigureStack)
// and PULUMI_NODEJS_TYPESCRIPT=true, then read the analyzer's port from its first stdout line.
import type { ChildProcess } from "node:child_process";
import { join } from "node:path";
import * as grpc from "@grpc/grpc-js";
import { AnalyzerClient } from "@pulumi/pulumi/proto/analyzer_grpc_pb";
import { childEnv, locateModule, startNode } from "./node-process";
import { runtimeOptions } from "./project";

export interface PackStart {
  readonly packDir: string;
  readonly engineAddress: string;
  readonly project: string;
  readonly stack: string;
  readonly dryRun: boolean;
  /** "<ns>:<key>" -> value, as ConfigureStack hands it over. */
  readonly config: Readonly<Record<string, string>>;
  readonly timeoutMs: number;
}

export interface RunningPack {
  readonly client: AnalyzerClient;
  /** How long from spawn until the analyzer served (compiling the pack included). */
  readonly startMs: number;
  stderr(): string;
  stop(): void;
}

export async function startPolicyPack(start: PackStart): Promise<RunningPack> {
  const options = runtimeOptions(join(start.packDir, "PulumiPolicy.yaml"));
  const runPath = locateModule("@pulumi/pulumi/cmd/run-policy-pack", start.packDir);
  // The host puts nodeargs AFTER the script for plugins, so they reach the pack as arguments.
  const args = [runPath, ...options.nodeArgs, start.engineAddress, start.packDir];
  const env = childEnv({
    ...(options.typescript ? { PULUMI_NODEJS_TYPESCRIPT: "true" } : {}),
    PULUMI_NODEJS_ORGANIZATION: "organization",
    PULUMI_NODEJS_PROJECT: start.project,
    PULUMI_NODEJS_STACK: start.stack,
    PULUMI_NODEJS_DRY_RUN: String(start.dryRun),
    PULUMI_CONFIG: JSON.stringify(start.config),
  });
  const started = Date.now();
  const child = startNode(args, start.packDir, env);
  let stderr = "";
  child.stderr?.on("data", (d: Buffer) => { stderr += d.toString(); });
  const port = await awaitPort(child, start.timeoutMs, () => stderr);
  return {
    client: new AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure()),
    startMs: Date.now() - started,
    stderr: () => stderr,
    stop: () => { child.kill(); },
  };
}

/** The pack prints its port as its first line of output (the plugin handshake). */
function awaitPort(child: ChildProcess, timeoutMs: number, stderr: () => string): Promise<number> {
  return new Promise((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => { child.kill("SIGKILL"); reject(new Error(`policy pack did not serve within ${timeoutMs} ms:\n${stderr()}`)); }, timeoutMs);
    child.stdout?.on("data", (d: Buffer) => {
      out += d.toString();
      const m = /^(\d+)\s*$/m.exec(out);
      if (m?.[1] !== undefined) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    child.on("exit", (code) => { clearTimeout(timer); reject(new Error(`policy pack exited (${code}) before serving:\n${stderr()}`)); });
  });
}
