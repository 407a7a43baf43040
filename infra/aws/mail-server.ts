// The whole mail server, wired from the validated config: network, firewall, keys, the SSM
// parameter tree, DNS zones and records, the instance with its data volume, its address and
// PTR, backups, monitoring (alarms, GuardDuty findings, flow logs), and (optionally) the SES
// relay. Decisions come from the pure core.
import * as aws from "./sdk";
import * as pulumi from "@pulumi/pulumi";
import { type MailConfig, domainDkim, mailDomains } from "../config";
import type { RotationState } from "../core/dkim-rotation";
import type { HostBundle } from "../core/host";
import { type DnsRecord, recordPlan } from "../core/dns";
import { acmeZoneNames, certificateNames } from "../core/certificate-names";
import { type SnapshotFacts, dataVolumePlan } from "../core/restore";
import { egressRules, inboundPorts } from "../core/ports";
import { Backups } from "./backups";
import { dataKey } from "./data-key";
import { DkimKeys } from "./dkim-keys";
import { DkimRotationState } from "./dkim-rotation-state";
import { DnsRecords } from "./dns-records";
import { DnsZones } from "./dns-zones";
import { InstanceRole } from "./instance-role";
import { MailInstance } from "./mail-instance";
import { MailSecurityGroup } from "./mail-security-group";
import { outOfBandMonitoring } from "./monitoring";
import { Network } from "./network";
import { ParameterStore } from "./parameter-store";
import { AddressAssociation, PublicAddress } from "./public-address";
import { ReverseDns } from "./reverse-dns";
import { serverParameters } from "./server-parameters";
import { webmailKey } from "./webmail-key";
import { plannedRecords, serverRecords } from "./server-records";
import { SesRelay } from "./ses-relay";
import { TYPE_PREFIX, stackTags } from "./tags";
import { TlsMaterial } from "./tls-material";

export interface MailServerArgs {
  config: MailConfig;
  /** The user data, base64 as EC2's API takes it (public: no secrets): the host's bootstrap. */
  userDataBase64: pulumi.Input<string>;
  /** The rest of the host's files, for the SSM parameters the bootstrap installs them from. */
  hostBundle: HostBundle;
  /** Password hash per mailbox `passwordHashSecret` key, as secret outputs. */
  passwordHashes: Readonly<Record<string, pulumi.Input<string>>>;
  /** A restore's snapshot, as AWS described it before anything was registered (restore-source.ts). */
  restoreSource?: SnapshotFacts;
  /** The DKIM rotation state this up leaves (its layout is config.dkimLayout), recorded after the DNS records. */
  dkimRotation: RotationState;
}

export interface ZoneOutput {
  readonly domain: string;
  readonly zoneId: pulumi.Output<string>;
  readonly created: boolean;
  readonly nameServers: pulumi.Output<string[]>;
  readonly dsRecord?: pulumi.Output<string>;
}

export class MailServer extends pulumi.ComponentResource {
  readonly hostname: string;
  readonly ipv4: pulumi.Output<string>;
  readonly ipv6?: pulumi.Output<string | undefined>;
  readonly instanceId: pulumi.Output<string>;
  readonly dataVolumeId: pulumi.Output<string>;
  /** After a restore: the volume it replaced, kept detached for the mail that arrived after the snapshot. */
  readonly previousDataVolumeId?: pulumi.Output<string>;
  readonly zones: readonly ZoneOutput[];
  /** The full record set with real values (Route53 records and the zone files come from it). */
  readonly records: pulumi.Output<DnsRecord[]>;
  readonly ptrRecord: pulumi.Output<string>;
  readonly parametersKeyArn: pulumi.Output<string>;
  readonly caCertPem?: pulumi.Output<string>;

  constructor(name: string, args: MailServerArgs, opts?: pulumi.ComponentResourceOptions) {
    super(`${TYPE_PREFIX}:MailServer`, name, {}, opts);
    const cfg = args.config;
    const tags = stackTags(cfg);
    const child = { parent: this };

    const network = new Network(`${name}-net`, {
      ...(cfg.network.subnetId !== undefined ? { existingSubnetId: cfg.network.subnetId } : {}),
      vpcCidr: cfg.network.vpcCidr,
      ...(cfg.network.availabilityZone !== undefined ? { availabilityZone: cfg.network.availabilityZone } : {}),
      ipv6: cfg.features.ipv6,
      tags,
    }, child);
    const firewall = new MailSecurityGroup(`${name}-sg`, { vpcId: network.vpcId, inbound: inboundPorts(cfg), egress: egressRules(cfg), ipv6: cfg.features.ipv6, tags }, child);

    // A key per published generation (two while a rotation overlaps them); a revoked one has none.
    const dkim = new DkimKeys(`${name}-dkim`, { keys: mailDomains(cfg).flatMap((d) => domainDkim(d, cfg.dkimLayout).published.map((selector) => ({ domain: d.name, selector }))) }, child);
    const certNames = certificateNames(cfg);
    const tls = new TlsMaterial(`${name}-tls`, { stack: cfg.stack, selfSigned: cfg.tls.mode === "self-signed", hostname: cfg.hostname, dnsNames: certNames }, child);
    const ses = sesRelay(name, cfg, tags, this);
    const webmailDesKey = cfg.features.webmail ? webmailKey(name, this) : undefined;
    const parameters = serverParameters(cfg, { dkim: dkim.keys, tls, passwordHashes: args.passwordHashes, hostBundle: args.hostBundle, ...(ses !== undefined ? { ses } : {}), ...(webmailDesKey !== undefined ? { webmailDesKey } : {}) });
    const store = new ParameterStore(`${name}-params`, { stack: cfg.stack, parameters, tags }, child);

    const zones = new DnsZones(`${name}-dns`, {
      stack: cfg.stack,
      zones: cfg.domains.map((d) => ({ domain: d.name, ...(d.zoneId !== undefined ? { zoneId: d.zoneId } : {}) })),
      dnssec: cfg.features.dnssec,
      ...(cfg.features.dnssec ? { usEast1: new aws.Provider(`${name}-us-east-1`, { region: "us-east-1" }, child) } : {}),
      tags,
    }, child);
    const zoneIds = Object.fromEntries(zones.zones.map((z) => [z.domain, z.zoneId]));
    const role = new InstanceRole(`${name}-role`, { stack: cfg.stack, region: cfg.region, parametersKeyArn: store.keyArn, acmeZones: acmeZones(cfg, zoneIds), tags }, child);

    const address = new PublicAddress(`${name}-ip`, { tags }, child);
    const volumes = dataVolumePlan(cfg, `${name}-host`);
    if (cfg.dataVolume.restoreFrom !== undefined && args.restoreSource?.id !== cfg.dataVolume.restoreFrom) {
      throw new Error(`internal: restoring ${cfg.dataVolume.restoreFrom}, but its snapshot was not looked up first (restore-source.ts)`);
    }
    const restored = volumes.current.snapshotId !== undefined || volumes.previous?.snapshotId !== undefined;
    const key = restored ? dataKey(`${name}-data-key`, { stack: cfg.stack, purpose: "encrypts the data volumes restored from snapshots", alias: `mailfort-${cfg.stack}-data`, tags }, this) : undefined;
    const instance = new MailInstance(`${name}-host`, {
      stack: cfg.stack,
      arch: cfg.instance.arch,
      instanceType: cfg.instance.type,
      rootVolumeGb: cfg.instance.rootVolumeGb,
      dataVolumeGb: cfg.instance.dataVolumeGb,
      dataVolumes: volumes,
      ...(key !== undefined ? { dataKeyArn: key.arn } : {}),
      subnetId: network.subnetId,
      availabilityZone: network.availabilityZone,
      securityGroupIds: [firewall.securityGroupId],
      instanceProfileName: role.instanceProfileName,
      userDataBase64: args.userDataBase64,
      ipv6: cfg.features.ipv6,
      tags,
      // Boot only once the role may read the parameters, and they exist.
      dependsOn: [role, store],
    }, child);
    new AddressAssociation(`${name}-ip`, { allocationId: address.allocationId, instanceId: instance.instanceId }, child);

    const plan = recordPlan(cfg);
    const recordSources = {
      ipv4: address.ipv4, ipv6: instance.ipv6Address, dkim: dkim.keys, tlsPublicKeyPem: tls.serverPublicKeyPem,
      ...(ses !== undefined ? { sesTokens: ses.dkimTokens } : {}),
    };
    this.records = serverRecords(cfg, plan, recordSources);
    const dnsRecords = new DnsRecords(`${name}-records`, { plan, records: plannedRecords(cfg, plan, recordSources), zoneIds }, child);
    new DkimRotationState(`${name}-dkim-rotation`, { stack: cfg.stack, state: args.dkimRotation, after: [...dnsRecords.recordResources], tags }, child);
    // AWS checks forward-confirmed reverse DNS before it sets the PTR: the A record must exist.
    const ptr = new ReverseDns(`${name}-ptr`, { allocationId: address.allocationId, hostname: cfg.hostname, after: [...dnsRecords.recordResources] }, child);

    const backups = !cfg.backups.enabled ? undefined : new Backups(`${name}-backups`, {
        stack: cfg.stack, intervalHours: cfg.backups.intervalHours, timeUtc: cfg.backups.timeUtc, retainCount: cfg.backups.retainCount,
        crossRegionCopies: cfg.backups.crossRegionCopies, ...(key !== undefined ? { dataKeyArn: key.arn } : {}), tags,
      }, child);
    outOfBandMonitoring(name, cfg, {
      ...(backups !== undefined ? { backups: { policyId: backups.policyId, intervalHours: cfg.backups.intervalHours } } : {}),
      ...(cfg.network.subnetId === undefined ? { createdVpcId: network.vpcId } : {}),
      instanceId: instance.instanceId, instanceRoleName: role.roleName, privateIpv4: instance.privateIp, publicIpv4: address.ipv4,
      ...(cfg.features.ipv6 ? { ipv6: instance.ipv6Address } : {}),
    }, tags, this);

    this.hostname = cfg.hostname;
    this.ipv4 = address.ipv4;
    if (cfg.features.ipv6) this.ipv6 = instance.ipv6Address;
    this.instanceId = instance.instanceId;
    this.dataVolumeId = instance.dataVolumeId;
    if (instance.previousDataVolumeId !== undefined) this.previousDataVolumeId = instance.previousDataVolumeId;
    this.zones = zones.zones.map((z) => ({
      domain: z.domain, zoneId: z.zoneId, created: z.created, nameServers: z.nameServers,
      ...(z.dsRecord !== undefined ? { dsRecord: z.dsRecord } : {}),
    }));
    this.ptrRecord = ptr.ptrRecord;
    this.parametersKeyArn = store.keyArn;
    if (tls.caCertPem !== undefined) this.caCertPem = tls.caCertPem;
    this.registerOutputs({ hostname: this.hostname, ipv4: this.ipv4, instanceId: this.instanceId, dataVolumeId: this.dataVolumeId });
  }
}

/** Outbound through Amazon SES (outbound.mode ses): its identities live in sesRegion. */
function sesRelay(name: string, cfg: MailConfig, tags: Record<string, string>, parent: pulumi.Resource): SesRelay | undefined {
  if (cfg.outbound.mode !== "ses") return undefined;
  const domains = mailDomains(cfg).map((d) => d.name);
  if (domains.length === 0) return undefined;
  const sesRegion = cfg.outbound.sesRegion ?? cfg.region;
  const provider = sesRegion !== cfg.region ? new aws.Provider(`${name}-ses-${sesRegion}`, { region: sesRegion as aws.Region }, { parent }) : undefined;
  return new SesRelay(`${name}-ses`, { stack: cfg.stack, sesRegion, domains, tags, ...(provider !== undefined ? { provider } : {}) }, { parent });
}

/** The ACME challenge names per hosted zone the instance may write (none for a self-signed stack). */
function acmeZones(cfg: MailConfig, zoneIds: Record<string, pulumi.Output<string>>) {
  return acmeZoneNames(cfg).map(({ domain, names }) => ({ domain, zoneId: zoneIds[domain] as pulumi.Output<string>, names }));
}
