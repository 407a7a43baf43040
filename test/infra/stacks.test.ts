// The whole program, synthesized under mocks for dev, prod and lab: every security-relevant
// property of the resource graph, read from what the mocks recorded (inputs and options).
import { createPublicKey } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { mailDomains } from "../../infra/config";
import { route53ProviderValues } from "../../infra/core/dns";
import { certificateNames } from "../../infra/core/certificate-names";
import { egressRules, inboundPorts } from "../../infra/core/ports";
import { MOCK_ACCOUNT_ID } from "../../infra/synth/mocks";
import { SECRET_MARK, type SynthResult, runSynth } from "../../infra/synth";
import { list, ofType, only, roleStatements, selfSignedLabText, statements, txtStrings } from "./helpers";

const STACKS = ["dev", "prod", "lab"] as const;
const results = new Map<string, SynthResult>();

beforeAll(async () => {
  // One child process per stack (mocks are process-global); sequential on a 2-core machine.
  // passphrase "": secure values stay opaque whatever the caller's environment holds.
  for (const stack of STACKS) results.set(stack, await runSynth(stack, { passphrase: "" }));
  // The lab stack runs ACME against its own CA; self-signed mode (quick runs, previews) on its variant.
  results.set("lab-self-signed", await runSynth("lab", { passphrase: "", configText: selfSignedLabText(readFileSync(join(__dirname, "..", "..", "stacks", "Pulumi.lab.yaml"), "utf8")) }));
}, 320_000);

const get = (stack: string): SynthResult => {
  const r = results.get(stack);
  if (r === undefined) throw new Error(`no synth result for ${stack}`);
  return r;
};

interface SgRule { protocol: string; fromPort: number; toPort: number; cidrBlocks?: string[]; ipv6CidrBlocks?: string[]; description?: string }

describe.each(STACKS)("stack %s", (stack) => {
  it("synthesizes the whole program: instance, volume, zones, records, parameters", () => {
    const r = get(stack);
    expect(r.stack).toBe(stack);
    for (const type of ["aws:ec2/instance:Instance", "aws:ebs/volume:Volume", "aws:ec2/eip:Eip", "aws:ec2/eipDomainName:EipDomainName", "aws:ec2/securityGroup:SecurityGroup", "aws:dlm/lifecyclePolicy:LifecyclePolicy"]) {
      expect(ofType(r, type), type).toHaveLength(1);
    }
    // The instance role's own inline policy, and (ACME) the first group of challenge permissions
    // beside it; with flow logs, the delivery role's one policy.
    const instancePolicies = ofType(r, "aws:iam/rolePolicy:RolePolicy").filter((p) => !String(p.inputs.role).includes("-flow-logs-"));
    expect(instancePolicies).toHaveLength(r.config.tls.mode === "self-signed" ? 1 : 2);
    expect(ofType(r, "aws:iam/rolePolicy:RolePolicy")).toHaveLength(instancePolicies.length + (r.config.monitoring.flowLogs.enabled ? 1 : 0));
    // The host bundle travels in SSM: parts 000.. of the standard tier, the user data pins it.
    const parts = r.parameters.filter((p) => p.name.startsWith(`/mailfort/${stack}/host/bundle/`));
    expect(parts.map((p) => p.name)).toEqual(parts.map((_, n) => `/mailfort/${stack}/host/bundle/${String(n).padStart(3, "0")}`));
    expect(parts.every((p) => p.type === "String" && p.value.length <= 4096)).toBe(true);
    expect(r.hostFiles.bundleParameters).toBe(parts.length);
    expect(r.cloudConfig).toContain(`MAILFORT_HOST_BUNDLE_SHA256=${r.hostFiles.bundleSha256}`);
    expect(ofType(r, "aws:route53/zone:Zone")).toHaveLength(r.config.domains.filter((d) => d.zoneId === undefined).length);
    expect(ofType(r, "tls:index/privateKey:PrivateKey").length).toBeGreaterThanOrEqual(mailDomains(r.config).length + 1);
    expect(r.outputs.hostname).toBe(r.config.hostname);
    expect(r.outputs.sessionCommand).toBe(`aws ssm start-session --target ${String(r.outputs.instanceId)} --region ${r.config.region}`);
    expect(String(r.outputs.dataVolumeId)).toMatch(/^vol-/);
    // In URN order whatever order the asynchronous mocks finished in: the artifacts are stable.
    expect(r.resources.map((x) => x.urn)).toEqual(r.resources.map((x) => x.urn).sort());
    // Every component's children carry the explicit regional provider, never the default one.
    for (const res of r.resources.filter((x) => x.custom && x.type.startsWith("aws:"))) {
      expect(res.options?.provider ?? "", `${res.type} ${res.name}`).toMatch(/pulumi:providers:aws::/);
    }
  });

  it("opens exactly the mail ports inbound: never 22, nothing outside the expected set", () => {
    const r = get(stack);
    const sg = only(r, "aws:ec2/securityGroup:SecurityGroup");
    const ingress = sg.inputs.ingress as SgRule[];
    const expected = inboundPorts(r.config).map((p) => `${p.protocol}/${p.port}`).sort();
    expect(ingress.map((i) => `${i.protocol}/${i.fromPort}`).sort()).toEqual(expected);
    const allowed = new Set([25, 465, 587, 993, 80, 443, ...(r.config.features.pop3 ? [995] : [])]);
    for (const rule of ingress) {
      expect(rule.fromPort).toBe(rule.toPort);
      expect(rule.fromPort).not.toBe(22);
      expect(allowed.has(rule.fromPort), `port ${rule.fromPort}`).toBe(true);
      expect(rule.protocol).toBe("tcp");
      expect(rule.description ?? "").not.toBe("");
      expect(rule.ipv6CidrBlocks !== undefined).toBe(r.config.features.ipv6);
    }
    // No rule can be attached from elsewhere by this program.
    for (const type of ["aws:ec2/securityGroupRule:SecurityGroupRule", "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"]) {
      expect(ofType(r, type)).toHaveLength(0);
    }
  });

  it("restricts egress to what the host needs (no all-protocol, no port ranges)", () => {
    const r = get(stack);
    const egress = only(r, "aws:ec2/securityGroup:SecurityGroup").inputs.egress as SgRule[];
    expect(egress.map((e) => `${e.protocol}/${e.fromPort}`).sort()).toEqual(egressRules(r.config).map((p) => `${p.protocol}/${p.port}`).sort());
    const delivery = r.config.outbound.mode === "ses" ? "tcp/587" : "tcp/25";
    expect(egress.map((e) => `${e.protocol}/${e.fromPort}`)).toContain(delivery);
    for (const rule of egress) {
      expect(rule.protocol).not.toBe("-1");
      expect(rule.fromPort).toBe(rule.toPort);
    }
  });

  it("runs the instance with IMDSv2 only (hop limit 1), encrypted gp3 root, no key pair, replace on user-data change", () => {
    const r = get(stack);
    const i = only(r, "aws:ec2/instance:Instance").inputs;
    expect(i.metadataOptions).toMatchObject({ httpTokens: "required", httpPutResponseHopLimit: 1, httpEndpoint: "enabled" });
    expect(i.rootBlockDevice).toMatchObject({ encrypted: true, volumeType: "gp3" });
    expect(i.userDataReplaceOnChange).toBe(true);
    expect(i.monitoring).toBe(true);
    expect(i.keyName).toBeUndefined();
    expect(i.associatePublicIpAddress).toBe(false);
    expect(i.userData).toBeUndefined();
    expect(i.userDataBase64).toBe(r.userData);
    expect(r.cloudConfig.startsWith("#cloud-config\n")).toBe(true);
    // EC2's limit (16 KiB) applies to the decoded bytes; the bootstrap stays well under it.
    expect(Buffer.from(r.userData, "base64").length).toBeLessThanOrEqual(8192);
    expect(i.instanceType).toBe(r.config.instance.type);
  });

  it("keeps mail on a separate encrypted gp3 volume that is protected and retained on delete", () => {
    const r = get(stack);
    const v = only(r, "aws:ebs/volume:Volume");
    expect(v.inputs).toMatchObject({ encrypted: true, type: "gp3", size: r.config.instance.dataVolumeGb });
    expect(v.options).toMatchObject({ protect: true, retainOnDelete: true });
    expect((v.inputs.tags as Record<string, string>)["mailfort:backup"]).toBe(stack);
    const attach = only(r, "aws:ec2/volumeAttachment:VolumeAttachment");
    expect(attach.options?.dependencies).toContain(v.urn);
    // A replaced instance gets the volume only after the old attachment is gone.
    expect(attach.options?.deleteBeforeReplace).toBe(true);
    expect(attach.inputs.stopInstanceBeforeDetaching).toBe(true);
    // DLM snapshots exactly the volumes carrying that tag.
    const dlm = only(r, "aws:dlm/lifecyclePolicy:LifecyclePolicy").inputs.policyDetails as { targetTags: Record<string, string>; schedules: Array<{ createRule: { interval: number; times: string }; retainRule: { count: number } }> };
    expect(dlm.targetTags).toEqual({ "mailfort:backup": stack });
    expect(dlm.schedules[0]?.createRule).toMatchObject({ interval: r.config.backups.intervalHours, times: r.config.backups.timeUtc });
    expect(dlm.schedules[0]?.retainRule.count).toBe(r.config.backups.retainCount);
  });

  it("sets the PTR of the Elastic IP to the hostname, after the A record exists", () => {
    const r = get(stack);
    const ptr = only(r, "aws:ec2/eipDomainName:EipDomainName");
    expect(ptr.inputs.domainName).toBe(r.config.hostname);
    expect(r.outputs.ptrRecord).toBe(`${r.config.hostname}.`);
    const aRecord = ofType(r, "aws:route53/record:Record").find((x) => x.inputs.name === r.config.hostname && x.inputs.type === "A");
    expect(aRecord?.inputs.records).toEqual([r.outputs.ipv4]);
    expect(ptr.options?.dependencies).toContain(aRecord?.urn);
  });

  it("publishes DKIM keys (RSA 2048) in TXT strings of at most 255 characters, and every TXT string fits", () => {
    const r = get(stack);
    for (const rec of r.records.filter((x) => x.type === "TXT")) {
      for (const v of rec.values) for (const s of txtStrings(v)) expect(s.length, `${rec.name}`).toBeLessThanOrEqual(255);
    }
    for (const d of mailDomains(r.config)) {
      const dkim = r.records.find((x) => x.name === `${d.dkimSelector}._domainkey.${d.name}` && x.type === "TXT");
      expect(dkim, d.name).toBeDefined();
      const text = txtStrings(dkim?.values[0] ?? "").join("");
      expect(txtStrings(dkim?.values[0] ?? "").length).toBeGreaterThan(1);
      const p = /p=([A-Za-z0-9+/=]+)/.exec(text)?.[1] ?? "";
      const key = createPublicKey({ key: Buffer.from(p, "base64"), format: "der", type: "spki" });
      expect(key.asymmetricKeyType).toBe("rsa");
      expect(key.asymmetricKeyDetails?.modulusLength).toBe(2048);
    }
  });

  it("publishes SPF -all and DMARC with the configured policy; parked domains refuse all mail", () => {
    const r = get(stack);
    const txt = (name: string, prefix: string) => r.records.filter((x) => x.name === name && x.type === "TXT").flatMap((x) => x.values.map((v) => txtStrings(v).join(""))).filter((v) => v.startsWith(prefix));
    for (const d of r.config.domains) {
      const spf = txt(d.name, "v=spf1");
      expect(spf, d.name).toHaveLength(1);
      expect(spf[0]).toMatch(/ -all$/);
      const dmarc = txt(`_dmarc.${d.name}`, "v=DMARC1");
      expect(dmarc, d.name).toHaveLength(1);
      if (d.sendsMail) {
        expect(dmarc[0]).toContain(`p=${d.dmarc.policy};`);
        expect(dmarc[0]).toContain(`rua=${d.dmarc.rua.map((a) => `mailto:${a}`).join(",")}`);
      } else {
        expect(spf[0]).toBe("v=spf1 -all");
        expect(dmarc[0]).toContain("p=reject");
        expect(r.records.find((x) => x.name === d.name && x.type === "MX")?.values).toEqual(["0 ."]);
      }
    }
  });

  it("creates one Route53 record per record of the set, with the same values, in the right zone", () => {
    const r = get(stack);
    const route53 = ofType(r, "aws:route53/record:Record");
    const forward = r.records.filter((x) => r.config.domains.some((d) => d.name === x.zone));
    expect(route53).toHaveLength(forward.length);
    const zoneIdOf = new Map(ofType(r, "aws:route53/zone:Zone").map((z) => [z.inputs.name as string, z]));
    for (const rec of forward) {
      const res = route53.find((x) => x.inputs.name === rec.name && x.inputs.type === rec.type);
      expect(res, `${rec.type} ${rec.name}`).toBeDefined();
      expect(res?.inputs.records).toEqual(route53ProviderValues(rec));
      expect(res?.inputs.ttl).toBe(rec.ttl);
      expect(res?.options?.dependencies).toContain(zoneIdOf.get(rec.zone)?.urn);
    }
    expect(Object.keys(r.zones)).toEqual(expect.arrayContaining(r.config.domains.map((d) => d.name)));
  });

  it("scopes the instance role to its own parameters, key and ACME challenge names", () => {
    const r = get(stack);
    const region = r.config.region;
    const keyArns = new Set(ofType(r, "aws:ssm/parameter:Parameter").filter((p) => p.inputs.type === "SecureString").map((p) => p.inputs.keyId as string));
    expect(keyArns.size).toBe(1);
    const keyArn = [...keyArns][0] as string;
    expect(keyArn).toMatch(new RegExp(`^arn:aws:kms:${region}:${MOCK_ACCOUNT_ID}:key/`));
    const doc = roleStatements(r, `mailfort-${r.stack}-role`);
    for (const s of doc) {
      expect(s.Effect).toBe("Allow");
      for (const a of list(s.Action)) expect(a, s.Sid).not.toMatch(/\*/);
      if (list(s.Resource).includes("*")) {
        const sessionChannels = ["ssmmessages:CreateControlChannel", "ssmmessages:CreateDataChannel", "ssmmessages:OpenControlChannel", "ssmmessages:OpenDataChannel"];
        expect([["route53:ListHostedZones"], ["cloudwatch:PutMetricData"], sessionChannels], s.Sid).toContainEqual(list(s.Action));
      }
    }
    const by = (action: string) => doc.filter((s) => list(s.Action).includes(action));
    expect(by("ssm:GetParametersByPath").map((s) => s.Resource)).toEqual([`arn:aws:ssm:${region}:${MOCK_ACCOUNT_ID}:parameter/mailfort/${stack}`]);
    expect(by("cloudwatch:PutMetricData").map((s) => s.Condition)).toEqual([{ StringEquals: { "cloudwatch:namespace": "mailfort" } }]);
    expect(by("kms:Decrypt").map((s) => s.Resource)).toEqual([keyArn]);
    // Session Manager's registration is scoped to this account's instances; no statement reads
    // parameters outside the stack's own path (AmazonSSMManagedInstanceCore would: GetParameter on *):
    // by name, only the host bundle's parts (the host-file installer).
    expect(by("ssm:UpdateInstanceInformation").map((s) => s.Resource)).toEqual([`arn:aws:ec2:${region}:${MOCK_ACCOUNT_ID}:instance/*`]);
    expect(doc.filter((s) => list(s.Action).some((a) => /^ssm:GetParameters?$/.test(a))).map((s) => [list(s.Action), s.Resource]))
      .toEqual([[["ssm:GetParameters"], `arn:aws:ssm:${region}:${MOCK_ACCOUNT_ID}:parameter/mailfort/${stack}/host/bundle/*`]]);
    const acme = by("route53:ChangeResourceRecordSets");
    if (r.config.tls.mode === "self-signed") {
      expect(acme).toHaveLength(0);
      expect(by("route53:ListHostedZones")).toHaveLength(0);
    } else {
      const zoneIds = new Map(ofType(r, "aws:route53/record:Record").map((x) => [x.inputs.name as string, x.inputs.zoneId as string]));
      const names = certificateNames(r.config);
      const covered: string[] = [];
      for (const s of acme) {
        for (const zone of list(s.Resource)) expect(zone).toMatch(/^arn:aws:route53:::hostedzone\/Z[0-9A-Z]+$/);
        const cond = s.Condition?.["ForAllValues:StringEquals"] ?? {};
        expect(cond["route53:ChangeResourceRecordSetsRecordTypes"]).toEqual(["TXT"]);
        const challengeNames = list(cond["route53:ChangeResourceRecordSetsNormalizedRecordNames"] ?? []);
        for (const n of challengeNames) {
          expect(n).toMatch(/^_acme-challenge\./);
          const certName = n.slice("_acme-challenge.".length);
          // The zone that holds that name's records is one of the statement's zones (Route53
          // refuses the name in any other zone of the statement).
          expect(list(s.Resource)).toContain(`arn:aws:route53:::hostedzone/${zoneIds.get(certName) ?? "?"}`);
          covered.push(certName);
        }
      }
      expect(covered.sort()).toEqual([...names].sort());
      expect(by("route53:GetChange").map((s) => s.Resource)).toEqual(["arn:aws:route53:::change/*"]);
    }
    const attached = ofType(r, "aws:iam/rolePolicyAttachment:RolePolicyAttachment").filter((a) => a.inputs.role === `mailfort-${stack}-role`).map((a) => String(a.inputs.policyArn));
    const awsManaged = attached.filter((a) => a.startsWith("arn:aws:iam::aws:policy/")).map((a) => a.split("/").pop()).sort();
    expect(awsManaged).toEqual([]);
    // The rest are this stack's own ACME policies (one per 6,144 characters of challenge statements).
    expect(attached.length - awsManaged.length).toBe(ofType(r, "aws:iam/policy:Policy").length);
    // No IAM policy in the stack grants every action.
    for (const p of [...ofType(r, "aws:iam/rolePolicy:RolePolicy"), ...ofType(r, "aws:iam/userPolicy:UserPolicy"), ...ofType(r, "aws:iam/policy:Policy")]) {
      for (const s of statements(p.inputs.policy)) for (const a of list(s.Action)) expect(a).not.toMatch(/^(\*|iam:\*|[a-z0-9]+:\*)$/);
    }
  });

  it("puts secrets only in SecureString parameters: nothing secret in user data or any non-secret input", () => {
    const r = get(stack);
    const leaks = [/PRIVATE KEY/, /\{BLF-CRYPT\}/, /\{ARGON2ID\}/, /\$2[aby]\$\d\d\$/, /\$argon2id\$/];
    for (const pattern of leaks) expect(r.cloudConfig).not.toMatch(pattern);
    expect(r.cloudConfig).not.toContain(SECRET_MARK);
    // (Sanity: the decoded text is this stack's real configuration, not an empty document.)
    expect(r.cloudConfig).toContain(r.config.hostname);
    for (const res of r.resources) {
      const text = JSON.stringify(res.inputs);
      for (const pattern of leaks) expect(text, `${res.type} ${res.name}`).not.toMatch(pattern);
      // "[secret]" appears only where the input was secret.
      const marks = text.split(`"${SECRET_MARK}"`).length - 1;
      expect(marks, `${res.type} ${res.name}`).toBeLessThanOrEqual(res.secretPaths?.length ?? 0);
    }
    const params = new Map(r.parameters.map((p) => [p.name, p]));
    for (const d of mailDomains(r.config)) expect(params.get(`/mailfort/${stack}/dkim/${d.name}/${d.dkimSelector}`)?.type).toBe("SecureString");
    expect(params.get(`/mailfort/${stack}/tls/key`)?.type).toBe("SecureString");
    expect([...params.values()].filter((p) => p.name.includes("/mailboxes/")).map((p) => p.type)).toEqual(r.config.mailboxes.map(() => "SecureString"));
    for (const p of params.values()) {
      expect(p.name.startsWith(`/mailfort/${stack}/`)).toBe(true);
      if (p.type === "SecureString") expect(p.value).toBe(SECRET_MARK);
      else for (const pattern of leaks) expect(p.value).not.toMatch(pattern);
    }
    expect(JSON.stringify(r.outputs)).not.toMatch(/PRIVATE KEY/);
  });

  it("alarms on status checks, every host metric and the backups (and outbound SMTP bursts with flow logs) to an SNS topic (e-mailed when alarmEmail is set)", () => {
    const r = get(stack);
    const alarms = ofType(r, "aws:cloudwatch/metricAlarm:MetricAlarm").map((a) => a.inputs);
    const flow = r.config.monitoring.flowLogs.enabled ? [`${stack}/outbound-smtp-connections`] : [];
    const backups = r.config.backups.enabled ? ["SnapshotsCreateFailed", "SnapshotsCreateCompleted"] : [];
    expect(alarms.map((a) => a.metricName).sort()).toEqual(["StatusCheckFailed_Instance", "StatusCheckFailed_System", ...flow, ...backups,
      "disk_used_percent", "disk_used_percent", "queue_active", "queue_deferred", "deliveries_deferred", "deliveries_bounced", "smtp_auth_failures", "imap_login_failures", "fail2ban_banned", "rspamd_rejects", "outbound_top_sender", "cert_days_left", "dnsbl_listed", "reboot_required_hours", "suspended_senders", "report_alerts"].sort());
    const topic = only(r, "aws:sns/topic:Topic");
    // The stack's monitoring key: AWS's aws/sns key cannot be granted to CloudWatch alarms.
    const key = only(r, "aws:kms/alias:Alias", `alias/mailfort-${stack}-monitoring`).inputs.targetKeyId;
    expect(topic.inputs.kmsMasterKeyId).toBe(`arn:aws:kms:${r.config.region}:123456789012:key/${String(key)}`);
    const subs = ofType(r, "aws:sns/topicSubscription:TopicSubscription");
    expect(subs.map((s) => s.inputs.endpoint)).toEqual(r.config.alarmEmail !== undefined ? [r.config.alarmEmail] : []);
  });
});

describe("per-stack specifics", () => {
  it("prod signs its created zones with DNSSEC: a us-east-1 ECC P-256 KMS key, a KSK per zone, and DS outputs", () => {
    const r = get("prod");
    const keys = ofType(r, "aws:kms/key:Key").filter((k) => k.inputs.keyUsage === "SIGN_VERIFY");
    expect(keys).toHaveLength(1);
    expect(keys[0]?.inputs.customerMasterKeySpec).toBe("ECC_NIST_P256");
    const provider = r.resources.find((x) => x.urn === keys[0]?.options?.provider.split("::").slice(0, -1).join("::"));
    expect(provider?.inputs.region).toBe("us-east-1");
    expect(ofType(r, "aws:route53/keySigningKey:KeySigningKey")).toHaveLength(2);
    expect(ofType(r, "aws:route53/hostedZoneDnsSec:HostedZoneDnsSec")).toHaveLength(2);
    const ds = r.outputs.dsRecords as Record<string, string>;
    expect(Object.keys(ds).sort()).toEqual(["example.com", "example.org"]);
    for (const v of Object.values(ds)) expect(v).toMatch(/^\d+ 13 2 [0-9A-F]{64}$/);
    // DANE: TLSA 3 1 1 of the server key on _25._tcp.<hostname>.
    expect(r.records.find((x) => x.type === "TLSA")?.name).toBe("_25._tcp.mail.example.com");
    expect(typeof r.outputs.ipv6).toBe("string");
    expect(r.records.some((x) => x.type === "AAAA" && x.name === "mail.example.com")).toBe(true);
  });

  it("self-signed mode gets a stack CA and a server certificate for every HTTPS and mail name; the ACME stacks get none", () => {
    const lab = get("lab-self-signed");
    const sans = ofType(lab, "tls:index/certRequest:CertRequest")[0]?.inputs.dnsNames as string[];
    expect(sans.sort()).toEqual([...certificateNames(lab.config)].sort());
    expect(String(lab.outputs.caCertPem)).toMatch(/^-----BEGIN CERTIFICATE-----/);
    expect(lab.parameters.map((p) => p.name)).toEqual(expect.arrayContaining(["/mailfort/lab/tls/cert", "/mailfort/lab/tls/ca"]));
    for (const s of ["dev", "prod", "lab"]) expect(ofType(get(s), "tls:index/selfSignedCert:SelfSignedCert")).toHaveLength(0);
  });

  it("dev and prod secure values are opaque offline (no passphrase given) and listed as such", () => {
    expect(get("dev").opaqueSecrets).toEqual(["mailfort:admin-password"]);
    expect(get("prod").opaqueSecrets.sort()).toEqual(["mailfort:alice-password", "mailfort:bob-password"]);
    expect(get("lab").opaqueSecrets).toEqual([]);
  });
});
