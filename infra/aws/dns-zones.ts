// One Route53 hosted zone per configured domain: created (mailfort owns it, and tells you the
// name servers to set at the registrar) or looked up by zoneId. With DNSSEC on, each created
// zone gets a key-signing key backed by one KMS key in us-east-1 (Route53 requires that region),
// and its DS record becomes an output for the registrar.
import * as aws from "./sdk";
import * as pulumi from "@pulumi/pulumi";
import { TYPE_PREFIX, logicalName } from "./tags";

export interface ZoneSpec {
  domain: string;
  /** Existing hosted zone id; absent = create the zone. */
  zoneId?: string;
}

export interface DnsZonesArgs {
  stack: string;
  zones: ZoneSpec[];
  dnssec: boolean;
  /** Provider for us-east-1 (DNSSEC signing keys must live there). Required with dnssec. */
  usEast1?: aws.Provider;
  tags: Record<string, string>;
}

export interface ZoneInfo {
  readonly domain: string;
  readonly zoneId: pulumi.Output<string>;
  readonly nameServers: pulumi.Output<string[]>;
  /** Created by this stack (its NS must be set at the registrar). */
  readonly created: boolean;
  /** DS record for the registrar, DNSSEC only. */
  readonly dsRecord?: pulumi.Output<string>;
}

export class DnsZones extends pulumi.ComponentResource {
  readonly zones: readonly ZoneInfo[];

  constructor(name: string, args: DnsZonesArgs, opts?: pulumi.ComponentResourceOptions) {
    super(`${TYPE_PREFIX}:DnsZones`, name, {}, opts);
    const signingKey = args.dnssec ? this.signingKey(name, args) : undefined;
    this.zones = args.zones.map((spec): ZoneInfo => {
      const id = logicalName(name, spec.domain);
      if (spec.zoneId !== undefined) {
        const found = aws.route53.getZoneOutput({ zoneId: spec.zoneId }, { parent: this });
        // Fail before any record lands in the wrong zone.
        const zoneId = pulumi.all([found.name, found.zoneId]).apply(([zoneName, zid]) => {
          if (zoneName.replace(/\.$/, "") !== spec.domain) {
            throw new Error(`mailfort:domains: zoneId ${spec.zoneId} is the zone of ${zoneName}, not ${spec.domain}: fix the zoneId or remove it`);
          }
          return zid;
        });
        return { domain: spec.domain, zoneId, nameServers: found.nameServers, created: false };
      }
      const zone = new aws.route53.Zone(id, {
        name: spec.domain,
        comment: `mailfort ${args.stack}: mail domain ${spec.domain}`,
        tags: args.tags,
      }, { parent: this });
      if (signingKey === undefined) return { domain: spec.domain, zoneId: zone.zoneId, nameServers: zone.nameServers, created: true };
      const ksk = new aws.route53.KeySigningKey(id, {
        hostedZoneId: zone.zoneId,
        keyManagementServiceArn: signingKey.arn,
        name: logicalName("ksk", spec.domain).slice(0, 128),
        status: "ACTIVE",
      }, { parent: this });
      new aws.route53.HostedZoneDnsSec(id, { hostedZoneId: ksk.hostedZoneId, signingStatus: "SIGNING" }, { parent: this, dependsOn: [ksk] });
      return { domain: spec.domain, zoneId: zone.zoneId, nameServers: zone.nameServers, created: true, dsRecord: ksk.dsRecord };
    });
    this.registerOutputs({ zones: this.zones.map((z) => ({ domain: z.domain, zoneId: z.zoneId, nameServers: z.nameServers })) });
  }

  private signingKey(name: string, args: DnsZonesArgs): aws.kms.Key {
    if (args.usEast1 === undefined) throw new Error("DnsZones: DNSSEC needs the us-east-1 provider (usEast1)");
    const identity = aws.getCallerIdentityOutput({}, { parent: this, provider: args.usEast1 });
    const partition = aws.getPartitionOutput({}, { parent: this, provider: args.usEast1 }).partition;
    return new aws.kms.Key(`${name}-dnssec`, {
      description: `mailfort ${args.stack}: DNSSEC key-signing key for Route53`,
      customerMasterKeySpec: "ECC_NIST_P256",
      keyUsage: "SIGN_VERIFY",
      deletionWindowInDays: 30,
      // The key policy AWS documents for Route53 DNSSEC: the account administers, Route53 signs,
      // and only on behalf of this account's hosted zones.
      policy: pulumi.all([identity.accountId, partition]).apply(([account, part]) => JSON.stringify({
        Version: "2012-10-17",
        Statement: [
          { Sid: "AccountAdministers", Effect: "Allow", Principal: { AWS: `arn:${part}:iam::${account}:root` }, Action: "kms:*", Resource: "*" },
          {
            Sid: "Route53DnssecSigns", Effect: "Allow", Principal: { Service: "dnssec-route53.amazonaws.com" },
            Action: ["kms:DescribeKey", "kms:GetPublicKey", "kms:Sign"], Resource: "*",
            Condition: { StringEquals: { "aws:SourceAccount": account }, ArnLike: { "aws:SourceArn": `arn:${part}:route53:::hostedzone/*` } },
          },
          {
            Sid: "Route53DnssecGrants", Effect: "Allow", Principal: { Service: "dnssec-route53.amazonaws.com" },
            Action: "kms:CreateGrant", Resource: "*", Condition: { Bool: { "kms:GrantIsForAWSResource": "true" } },
          },
        ],
      })),
      tags: args.tags,
    }, { parent: this, provider: args.usEast1 });
  }
}
