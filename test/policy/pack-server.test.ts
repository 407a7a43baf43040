// The pack as the Pulumi CLI runs it: @pulumi/pulumi's run-policy-pack started in policy/ (it
// compiles index.ts with ts-node; PolicyPack serves the analyzer gRPC protocol and prints its
// port), then the CLI's own calls: GetAnalyzerInfo, Analyze
// one resource, AnalyzeStack. Per-stack facts come from stacks/Pulumi.<stack>.yaml via the URN.
import * as path from "node:path";
import type * as grpc from "@grpc/grpc-js";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import type { AnalyzerClient } from "@pulumi/pulumi/proto/analyzer_grpc_pb";
import { AnalyzeRequest, AnalyzeStackRequest, AnalyzerResource, AnalyzerResourceOptions, type AnalyzeResponse, type AnalyzerInfo } from "@pulumi/pulumi/proto/analyzer_pb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ALL_POLICIES } from "../../policy/all";
import { type RunningPack, startPolicyPack } from "../support/fake-engine/policy-host";

const POLICY_DIR = path.resolve(__dirname, "../../policy");
let pack: RunningPack | undefined;
let client: AnalyzerClient;

beforeAll(async () => {
  // Exactly what the Pulumi CLI's nodejs host runs for a policy pack: @pulumi/pulumi's
  // run-policy-pack (ts-node with type checking, policy/tsconfig.json) in the pack directory.
  pack = await startPolicyPack({ packDir: POLICY_DIR, engineAddress: "127.0.0.1:1", project: "mailfort", stack: "dev", dryRun: true, config: {}, timeoutMs: 180_000 });
  client = pack.client;
}, 180_000);

afterAll(() => {
  client?.close();
  pack?.stop();
});

const call = <Req, Res>(fn: (req: Req, cb: (err: grpc.ServiceError | null, res: Res) => void) => void, req: Req) =>
  new Promise<Res>((resolve, reject) => fn.call(client, req, (err, res) => (err ? reject(err) : resolve(res))));

const urn = (stack: string, type: string, name: string) => `urn:pulumi:${stack}::mailfort::${type}::${name}`;

describe("the policy pack under the analyzer protocol", () => {
  it("announces every policy, mandatory", async () => {
    const info = await call<Empty, AnalyzerInfo>(client.getAnalyzerInfo, new Empty());
    expect(info.getName()).toBe("mailfort");
    expect(info.getPoliciesList().map((p) => p.getName()).sort()).toEqual(ALL_POLICIES.map((p) => p.name).sort());
    // EnforcementLevel enum: 0 advisory, 1 mandatory.
    expect(new Set(info.getPoliciesList().map((p) => p.getEnforcementlevel()))).toEqual(new Set([1]));
  });

  it("reports SSH in a security group of the dev stack as a mandatory network-ingress violation", async () => {
    const type = "aws:ec2/securityGroup:SecurityGroup";
    const req = new AnalyzeRequest()
      .setType(type).setName("sg").setUrn(urn("dev", type, "sg"))
      .setProperties(Struct.fromJavaScript({ ingress: [{ protocol: "tcp", fromPort: 22, toPort: 22, cidrBlocks: ["0.0.0.0/0"] }] }))
      .setOptions(new AnalyzerResourceOptions());
    const res = await call<AnalyzeRequest, AnalyzeResponse>(client.analyze, req);
    const d = res.getDiagnosticsList().map((x) => ({ policy: x.getPolicyname(), level: x.getEnforcementlevel(), message: x.getMessage() }));
    expect(d).toEqual([expect.objectContaining({ policy: "network-ingress", level: 1, message: expect.stringMatching(/opens SSH port 22/) })]);
  });

  const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"; // the engine's unknown-string sentinel
  const unknownUserDataInstance = () => ({ userDataBase64: UNKNOWN, tags: { Name: "mail" }, monitoring: true, metadataOptions: { httpTokens: "required", httpPutResponseHopLimit: 1 }, rootBlockDevice: { encrypted: true } });

  it("during preview, an unknown user data skips the secrets scan quietly", async () => {
    const type = "aws:ec2/instance:Instance";
    const req = new AnalyzeRequest()
      .setType(type).setName("mail").setUrn(urn("dev", type, "mail"))
      .setProperties(Struct.fromJavaScript(unknownUserDataInstance()))
      .setOptions(new AnalyzerResourceOptions());
    const res = await call<AnalyzeRequest, AnalyzeResponse>(client.analyze, req);
    const d = res.getDiagnosticsList().map((x) => ({ policy: x.getPolicyname(), level: x.getEnforcementlevel(), message: x.getMessage() }));
    expect(d.filter((x) => x.policy === "secrets-not-in-plain-inputs")).toEqual([]);
    expect(d.filter((x) => x.level === 1)).toEqual([]);
  });

  it("during preview, an unknown user data turns the host checks (stack policies) into advisory notices", async () => {
    const type = "aws:ec2/instance:Instance";
    const r = new AnalyzerResource().setType(type).setName("mail").setUrn(urn("dev", type, "mail"))
      .setProperties(Struct.fromJavaScript(unknownUserDataInstance())).setOptions(new AnalyzerResourceOptions());
    const res = await call<AnalyzeStackRequest, AnalyzeResponse>(client.analyzeStack, new AnalyzeStackRequest().setResourcesList([r]));
    const host = res.getDiagnosticsList().filter((x) => x.getPolicyname().startsWith("host-")).map((x) => ({ policy: x.getPolicyname(), level: x.getEnforcementlevel(), message: x.getMessage() }));
    expect(host.find((x) => x.policy === "host-postfix-tls-protocols")).toMatchObject({ level: 0, message: expect.stringMatching(/can't run policy .* during preview/) });
    expect(host.find((x) => x.policy === "host-files-pinned")).toMatchObject({ level: 0 });
    expect(host.filter((x) => x.level === 1)).toEqual([]);
  });

  it("judges the stack: a PTR that is not prod's hostname fails dns-ptr-hostname", async () => {
    const type = "aws:ec2/eipDomainName:EipDomainName";
    const r = new AnalyzerResource().setType(type).setName("ptr").setUrn(urn("prod", type, "ptr"))
      .setProperties(Struct.fromJavaScript({ domainName: "web.example.com" })).setOptions(new AnalyzerResourceOptions());
    const res = await call<AnalyzeStackRequest, AnalyzeResponse>(client.analyzeStack, new AnalyzeStackRequest().setResourcesList([r]));
    const messages = res.getDiagnosticsList().filter((x) => x.getPolicyname() === "dns-ptr-hostname").map((x) => x.getMessage());
    expect(messages).toEqual(expect.arrayContaining([expect.stringMatching(/EipDomainName sets PTR web.example.com, not the mail hostname mail.example.com/)]));
  });
});
