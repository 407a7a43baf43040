// Pulumi mocks that answer like AWS and the tls provider would: real keys and certificates,
// plausible ids, ARNs and addresses (documentation ranges), zone name servers, AMI lookups.
// Every resource registration is recorded (inputs with secrets unwrapped, which paths were
// secret, and the resource options the engine would see: protect, retainOnDelete, ...).
import type * as pulumi from "@pulumi/pulumi";
import { createHash, randomBytes, randomUUID } from "node:crypto";
import { type PostDeployRequest, notRunSummary } from "../core/post-deploy-verify";
import type * as Certificates from "./certificates";
import { keyPairFromPem, takeKeyPair } from "./keys";
import { unwrapSecrets } from "./secret-values";

export const MOCK_ACCOUNT_ID = "123456789012";

/**
 * The certificate mocks, loaded when a stack first asks for a certificate: @peculiar/x509 and its
 * ASN.1 libraries are ~200 modules, and only tls.mode self-signed stacks make certificates (an
 * ACME stack, the lab's and the fleet's, makes none): loading them up front was a sixth of the
 * synth command's module loading for nothing.
 */
let certificateMocks: Promise<typeof Certificates> | undefined;
function certificates(): Promise<typeof Certificates> {
  certificateMocks ??= import("./certificates");
  return certificateMocks;
}

export interface RecordedOptions {
  protect: boolean;
  retainOnDelete: boolean;
  replaceOnChanges: string[];
  ignoreChanges: string[];
  deleteBeforeReplace: boolean;
  dependencies: string[];
  parent: string;
  provider: string;
}

export interface RecordedResource {
  type: string;
  name: string;
  urn: string;
  custom: boolean;
  id: string;
  /** Inputs as the provider would get them, secrets unwrapped (in memory only). */
  inputs: Record<string, unknown>;
  /** Input paths that were secret. */
  secretPaths: string[];
  /** The outputs the mock returned (secret outputs included: in memory only). */
  state: Record<string, unknown>;
  options?: RecordedOptions;
}

/** An EBS snapshot of the synthetic account, as a restore looks it up. */
export interface MockSnapshot {
  id: string;
  state?: string;
  volumeSizeGb: number;
  startTime?: string;
  tags: Record<string, string>;
}

export interface MockSettings {
  stack: string;
  project: string;
  region: string;
  /** Existing hosted zones the config refers to: zone id -> domain. */
  existingZones: Record<string, string>;
  /** The account's snapshots. Without a list, any snapshot a restore names stands in as a
   * completed one of this stack, the size of its data volume (offline, nothing can be asked). */
  snapshots?: readonly MockSnapshot[];
  dataVolumeGb?: number;
  /** The DKIM rotation state the last up recorded (its parameter's JSON text); none: no state yet. */
  dkimRotationState?: string;
  /** Private keys an earlier up made, by tls.PrivateKey resource name: kept, as Pulumi's state keeps them. */
  keptKeys?: Readonly<Record<string, string>>;
}

/** The subset of the proto request the recorder reads (RegisterResourceRequest). */
interface RegisterRequest {
  getType(): string;
  getName(): string;
  getParent(): string;
  getCustom(): boolean;
  getProtect(): boolean | undefined;
  getRetainondelete(): boolean | undefined;
  getReplaceonchangesList(): string[];
  getIgnorechangesList(): string[];
  getDeletebeforereplace(): boolean;
  getDependenciesList(): string[];
  getProvider(): string;
}

type Monitor = { registerResource(req: RegisterRequest, cb: (...a: unknown[]) => void): unknown };

const hex = (n: number) => randomBytes(Math.ceil(n / 2)).toString("hex").slice(0, n);
const upperAlnum = (n: number) => Array.from(randomBytes(n), (b) => "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"[b % 36]).join("");
const lowerAlnum = (n: number) => Array.from(randomBytes(n), (b) => "abcdefghijklmnopqrstuvwxyz0123456789"[b % 36]).join("");

/** The URN as MockMonitor builds it (parent's own type + "$" + type), so it matches the URNs in
 * recorded dependencies. */
function urnOf(parent: string, type: string, name: string, s: Pick<MockSettings, "stack" | "project">): string {
  const qualified = parent === "" ? type : `${parent.split("::")[2]?.split("$").pop() ?? ""}$${type}`;
  return `urn:pulumi:${s.stack}::${s.project}::${qualified}::${name}`;
}

export class MailfortMocks implements pulumi.runtime.Mocks {
  readonly resources: RecordedResource[] = [];
  private readonly options = new Map<string, RecordedOptions>();
  private readonly urns = new Map<string, string>();
  private readonly providerRegions = new Map<string, string>();
  private eipCount = 0;
  private zoneCount = 0;

  constructor(private readonly settings: MockSettings) {}

  /** Wrap the mock monitor so each registration's resource options are recorded too. */
  attach(monitor: unknown): void {
    const m = monitor as Monitor;
    const original = m.registerResource.bind(m);
    m.registerResource = (req, cb) => {
      this.urns.set(`${req.getType()}::${req.getName()}`, urnOf(req.getParent(), req.getType(), req.getName(), this.settings));
      this.options.set(`${req.getType()}::${req.getName()}`, {
        protect: req.getProtect() === true,
        retainOnDelete: req.getRetainondelete() === true,
        replaceOnChanges: req.getReplaceonchangesList(),
        ignoreChanges: req.getIgnorechangesList(),
        deleteBeforeReplace: req.getDeletebeforereplace(),
        dependencies: req.getDependenciesList(),
        parent: req.getParent(),
        provider: req.getProvider(),
      });
      return original(req, cb);
    };
  }

  async newResource(args: pulumi.runtime.MockResourceArgs): Promise<{ id: string; state: Record<string, unknown> }> {
    const { value, secretPaths } = unwrapSecrets(args.inputs ?? {});
    const inputs = value as Record<string, unknown>;
    const region = this.regionOf(args.provider);
    const { id, state } = args.custom === false
      ? { id: "", state: {} as Record<string, unknown> }
      : await this.outputsFor(args.type, args.name, inputs, region);
    const urn = this.urns.get(`${args.type}::${args.name}`) ?? urnOf("", args.type, args.name, this.settings);
    if (args.type.startsWith("pulumi:providers:")) this.providerRegions.set(urn, String(inputs.region ?? this.settings.region));
    const options = this.options.get(`${args.type}::${args.name}`);
    this.resources.push({ type: args.type, name: args.name, urn, custom: args.custom !== false, id, inputs, secretPaths, state, ...(options !== undefined ? { options } : {}) });
    return { id, state: { ...inputs, ...state } };
  }

  call(args: pulumi.runtime.MockCallArgs): Record<string, unknown> {
    const region = this.regionOf(args.provider);
    const inputs = unwrapSecrets(args.inputs ?? {}).value as Record<string, unknown>;
    switch (args.token) {
      case "aws:index/getCallerIdentity:getCallerIdentity":
        return { accountId: MOCK_ACCOUNT_ID, arn: `arn:aws:iam::${MOCK_ACCOUNT_ID}:user/synth`, userId: "AIDASYNTHEXAMPLE", id: MOCK_ACCOUNT_ID };
      case "aws:index/getPartition:getPartition":
        return { partition: "aws", dnsSuffix: "amazonaws.com", reverseDnsPrefix: "com.amazonaws", id: "aws" };
      case "aws:index/getRegion:getRegion":
        return { name: region, region, endpoint: `ec2.${region}.amazonaws.com`, description: region, id: region };
      case "aws:index/getAvailabilityZones:getAvailabilityZones":
        return { names: ["a", "b", "c"].map((z) => `${region}${z}`), zoneIds: ["az1", "az2", "az3"].map((z) => `euw1-${z}`), id: region };
      case "aws:ec2/getAmi:getAmi": {
        const filters = (inputs.filters as Array<{ name: string; values: string[] }> | undefined) ?? [];
        const pattern = filters.find((f) => f.name === "name")?.values[0] ?? "debian-13-amd64-*";
        const arch = filters.find((f) => f.name === "architecture")?.values[0] ?? "x86_64";
        const name = pattern.replace("*", "20251117-2299");
        return { id: `ami-0${hex(16)}`, imageId: `ami-0${hex(16)}`, name, architecture: arch, ownerId: (inputs.owners as string[] | undefined)?.[0] ?? "", rootDeviceType: "ebs", virtualizationType: "hvm", mostRecent: true };
      }
      case "aws:ec2/getSubnet:getSubnet":
        return { id: inputs.id, vpcId: `vpc-0${hex(16)}`, availabilityZone: `${region}a`, cidrBlock: "172.31.0.0/20", mapPublicIpOnLaunch: true, arn: `arn:aws:ec2:${region}:${MOCK_ACCOUNT_ID}:subnet/${String(inputs.id)}` };
      case "aws:ebs/getSnapshot:getSnapshot": return this.snapshot(inputs, region);
      case "aws:ssm/getParametersByPath:getParametersByPath": {
        // The stack's state folder: the DKIM rotation's recorded state, when the synth was given one.
        const path = String(inputs.path);
        const state = this.settings.dkimRotationState;
        const name = `/mailfort/${this.settings.stack}/state/dkim-rotation`;
        const found = state !== undefined && name.startsWith(`${path}/`);
        return { id: path, path, recursive: inputs.recursive ?? false, withDecryption: inputs.withDecryption ?? true, arns: found ? [`arn:aws:ssm:${region}:${MOCK_ACCOUNT_ID}:parameter${name}`] : [], names: found ? [name] : [], types: found ? ["String"] : [], values: found ? [state] : [] };
      }
      case "aws:guardduty/getDetector:getDetector": {
        // The account's detector another stack (or the account owner) runs in this region.
        const id = hex(32);
        return { id, arn: `arn:aws:guardduty:${region}:${MOCK_ACCOUNT_ID}:detector/${id}`, status: "ENABLED", findingPublishingFrequency: "SIX_HOURS", features: [], region, serviceRoleArn: `arn:aws:iam::${MOCK_ACCOUNT_ID}:role/aws-service-role/guardduty.amazonaws.com/AWSServiceRoleForAmazonGuardDuty`, tags: {} };
      }
      case "aws:route53/getZone:getZone": {
        const zoneId = String(inputs.zoneId);
        const domain = this.settings.existingZones[zoneId];
        if (domain === undefined) throw new Error(`mock route53.getZone: no hosted zone ${zoneId} in this synthetic account`);
        return { zoneId, id: zoneId, name: `${domain}.`, nameServers: this.nameServers(), arn: `arn:aws:route53:::hostedzone/${zoneId}`, privateZone: false };
      }
      default:
        throw new Error(`mock: no answer for provider function ${args.token}; add it to infra/synth/mocks.ts`);
    }
  }

  private snapshot(inputs: Record<string, unknown>, region: string): Record<string, unknown> {
    const id = String((inputs.snapshotIds as string[] | undefined)?.[0] ?? "");
    const known = this.settings.snapshots === undefined
      ? { id, volumeSizeGb: this.settings.dataVolumeGb ?? 20, tags: { "mailfort:stack": this.settings.stack } }
      : this.settings.snapshots.find((x) => x.id === id);
    // As the provider reports a DescribeSnapshots miss: a gRPC error whose details the SDK rethrows.
    if (known === undefined) throw Object.assign(new Error("invoke failed"), { details: `invoking aws:ebs/getSnapshot:getSnapshot: reading EBS Snapshots: operation error EC2: DescribeSnapshots, api error InvalidSnapshot.NotFound: The snapshot '${id}' does not exist.` });
    return {
      id, snapshotId: id, state: known.state ?? "completed", volumeSize: known.volumeSizeGb, startTime: known.startTime ?? "2026-01-01T03:00:00Z",
      tags: known.tags, encrypted: true, volumeId: `vol-0${hex(16)}`, ownerId: MOCK_ACCOUNT_ID,
      arn: `arn:aws:ec2:${region}::snapshot/${id}`, description: this.settings.snapshots === undefined ? "offline stand-in: not looked up" : "",
    };
  }

  private regionOf(provider: string | undefined): string {
    if (provider === undefined || provider === "") return this.settings.region;
    const urn = provider.split("::").slice(0, -1).join("::");
    return this.providerRegions.get(urn) ?? this.settings.region;
  }

  private nameServers(): string[] {
    const n = this.zoneCount++;
    return [`ns-${100 + n}.awsdns-${10 + n}.com`, `ns-${600 + n}.awsdns-${20 + n}.net`, `ns-${1100 + n}.awsdns-${30 + n}.org`, `ns-${1600 + n}.awsdns-${40 + n}.co.uk`];
  }

  private async outputsFor(type: string, name: string, inputs: Record<string, unknown>, region: string): Promise<{ id: string; state: Record<string, unknown> }> {
    const acct = MOCK_ACCOUNT_ID;
    const arn = (service: string, resource: string, r = region) => `arn:aws:${service}:${r}:${acct}:${resource}`;
    switch (type) {
      case "aws:ec2/vpc:Vpc": {
        const id = `vpc-0${hex(16)}`;
        return { id, state: { arn: arn("ec2", `vpc/${id}`), ...(inputs.assignGeneratedIpv6CidrBlock === true ? { ipv6CidrBlock: `2600:1f18:${hex(4)}:${hex(2)}00::/56` } : {}) } };
      }
      case "aws:ec2/subnet:Subnet": {
        const id = `subnet-0${hex(16)}`;
        return { id, state: { arn: arn("ec2", `subnet/${id}`), availabilityZone: inputs.availabilityZone ?? `${region}a` } };
      }
      case "aws:ec2/internetGateway:InternetGateway": return { id: `igw-0${hex(16)}`, state: {} };
      case "aws:ec2/routeTable:RouteTable": return { id: `rtb-0${hex(16)}`, state: {} };
      case "aws:ec2/routeTableAssociation:RouteTableAssociation": return { id: `rtbassoc-0${hex(16)}`, state: {} };
      case "aws:ec2/securityGroup:SecurityGroup": {
        const id = `sg-0${hex(16)}`;
        return { id, state: { arn: arn("ec2", `security-group/${id}`) } };
      }
      case "aws:iam/role:Role": return { id: name, state: { name, arn: `arn:aws:iam::${acct}:role/${name}`, uniqueId: `AROA${upperAlnum(17)}` } };
      case "aws:iam/instanceProfile:InstanceProfile": return { id: name, state: { name, arn: `arn:aws:iam::${acct}:instance-profile/${name}` } };
      case "aws:iam/user:User": return { id: name, state: { name, arn: `arn:aws:iam::${acct}:user${String(inputs.path ?? "/")}${name}` } };
      case "aws:iam/accessKey:AccessKey":
        return { id: `AKIA${upperAlnum(16)}`, state: { secret: randomBytes(30).toString("base64"), sesSmtpPasswordV4: `B${randomBytes(32).toString("base64").slice(0, 43)}` } };
      case "aws:kms/key:Key": {
        const keyId = randomUUID();
        return { id: keyId, state: { keyId, arn: arn("kms", `key/${keyId}`) } };
      }
      case "aws:kms/alias:Alias": return { id: String(inputs.name), state: { arn: arn("kms", String(inputs.name)) } };
      case "aws:ssm/parameter:Parameter": return { id: String(inputs.name), state: { arn: arn("ssm", `parameter${String(inputs.name)}`), version: 1 } };
      case "aws:route53/zone:Zone": {
        const zoneId = `Z0${upperAlnum(19)}`;
        return { id: zoneId, state: { zoneId, nameServers: this.nameServers(), arn: `arn:aws:route53:::hostedzone/${zoneId}` } };
      }
      case "aws:route53/record:Record": return { id: `${String(inputs.zoneId)}_${String(inputs.name)}_${String(inputs.type)}`, state: { fqdn: inputs.name } };
      case "aws:route53/keySigningKey:KeySigningKey": {
        const keyTag = 10000 + (randomBytes(2).readUInt16BE() % 50000);
        const digest = createHash("sha256").update(randomBytes(32)).digest("hex").toUpperCase();
        return { id: `${String(inputs.hostedZoneId)},${String(inputs.name)}`, state: { keyTag, digestAlgorithmType: 2, signingAlgorithmType: 13, flag: 257, dsRecord: `${keyTag} 13 2 ${digest}`, digestValue: digest } };
      }
      case "aws:route53/hostedZoneDnsSec:HostedZoneDnsSec": return { id: String(inputs.hostedZoneId), state: {} };
      case "aws:ec2/eip:Eip": {
        const n = 10 + this.eipCount++;
        const allocationId = `eipalloc-0${hex(16)}`;
        return { id: allocationId, state: { allocationId, publicIp: `203.0.113.${n}`, publicDns: `ec2-203-0-113-${n}.${region}.compute.amazonaws.com` } };
      }
      case "aws:ec2/eipAssociation:EipAssociation": return { id: `eipassoc-0${hex(16)}`, state: {} };
      case "aws:ec2/eipDomainName:EipDomainName": return { id: String(inputs.allocationId), state: { ptrRecord: `${String(inputs.domainName)}.` } };
      case "aws:ec2/instance:Instance": {
        const id = `i-0${hex(16)}`;
        const ipv6 = typeof inputs.ipv6AddressCount === "number" && inputs.ipv6AddressCount > 0 ? [`2600:1f18:${hex(4)}:${hex(2)}00::${hex(3)}`] : [];
        return { id, state: { arn: arn("ec2", `instance/${id}`), privateIp: "10.42.0.10", ipv6Addresses: ipv6, instanceState: "running" } };
      }
      case "aws:ebs/volume:Volume": {
        const id = `vol-0${hex(16)}`;
        return { id, state: { arn: arn("ec2", `volume/${id}`) } };
      }
      case "aws:ec2/volumeAttachment:VolumeAttachment": return { id: `vai-${hex(10)}`, state: {} };
      case "aws:dlm/lifecyclePolicy:LifecyclePolicy": {
        const id = `policy-0${hex(16)}`;
        return { id, state: { arn: arn("dlm", `policy/${id}`) } };
      }
      case "aws:sns/topic:Topic": return { id: arn("sns", name), state: { arn: arn("sns", name) } };
      case "aws:cloudwatch/logGroup:LogGroup": {
        const group = String(inputs.name ?? name);
        return { id: group, state: { name: group, arn: arn("logs", `log-group:${group}`) } };
      }
      case "aws:cloudwatch/eventRule:EventRule": {
        // Named after the logical name (as the roles are): targets and the topic policy name it.
        const rule = String(inputs.name ?? name);
        return { id: rule, state: { name: rule, arn: arn("events", `rule/${rule}`) } };
      }
      // Their `arn` is an input (the target, the topic) that the provider echoes: no invented ARN over it.
      case "aws:cloudwatch/eventTarget:EventTarget": return { id: `${String(inputs.rule)}-${String(inputs.targetId ?? hex(8))}`, state: {} };
      case "aws:sns/topicPolicy:TopicPolicy": return { id: String(inputs.arn), state: {} };
      case "aws:guardduty/detector:Detector": {
        const id = hex(32);
        return { id, state: { accountId: acct, arn: arn("guardduty", `detector/${id}`) } };
      }
      case "aws:ec2/flowLog:FlowLog": {
        const id = `fl-0${hex(16)}`;
        return { id, state: { arn: arn("ec2", `vpc-flow-log/${id}`) } };
      }
      case "aws:sesv2/emailIdentity:EmailIdentity": {
        const domain = String(inputs.emailIdentity);
        return { id: domain, state: { arn: arn("ses", `identity/${domain}`), identityType: "DOMAIN", dkimSigningAttributes: { ...(inputs.dkimSigningAttributes as object), tokens: [1, 2, 3].map(() => lowerAlnum(32)), status: "PENDING" } } };
      }
      case "tls:index/privateKey:PrivateKey": {
        const kept = this.settings.keptKeys?.[name];
        const pair = kept !== undefined ? keyPairFromPem(String(inputs.algorithm), kept)
          : await takeKeyPair({ algorithm: String(inputs.algorithm), rsaBits: Number(inputs.rsaBits ?? 2048), ecdsaCurve: String(inputs.ecdsaCurve ?? "P224") });
        return { id: hex(40), state: { ...pair } };
      }
      case "tls:index/selfSignedCert:SelfSignedCert": {
        const c = await (await certificates()).selfSignedCertificate(inputs as never);
        return { id: hex(32), state: { certPem: c.certPem, validityStartTime: c.notBefore.toISOString(), validityEndTime: c.notAfter.toISOString(), readyForRenewal: false } };
      }
      case "tls:index/certRequest:CertRequest":
        return { id: hex(40), state: { certRequestPem: await (await certificates()).certificateRequest(inputs as never) } };
      case "tls:index/locallySignedCert:LocallySignedCert": {
        const c = await (await certificates()).locallySignedCertificate(inputs as never);
        return { id: hex(32), state: { certPem: c.certPem, validityStartTime: c.notBefore.toISOString(), validityEndTime: c.notAfter.toISOString(), readyForRenewal: false } };
      }
      case "random:index/randomPassword:RandomPassword":
        // What the random provider returns: `length` characters, letters and digits only (special: false).
        return { id: "none", state: { result: lowerAlnum(Number(inputs.length ?? 16)), bcryptHash: "" } };
      case "command:local:Command":
        // Never run the command offline: answer what the post-deploy verify runner would print.
        return { id: `${name}-${hex(8)}`, state: { stdout: JSON.stringify(notRunSummary(JSON.parse(String(inputs.stdin)) as PostDeployRequest)), stderr: "" } };
      default:
        if (type.startsWith("pulumi:providers:")) return { id: randomUUID(), state: {} };
        // Attachments, policies, subscriptions, alarms: the name is a fine id.
        return { id: `${name}-${hex(8)}`, state: { ...(/^aws:/.test(type) ? { arn: arn(type.split(":")[1]?.split("/")[0] ?? "aws", name) } : {}) } };
    }
  }
}
