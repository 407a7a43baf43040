// The fake engine's Engine service: where the program sends its log lines (and every error it
// reports, as `pulumi up` prints them) and where it stores the root stack's URN.
import { status } from "@grpc/grpc-js";
import type { IEngineServer } from "@pulumi/pulumi/proto/engine_grpc_pb";
import * as engineproto from "@pulumi/pulumi/proto/engine_pb";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { rpcError } from "./monitor";
import type { EngineLog } from "./types";

const SEVERITY: Record<engineproto.LogSeverity, EngineLog["severity"]> = {
  [engineproto.LogSeverity.DEBUG]: "debug",
  [engineproto.LogSeverity.INFO]: "info",
  [engineproto.LogSeverity.WARNING]: "warning",
  [engineproto.LogSeverity.ERROR]: "error",
};

export interface EngineState {
  readonly logs: EngineLog[];
  rootResource: string;
}

export function engineService(state: EngineState): IEngineServer {
  return {
    log: (call, callback) => {
      const req = call.request;
      state.logs.push({ severity: SEVERITY[req.getSeverity()], message: req.getMessage(), urn: req.getUrn() });
      callback(null, new Empty());
    },
    getRootResource: (_call, callback) => callback(null, new engineproto.GetRootResourceResponse().setUrn(state.rootResource)),
    setRootResource: (call, callback) => {
      state.rootResource = call.request.getUrn();
      callback(null, new engineproto.SetRootResourceResponse());
    },
    // Any SDK version is fine for this engine.
    requirePulumiVersion: (_call, callback) => callback(null, new engineproto.RequirePulumiVersionResponse()),
    startDebugging: (_call, callback) => callback(rpcError(status.UNIMPLEMENTED, "no debugger in the fake engine")),
  };
}
