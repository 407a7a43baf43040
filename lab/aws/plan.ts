// What the lab loads into its AWS emulator: the resources `pulumi up` would create that the
// server reads or the lab checks, taken from the synth output (synth.json's resource graph, the
// ids the mocks gave them, and the SSM values from the secret tree the synth wrote). Pure: the
// emulator's apply (emulator/apply.py) creates exactly this, and rewrites the synthesized ids
// (KMS key, hosted zones, the instance) to the ones it mints.

/** The part of a synthesized resource the plan reads (synth.json `resources`). */
export interface SynthResourceView {
  readonly type: string;
  readonly name: string;
  readonly id: string;
  readonly inputs: Record<string, unknown>;
}

export interface PlannedParameter { readonly name: string; readonly type: "String" | "SecureString"; readonly value: string; readonly keyRef?: string; readonly tier: string; readonly description?: string }
export interface PlannedRecord { readonly name: string; readonly type: string; readonly ttl: number; readonly values: readonly string[] }
export interface PlannedZone { readonly ref: string; readonly name: string; readonly comment: string; readonly records: readonly PlannedRecord[] }
export interface PlannedPolicy { readonly ref: string; readonly name: string; readonly path: string; readonly document: string }
export interface PlannedRole { readonly name: string; readonly assumeRolePolicy: string; readonly inline: ReadonlyArray<{ name: string; document: string }>; readonly attached: readonly string[] }
export interface PlannedAlarm {
  readonly name: string; readonly namespace: string; readonly metricName: string; readonly dimensions: Readonly<Record<string, string>>;
  readonly statistic: string; readonly period: number; readonly evaluationPeriods: number; readonly datapointsToAlarm?: number;
  readonly threshold: number; readonly comparisonOperator: string; readonly treatMissingData: string;
}
export interface PlannedInstance { readonly ref: string; readonly profile: string; readonly hopLimit: number; readonly httpTokens: string; readonly instanceType: string }

export interface EmulatorPlan {
  readonly kmsKeys: ReadonlyArray<{ ref: string; description: string; aliases: string[] }>;
  readonly parameters: readonly PlannedParameter[];
  readonly zones: readonly PlannedZone[];
  readonly managedPolicies: readonly PlannedPolicy[];
  readonly roles: readonly PlannedRole[];
  readonly instanceProfiles: ReadonlyArray<{ name: string; role: string }>;
  readonly alarms: readonly PlannedAlarm[];
  readonly instance: PlannedInstance;
}

export interface PlanInput {
  readonly resources: readonly SynthResourceView[];
  /** Parameter name -> value, from the secret tree the synth wrote (real values). */
  readonly values: ReadonlyMap<string, string>;
  /** The cloud address in records, and the lab address that replaces it (A records). */
  readonly addressMap: Readonly<Record<string, string>>;
}

const str = (v: unknown, what: string): string => {
  if (typeof v !== "string") throw new Error(`emulator plan: ${what} is ${JSON.stringify(v)}, expected a string`);
  return v;
};
const num = (v: unknown, what: string): number => {
  if (typeof v !== "number") throw new Error(`emulator plan: ${what} is ${JSON.stringify(v)}, expected a number`);
  return v;
};

/**
 * A record value as the AWS provider hands it to Route53: TXT values quoted, where a `""` in the
 * configured value separates two character-strings (how a DKIM key over 255 characters is split).
 */
export function route53Value(type: string, value: string): string {
  if (type !== "TXT" && type !== "SPF") return value;
  return value.split('""').map((part) => `"${part.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`).join(" ");
}

function ofType(resources: readonly SynthResourceView[], type: string): SynthResourceView[] {
  return resources.filter((r) => r.type === `aws:${type}`);
}

export function emulatorPlan(input: PlanInput): EmulatorPlan {
  const { resources } = input;
  const keys = ofType(resources, "kms/key:Key");
  const aliases = ofType(resources, "kms/alias:Alias");
  const kmsKeys = keys.map((k) => ({
    ref: k.id,
    description: typeof k.inputs.description === "string" ? k.inputs.description : "",
    aliases: aliases.filter((a) => a.inputs.targetKeyId === k.id).map((a) => str(a.inputs.name, `alias ${a.name} name`)),
  }));
  const parameters = ofType(resources, "ssm/parameter:Parameter").map((p): PlannedParameter => {
    const name = str(p.inputs.name, `parameter ${p.name} name`);
    const value = input.values.get(name);
    if (value === undefined) throw new Error(`emulator plan: no value for SSM parameter ${name} in the synth's secret tree`);
    const type = p.inputs.type === "SecureString" ? "SecureString" : "String";
    return { name, type, value, tier: typeof p.inputs.tier === "string" ? p.inputs.tier : "Standard",
      ...(type === "SecureString" ? { keyRef: str(p.inputs.keyId, `parameter ${name} keyId`) } : {}),
      ...(typeof p.inputs.description === "string" ? { description: p.inputs.description } : {}) };
  });
  const records = ofType(resources, "route53/record:Record");
  const zones = ofType(resources, "route53/zone:Zone").map((z): PlannedZone => ({
    ref: z.id,
    name: str(z.inputs.name, `zone ${z.name} name`),
    comment: typeof z.inputs.comment === "string" ? z.inputs.comment : "",
    records: records.filter((r) => r.inputs.zoneId === z.id).map((r) => {
      const type = str(r.inputs.type, `record ${r.name} type`);
      const values = (r.inputs.records as unknown[] | undefined ?? []).map((v, i) => str(v, `record ${r.name} value ${i}`));
      return { name: str(r.inputs.name, `record ${r.name} name`), type, ttl: num(r.inputs.ttl, `record ${r.name} ttl`),
        values: values.map((v) => route53Value(type, type === "A" || type === "AAAA" ? (input.addressMap[v] ?? v) : v)) };
    }),
  }));
  const orphans = records.filter((r) => !zones.some((z) => z.ref === r.inputs.zoneId));
  if (orphans.length > 0) throw new Error(`emulator plan: records in zones the stack does not create: ${orphans.map((r) => r.name).join(", ")} (existing zones are not emulated)`);
  const policies = ofType(resources, "iam/policy:Policy");
  const attachments = ofType(resources, "iam/rolePolicyAttachment:RolePolicyAttachment");
  const managedPolicies = policies.map((p): PlannedPolicy => {
    const attached = attachments.find((a) => String(a.inputs.policyArn).endsWith(`:${p.name}`));
    return { ref: attached ? String(attached.inputs.policyArn) : p.id, name: p.name, path: typeof p.inputs.path === "string" ? p.inputs.path : "/", document: str(p.inputs.policy, `policy ${p.name} document`) };
  });
  const instance = ofType(resources, "ec2/instance:Instance");
  if (instance.length !== 1) throw new Error(`emulator plan: expected one EC2 instance in the synth output, found ${instance.length}`);
  const inst = instance[0];
  const profileName = str(inst.inputs.iamInstanceProfile, "instance iamInstanceProfile");
  const profiles = ofType(resources, "iam/instanceProfile:InstanceProfile").map((p) => ({ name: p.name, role: str(p.inputs.role, `instance profile ${p.name} role`) }));
  const instanceRole = profiles.find((p) => p.name === profileName)?.role;
  if (instanceRole === undefined) throw new Error(`emulator plan: the instance profile ${profileName} is not in the synth output`);
  const roles = ofType(resources, "iam/role:Role").filter((r) => r.name === instanceRole).map((r): PlannedRole => ({
    name: r.name,
    assumeRolePolicy: str(r.inputs.assumeRolePolicy, `role ${r.name} assumeRolePolicy`),
    inline: ofType(resources, "iam/rolePolicy:RolePolicy").filter((p) => p.inputs.role === r.name).map((p) => ({ name: p.name, document: str(p.inputs.policy, `role policy ${p.name}`) })),
    attached: attachments.filter((a) => a.inputs.role === r.name).map((a) => str(a.inputs.policyArn, `attachment ${a.name} policyArn`)),
  }));
  const meta = (inst.inputs.metadataOptions ?? {}) as Record<string, unknown>;
  const alarms = ofType(resources, "cloudwatch/metricAlarm:MetricAlarm").map((a): PlannedAlarm => ({
    name: a.name,
    namespace: str(a.inputs.namespace, `alarm ${a.name} namespace`),
    metricName: str(a.inputs.metricName, `alarm ${a.name} metricName`),
    dimensions: Object.fromEntries(Object.entries((a.inputs.dimensions ?? {}) as Record<string, unknown>).map(([k, v]) => [k, str(v, `alarm ${a.name} dimension ${k}`)])),
    statistic: str(a.inputs.statistic, `alarm ${a.name} statistic`),
    period: num(a.inputs.period, `alarm ${a.name} period`),
    evaluationPeriods: num(a.inputs.evaluationPeriods, `alarm ${a.name} evaluationPeriods`),
    ...(typeof a.inputs.datapointsToAlarm === "number" ? { datapointsToAlarm: a.inputs.datapointsToAlarm } : {}),
    threshold: num(a.inputs.threshold, `alarm ${a.name} threshold`),
    comparisonOperator: str(a.inputs.comparisonOperator, `alarm ${a.name} comparisonOperator`),
    treatMissingData: typeof a.inputs.treatMissingData === "string" ? a.inputs.treatMissingData : "missing",
  }));
  return {
    kmsKeys, parameters, zones, managedPolicies, roles,
    instanceProfiles: profiles.filter((p) => p.name === profileName),
    alarms,
    instance: { ref: inst.id, profile: profileName, hopLimit: typeof meta.httpPutResponseHopLimit === "number" ? meta.httpPutResponseHopLimit : 1,
      httpTokens: typeof meta.httpTokens === "string" ? meta.httpTokens : "optional", instanceType: typeof inst.inputs.instanceType === "string" ? inst.inputs.instanceType : "t4g.small" },
  };
}
