// The engine's side of the analyzer protocol over a recorded run: Analyze for each custom
// resource as it registers (its inputs), then AnalyzeStack over every resource (its outputs), as
// the Go engine's step generator does. Any mandatory diagnostic fails the update, as in the CLI.
import type * as grpc from "@grpc/grpc-js";
import type { AnalyzerClient } from "@pulumi/pulumi/proto/analyzer_grpc_pb";
import * as analyzerproto from "@pulumi/pulumi/proto/analyzer_pb";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import type { Registration } from "./types";
import { type WireObject, toStruct } from "./wire";

export interface Diagnostic {
  readonly policy: string;
  readonly level: "advisory" | "mandatory" | "disabled" | "remediate";
  readonly message: string;
  readonly urn: string;
}

export interface PolicyVerdict {
  readonly diagnostics: readonly Diagnostic[];
  /** A mandatory violation: `pulumi preview`/`up` fails. */
  readonly fails: boolean;
}

const LEVEL: Record<analyzerproto.EnforcementLevel, Diagnostic["level"]> = {
  [analyzerproto.EnforcementLevel.ADVISORY]: "advisory",
  [analyzerproto.EnforcementLevel.MANDATORY]: "mandatory",
  [analyzerproto.EnforcementLevel.DISABLED]: "disabled",
  [analyzerproto.EnforcementLevel.REMEDIATE]: "remediate",
};

function unary<Req, Res>(client: AnalyzerClient, fn: (req: Req, cb: (e: grpc.ServiceError | null, r: Res) => void) => unknown, req: Req): Promise<Res> {
  return new Promise((resolve, reject) => { fn.call(client, req, (e, r) => (e ? reject(e) : resolve(r))); });
}

function options(r: Registration): analyzerproto.AnalyzerResourceOptions {
  return new analyzerproto.AnalyzerResourceOptions().setProtect(r.protect).setParent(r.parent)
    .setAdditionalsecretoutputsList([...r.additionalSecretOutputs]);
}

function providerOf(r: Registration, all: readonly Registration[]): analyzerproto.AnalyzerProviderResource | undefined {
  const urn = r.provider.split("::").slice(0, -1).join("::");
  const p = all.find((x) => x.urn === urn);
  return p === undefined ? undefined : new analyzerproto.AnalyzerProviderResource().setUrn(p.urn).setType(p.type).setName(p.name).setProperties(toStruct(p.inputs));
}

function diagnosticsOf(res: analyzerproto.AnalyzeResponse, stackLevel: boolean): Diagnostic[] {
  return res.getDiagnosticsList().map((d) => {
    const level = LEVEL[d.getEnforcementlevel()];
    // Stack policies cannot remediate: the engine treats that level as mandatory.
    return { policy: d.getPolicyname(), level: stackLevel && level === "remediate" ? "mandatory" : level, message: d.getMessage(), urn: d.getUrn() };
  });
}

/** GetAnalyzerInfo: the pack's name and its policies' names. */
export async function analyzerInfo(client: AnalyzerClient): Promise<{ name: string; policies: string[] }> {
  const info = await unary<Empty, analyzerproto.AnalyzerInfo>(client, client.getAnalyzerInfo, new Empty());
  return { name: info.getName(), policies: info.getPoliciesList().map((p) => p.getName()) };
}

/** The CLI's --policy-pack-config: policy name -> enforcement level. */
export async function configurePack(client: AnalyzerClient, levels: Readonly<Record<string, "advisory" | "mandatory" | "disabled">>): Promise<void> {
  const req = new analyzerproto.ConfigureAnalyzerRequest();
  const byName = { advisory: analyzerproto.EnforcementLevel.ADVISORY, mandatory: analyzerproto.EnforcementLevel.MANDATORY, disabled: analyzerproto.EnforcementLevel.DISABLED };
  for (const [policy, level] of Object.entries(levels)) req.getPolicyconfigMap().set(policy, new analyzerproto.PolicyConfig().setEnforcementlevel(byName[level]).setProperties(toStruct({})));
  await unary(client, client.configure, req);
}

export async function analyzeRun(client: AnalyzerClient, registrations: readonly Registration[]): Promise<PolicyVerdict> {
  const resource = (r: Registration, properties: WireObject) => {
    const res = new analyzerproto.AnalyzerResource().setType(r.type).setName(r.name).setUrn(r.urn)
      .setProperties(toStruct(properties)).setOptions(options(r)).setParent(r.parent).setDependenciesList([...r.dependencies]);
    const provider = providerOf(r, registrations);
    return provider === undefined ? res : res.setProvider(provider);
  };
  const diagnostics: Diagnostic[] = [];
  for (const r of registrations.filter((x) => x.custom)) {
    const req = new analyzerproto.AnalyzeRequest().setType(r.type).setName(r.name).setUrn(r.urn)
      .setProperties(toStruct(r.inputs)).setOptions(options(r));
    const provider = providerOf(r, registrations);
    if (provider !== undefined) req.setProvider(provider);
    diagnostics.push(...diagnosticsOf(await unary(client, client.analyze, req), false));
  }
  const stack = new analyzerproto.AnalyzeStackRequest().setResourcesList(registrations.map((r) => resource(r, r.state)));
  diagnostics.push(...diagnosticsOf(await unary(client, client.analyzeStack, stack), true));
  return { diagnostics, fails: diagnostics.some((d) => d.level === "mandatory") };
}
