// The fake engine's ResourceMonitor: the service a Pulumi program talks to for every resource it
// registers and every provider function it calls. It answers the way the Go engine does where the
// SDK can tell (feature flags, URNs, ids, outputs; previews return no ids and no computed
// outputs), asks an injected Answers for the provider's part, and records every request.
import * as grpc from "@grpc/grpc-js";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import type { IResourceMonitorServer } from "@pulumi/pulumi/proto/resource_grpc_pb";
import * as resproto from "@pulumi/pulumi/proto/resource_pb";
import * as provproto from "@pulumi/pulumi/proto/provider_pb";
import type { Answers, Registration } from "./types";
import { engineUrn } from "./urn";
import { type WireObject, fromStruct, keepInputSecrets, markSecret, toStruct } from "./wire";

/** The features the Go engine reports (source_eval.go supportsFeatureID); anything else: false. */
export const ENGINE_FEATURES = new Set([
  "secrets", "resourceReferences", "outputValues", "aliasSpecs", "replacementTrigger", "deletedWith",
  "replaceWith", "transforms", "invokeTransforms", "parameterization", "resourceHooks", "errorHooks", "sendsOptionsToHooks",
]);

export interface MonitorState {
  readonly stack: string;
  readonly project: string;
  readonly dryRun: boolean;
  readonly registrations: Registration[];
  readonly invokes: { token: string; args: WireObject }[];
  /** Set once the program said it registered everything (SignalAndWaitForShutdown). */
  shutdownSignalled: boolean;
}

type Unary<Req, Res> = grpc.handleUnaryCall<Req, Res>;

/** A gRPC error as grpc-js sends it: the status code and its details. */
export function rpcError(code: grpc.status, details: string): grpc.ServiceError {
  return Object.assign(new Error(details), { code, details, metadata: new grpc.Metadata() });
}

/** Run `work`, turning a thrown error into a gRPC error (UNKNOWN) as a failing provider would. */
function answer<Req, Res>(work: (req: Req) => Promise<Res> | Res): Unary<Req, Res> {
  return (call, callback) => {
    Promise.resolve().then(() => work(call.request)).then(
      (res) => callback(null, res),
      (e: unknown) => callback(rpcError(grpc.status.UNKNOWN, e instanceof Error ? e.message : String(e))),
    );
  };
}

const unimplemented = (what: string): Unary<unknown, never> => (_call, callback) =>
  callback(rpcError(grpc.status.UNIMPLEMENTED, `the fake engine does not implement ${what}`));

export function resourceMonitor(state: MonitorState, answers: Answers): IResourceMonitorServer {
  return {
    supportsFeature: answer((req: resproto.SupportsFeatureRequest) => new resproto.SupportsFeatureResponse().setHassupport(ENGINE_FEATURES.has(req.getId()))),
    registerResource: answer(async (req: resproto.RegisterResourceRequest) => {
      const inputs = fromStruct(req.getObject());
      const urn = engineUrn(state.stack, state.project, req.getParent(), req.getType(), req.getName());
      const registration: Registration = {
        urn, type: req.getType(), name: req.getName(), parent: req.getParent(), custom: req.getCustom(), remote: req.getRemote(),
        provider: req.getProvider(), inputs, dependencies: req.getDependenciesList(),
        protect: req.getProtect() === true, retainOnDelete: req.getRetainondelete() === true,
        additionalSecretOutputs: req.getAdditionalsecretoutputsList(), id: "", state: inputs,
      };
      state.registrations.push(registration);
      // Components: the engine hands their inputs back. Previews of custom resources: no id and
      // only the inputs (the SDK turns every missing output into an unknown).
      if (req.getCustom() && !state.dryRun) {
        const { id, outputs } = await answers.resource(registration);
        registration.id = id;
        // As the Go engine does: outputs of secret inputs and the resource's additionalSecretOutputs
        // (e.g. a private key) come back secret.
        registration.state = markSecret(keepInputSecrets(inputs, outputs), req.getAdditionalsecretoutputsList());
      }
      return new resproto.RegisterResourceResponse().setUrn(urn).setId(registration.id).setObject(toStruct(registration.state));
    }),
    registerResourceOutputs: answer((req: resproto.RegisterResourceOutputsRequest) => {
      const found = state.registrations.find((r) => r.urn === req.getUrn());
      if (found === undefined) throw new Error(`RegisterResourceOutputs for an unregistered resource ${req.getUrn()}`);
      found.registeredOutputs = fromStruct(req.getOutputs());
      return new Empty();
    }),
    invoke: answer(async (req: resproto.ResourceInvokeRequest) => {
      const args = fromStruct(req.getArgs());
      state.invokes.push({ token: req.getTok(), args });
      return new provproto.InvokeResponse().setReturn(toStruct(await answers.invoke(req.getTok(), args, req.getProvider())));
    }),
    registerPackage: answer((req: resproto.RegisterPackageRequest) => new resproto.RegisterPackageResponse().setRef(`${req.getName()}@${req.getVersion()}`)),
    signalAndWaitForShutdown: answer(() => {
      state.shutdownSignalled = true;
      return new Empty();
    }),
    getDeploymentInfo: unimplemented("GetDeploymentInfo"),
    call: unimplemented("Call (remote component methods)"),
    readResource: unimplemented("ReadResource (.get of existing resources)"),
    registerStackTransform: unimplemented("RegisterStackTransform"),
    registerStackInvokeTransform: unimplemented("RegisterStackInvokeTransform"),
    registerResourceHook: unimplemented("RegisterResourceHook"),
    registerErrorHook: unimplemented("RegisterErrorHook"),
  };
}
