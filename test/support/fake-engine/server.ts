// A fake Pulumi engine for tests: one gRPC server on loopback serving the ResourceMonitor and
// Engine services from the protos that ship in @pulumi/pulumi/proto, i.e. exactly what a program
// started by the Node.js language host connects to (--monitor and --engine). It records every
// registration, invoke and log line; a provider's answers come from an injected Answers.
import * as grpc from "@grpc/grpc-js";
import { EngineService } from "@pulumi/pulumi/proto/engine_grpc_pb";
import { ResourceMonitorService } from "@pulumi/pulumi/proto/resource_grpc_pb";
import { engineService, type EngineState } from "./engine-service";
import { type MonitorState, resourceMonitor } from "./monitor";
import type { Answers, EngineLog, Registration } from "./types";
import type { WireObject } from "./wire";

export interface FakeEngineOptions {
  readonly stack: string;
  readonly project: string;
  /** true for `pulumi preview` (and the preview half of `pulumi up`). */
  readonly dryRun: boolean;
  readonly answers: Answers;
}

export interface FakeEngine {
  /** host:port for --monitor and for --engine (one server serves both services). */
  readonly address: string;
  readonly registrations: readonly Registration[];
  readonly invokes: readonly { token: string; args: WireObject }[];
  readonly logs: readonly EngineLog[];
  readonly rootResource: string;
  readonly shutdownSignalled: boolean;
  close(): Promise<void>;
}

export async function startFakeEngine(opts: FakeEngineOptions): Promise<FakeEngine> {
  const monitor: MonitorState = { stack: opts.stack, project: opts.project, dryRun: opts.dryRun, registrations: [], invokes: [], shutdownSignalled: false };
  const engine: EngineState = { logs: [], rootResource: "" };
  // The SDK sends whole user-data documents and policy texts: allow what the Go engine allows.
  const server = new grpc.Server({ "grpc.max_receive_message_length": 400 * 1024 * 1024 });
  server.addService(ResourceMonitorService, resourceMonitor(monitor, opts.answers));
  server.addService(EngineService, engineService(engine));
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))));
  return {
    address: `127.0.0.1:${port}`,
    registrations: monitor.registrations,
    invokes: monitor.invokes,
    logs: engine.logs,
    get rootResource() { return engine.rootResource; },
    get shutdownSignalled() { return monitor.shutdownSignalled; },
    close: () => new Promise<void>((resolve) => server.tryShutdown(() => resolve())),
  };
}
