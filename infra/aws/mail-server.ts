// The whole mail server, wired from the validated config: network, firewall, keys, the SSM
// parameter tree, DNS zones and records, the instance with its data volume, its address and
// PTR, backups, alarms, and (optionally) the SES relay. Decisions come from the pure core.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { type MailConfig, mailDomains } from "../config";
import { type DnsRecord, buildRecordSet, zoneOf } from "../core/dns";
import { certificateNames } from "../core/certificate-names";
import { localListValues, LOCAL_LISTS, parameterNames } from "../core/parameters";
import { egressRules, inboundPorts } from "../core/ports";
import { Alarms } from "./alarms";
import { Backups } from "./backups";
import { DkimKeys } from "./dkim-keys";
import { DnsRecords } from "./dns-records";
import { DnsZones } from "./dns-zones";
import { InstanceRole } from "./instance-role";
import { MailInstance } from "./mail-instance";
import { MailSecurityGroup } from "./mail-security-group";
import { Network } from "./network";
import { type ParameterSpec, ParameterStore } from "./parameter-store";
import { AddressAssociation, PublicAddress } from "./public-address";
import { matchRecords, placeholderSesToken, recordShape, SES_TOKENS_PER_DOMAIN } from "./record-shape";
import { ReverseDns } from "./reverse-dns";
import { SesRelay } from "./ses-relay";
import { TYPE_PREFIX, stackTags } from "./tags";
import { TlsMaterial } from "./tls-material";

export interface MailServerArgs {
  config: MailConfig;
  /** The user data, base64 as EC2's API takes it (public: no secrets). */
  userDataBase64: pulumi.Input<string>;
  /** Password hash per mailbox `passwordHashSecret` key, as secret outputs. */
  passwordHashes: Readonly<Record<string, pulumi.Input<string>>>;
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
    const names = parameterNames(cfg);
    const sending = mailDomains(cfg);

    const usEast1 = cfg.features.dnssec ? new aws.Provider(`${name}-us-east-1`, { region: "us-east-1" }, child) : undefined;

    const network = new Network(`${name}-net`, {
      ...(cfg.network.subnetId !== undefined ? { existingSubnetId: cfg.network.subnetId } : {}),
      vpcCidr: cfg.network.vpcCidr,
      ...(cfg.network.availabilityZone !== undefined ? { availabilityZone: cfg.network.availabilityZone } : {}),
      ipv6: cfg.features.ipv6,
      tags,
    }, child);

    const firewall = new MailSecurityGroup(`${name}-sg`, {
      vpcId: network.vpcId,
      inbound: inboundPorts(cfg),
      egress: egressRules(cfg),
      ipv6: cfg.features.ipv6,
      tags,
    }, child);

    const dkim = new DkimKeys(`${name}-dkim`, { keys: sending.map((d) => ({ domain: d.name, selector: d.dkimSelector })) }, child);
    const certNames = certificateNames(cfg);
    const tlsMaterial = new TlsMaterial(`${name}-tls`, {
      stack: cfg.stack, selfSigned: cfg.tls.mode === "self-signed", hostname: cfg.hostname, dnsNames: certNames,
    }, child);

    const sesDomains = cfg.outbound.mode === "ses" ? sending.map((d) => d.name) : [];
    const sesRegion = cfg.outbound.sesRegion ?? cfg.region;
    const ses = sesDomains.length > 0
      ? new SesRelay(`${name}-ses`, {
        stack: cfg.stack, sesRegion, domains: sesDomains, tags,
        ...(sesRegion !== cfg.region ? { provider: new aws.Provider(`${name}-ses-${sesRegion}`, { region: sesRegion as aws.Region }, child) } : {}),
      }, child)
      : undefined;

    const parameters: ParameterSpec[] = [
      ...dkim.keys.map((k): ParameterSpec => ({ ...names.dkimKey(k.domain, k.selector), value: k.privateKeyPem, description: `DKIM private key ${k.selector}._domainkey.${k.domain}` })),
      { ...names.tlsKey, value: tlsMaterial.serverKeyPem, description: `TLS private key of ${cfg.hostname}` },
      ...cfg.mailboxes.map((m): ParameterSpec => {
        const hash = args.passwordHashes[m.passwordHashSecret];
        if (hash === undefined) throw new Error(`internal: no password hash passed for ${m.passwordHashSecret}`);
        return {
          ...names.mailbox(m.address),
          value: pulumi.output(hash).apply((passwordHash) => JSON.stringify({ address: m.address, quotaMb: m.quotaMb, passwordHash })),
          description: `mailbox ${m.address}`,
        };
      }),
      ...cfg.aliases.map((a): ParameterSpec => ({ ...names.alias(a.from), value: JSON.stringify({ from: a.from, to: a.to }), description: `alias ${a.from}` })),
      ...LOCAL_LISTS.map((l): ParameterSpec => ({ ...names.list(l), value: JSON.stringify(localListValues(cfg)[l]), description: `local list ${l}` })),
    ];
    if (tlsMaterial.certChainPem !== undefined && tlsMaterial.caCertPem !== undefined) {
      parameters.push(
        { ...names.tlsCert, value: tlsMaterial.certChainPem, description: `self-signed certificate chain of ${cfg.hostname}` },
        { ...names.tlsCa, value: tlsMaterial.caCertPem, description: `mailfort ${cfg.stack} CA certificate` },
      );
    }
    if (ses !== undefined) parameters.push({ ...names.sesSmtp, value: ses.smtpCredentials, description: "Amazon SES SMTP relay credentials" });
    const store = new ParameterStore(`${name}-params`, { stack: cfg.stack, parameters, tags }, child);

    const zones = new DnsZones(`${name}-dns`, {
      stack: cfg.stack,
      zones: cfg.domains.map((d) => ({ domain: d.name, ...(d.zoneId !== undefined ? { zoneId: d.zoneId } : {}) })),
      dnssec: cfg.features.dnssec,
      ...(usEast1 !== undefined ? { usEast1 } : {}),
      tags,
    }, child);
    const zoneIds = Object.fromEntries(zones.zones.map((z) => [z.domain, z.zoneId]));

    const acmeZones = cfg.tls.mode === "self-signed" ? [] : groupByZone(cfg, certNames).map(([domain, zoneNames]) =>
      ({ domain, zoneId: zoneIds[domain] as pulumi.Output<string>, names: zoneNames }));
    const role = new InstanceRole(`${name}-role`, {
      stack: cfg.stack, region: cfg.region, parametersKeyArn: store.keyArn, acmeZones, tags,
    }, child);

    const address = new PublicAddress(`${name}-ip`, { tags }, child);
    const instance = new MailInstance(`${name}-host`, {
      stack: cfg.stack,
      arch: cfg.instance.arch,
      instanceType: cfg.instance.type,
      rootVolumeGb: cfg.instance.rootVolumeGb,
      dataVolumeGb: cfg.instance.dataVolumeGb,
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

    const dkimSpecs = dkim.keys.map((k) => ({ domain: k.domain, selector: k.selector }));
    const shape = recordShape(cfg, dkimSpecs, sesDomains);
    const sesTokens = ses?.dkimTokens ?? pulumi.output({} as Record<string, string[]>);
    this.records = pulumi.all([
      address.ipv4, instance.ipv6Address, pulumi.all(dkim.keys.map((k) => k.publicKeyPem)), tlsMaterial.serverPublicKeyPem, sesTokens,
    ]).apply(([ipv4, ipv6, dkimPems, tlsPem, tokens]) => {
      if (cfg.features.ipv6 && ipv6 === undefined) throw new Error("internal: features.ipv6 is on but the instance has no IPv6 address");
      const real = buildRecordSet(cfg, {
        addresses: { ipv4, ...(cfg.features.ipv6 && ipv6 !== undefined ? { ipv6 } : {}) },
        dkim: dkimSpecs.map((k, i) => ({ ...k, publicKeyPem: dkimPems[i] as string })),
        tlsPublicKeyPem: tlsPem,
        ...(cfg.outbound.mode === "ses" ? { sesDkimTokens: tokens } : {}),
      });
      const tokenMap = new Map<string, string>();
      sesDomains.forEach((d, i) => {
        for (let n = 0; n < SES_TOKENS_PER_DOMAIN; n++) {
          const token = tokens[d]?.[n];
          if (token === undefined) throw new Error(`internal: SES returned fewer than ${SES_TOKENS_PER_DOMAIN} DKIM tokens for ${d}`);
          tokenMap.set(placeholderSesToken(i, n), token);
        }
      });
      return matchRecords(shape, real, tokenMap);
    });
    const dnsRecords = new DnsRecords(`${name}-records`, { shape, records: this.records, zoneIds }, child);

    // AWS checks forward-confirmed reverse DNS before it sets the PTR: the A record must exist.
    const ptr = new ReverseDns(`${name}-ptr`, { allocationId: address.allocationId, hostname: cfg.hostname, after: [...dnsRecords.recordResources] }, child);

    if (cfg.backups.enabled) {
      new Backups(`${name}-backups`, {
        stack: cfg.stack, intervalHours: cfg.backups.intervalHours, timeUtc: cfg.backups.timeUtc, retainCount: cfg.backups.retainCount, tags,
      }, child);
    }
    new Alarms(`${name}-alarms`, {
      stack: cfg.stack, region: cfg.region, instanceId: instance.instanceId, tags,
      ...(cfg.alarmEmail !== undefined ? { alarmEmail: cfg.alarmEmail } : {}),
    }, child);

    this.hostname = cfg.hostname;
    this.ipv4 = address.ipv4;
    if (cfg.features.ipv6) this.ipv6 = instance.ipv6Address;
    this.instanceId = instance.instanceId;
    this.dataVolumeId = instance.dataVolumeId;
    this.zones = zones.zones.map((z) => ({
      domain: z.domain, zoneId: z.zoneId, created: z.created, nameServers: z.nameServers,
      ...(z.dsRecord !== undefined ? { dsRecord: z.dsRecord } : {}),
    }));
    this.ptrRecord = ptr.ptrRecord;
    this.parametersKeyArn = store.keyArn;
    if (tlsMaterial.caCertPem !== undefined) this.caCertPem = tlsMaterial.caCertPem;
    this.registerOutputs({ hostname: this.hostname, ipv4: this.ipv4, instanceId: this.instanceId, dataVolumeId: this.dataVolumeId });
  }
}

/** Certificate names grouped by the configured domain whose zone holds them. */
function groupByZone(cfg: MailConfig, certNames: readonly string[]): Array<[string, string[]]> {
  const byZone = new Map<string, string[]>();
  for (const n of certNames) {
    const zone = zoneOf(cfg, n);
    byZone.set(zone, [...(byZone.get(zone) ?? []), n]);
  }
  return [...byZone.entries()];
}
