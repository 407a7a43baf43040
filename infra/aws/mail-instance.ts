// The mail server VM and its data volume. The instance is cattle: a user-data change replaces
// it. Mail, queue and state live on a separate encrypted volume that is protected, retained on
// delete, and re-attached to the replacement. A restore attaches a volume made from a snapshot
// instead, and keeps the one it replaced (data-volumes.ts).
import * as aws from "./sdk";
import * as pulumi from "@pulumi/pulumi";
import { DATA_VOLUME_DEVICE } from "../core/data-volume";
import type { DataVolumePlan } from "../core/restore";
import { dataVolumes } from "./data-volumes";
import { DEBIAN_AMI_OWNER, debianAmiNamePattern, ec2Architecture } from "./debian-ami";
import { TYPE_PREFIX } from "./tags";

export interface MailInstanceArgs {
  stack: string;
  arch: "arm64" | "amd64";
  instanceType: pulumi.Input<string>;
  rootVolumeGb: pulumi.Input<number>;
  dataVolumeGb: pulumi.Input<number>;
  /** Which data volumes exist and which one is attached (infra/core/restore.ts). */
  dataVolumes: DataVolumePlan;
  /** The stack's data key, when a volume is restored from a snapshot. */
  dataKeyArn?: pulumi.Input<string>;
  subnetId: pulumi.Input<string>;
  availabilityZone: pulumi.Input<string>;
  securityGroupIds: pulumi.Input<pulumi.Input<string>[]>;
  instanceProfileName: pulumi.Input<string>;
  /** The user data as EC2's API takes it: base64 (of the gzip-compressed #cloud-config, as the
   * host renderer produces it). Public: no secrets, those come from SSM at boot. */
  userDataBase64: pulumi.Input<string>;
  ipv6: boolean;
  tags: Record<string, string>;
  /** Resources that must exist before the instance boots (e.g. the role's policy). */
  dependsOn?: pulumi.Input<pulumi.Resource>[];
}

export class MailInstance extends pulumi.ComponentResource {
  readonly instanceId: pulumi.Output<string>;
  readonly amiId: pulumi.Output<string>;
  readonly dataVolumeId: pulumi.Output<string>;
  /** After a restore: the volume it replaced, detached and kept. */
  readonly previousDataVolumeId?: pulumi.Output<string>;
  readonly ipv6Address: pulumi.Output<string | undefined>;
  /** The primary private IPv4: the source address of its outbound traffic in the VPC's flow logs. */
  readonly privateIp: pulumi.Output<string>;

  constructor(name: string, args: MailInstanceArgs, opts?: pulumi.ComponentResourceOptions) {
    super(`${TYPE_PREFIX}:MailInstance`, name, {}, opts);
    const ami = aws.ec2.getAmiOutput({
      owners: [DEBIAN_AMI_OWNER],
      mostRecent: true,
      filters: [
        { name: "name", values: [debianAmiNamePattern(args.arch)] },
        { name: "architecture", values: [ec2Architecture(args.arch)] },
        { name: "virtualization-type", values: ["hvm"] },
        { name: "root-device-type", values: ["ebs"] },
      ],
    }, { parent: this });

    const instance = new aws.ec2.Instance(name, {
      ami: ami.id,
      instanceType: args.instanceType,
      subnetId: args.subnetId,
      vpcSecurityGroupIds: args.securityGroupIds,
      iamInstanceProfile: args.instanceProfileName,
      // The Elastic IP is the public address; no ephemeral one that would change on stop/start.
      associatePublicIpAddress: false,
      ...(args.ipv6 ? { ipv6AddressCount: 1 } : {}),
      // IMDSv2 only, and a hop limit of 1 so no container or forwarded process can reach it.
      metadataOptions: { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 1, instanceMetadataTags: "disabled" },
      rootBlockDevice: { volumeType: "gp3", volumeSize: args.rootVolumeGb, encrypted: true, deleteOnTermination: true },
      userDataBase64: args.userDataBase64,
      // A new configuration means a new instance built from it, not a mutated one.
      userDataReplaceOnChange: true,
      monitoring: true,
      tags: { ...args.tags, Name: name },
      volumeTags: { ...args.tags, Name: `${name}-root` },
    }, { parent: this, dependsOn: args.dependsOn ?? [] });

    const volumes = dataVolumes({
      stack: args.stack, instanceName: name, plan: args.dataVolumes, availabilityZone: args.availabilityZone, sizeGb: args.dataVolumeGb,
      ...(args.dataKeyArn !== undefined ? { dataKeyArn: args.dataKeyArn } : {}), tags: args.tags,
    }, this);

    new aws.ec2.VolumeAttachment(`${name}-data`, {
      deviceName: DATA_VOLUME_DEVICE,
      volumeId: volumes.current.id,
      instanceId: instance.id,
      // Stop the old instance first so the filesystem is cleanly unmounted before detaching.
      stopInstanceBeforeDetaching: true,
    }, {
      parent: this,
      // On instance replacement the new instance is created first; the volume can be attached
      // to it only once the old attachment is gone (an EBS volume has one attachment), so this
      // attachment is deleted before its replacement is created. The new host waits for the disk.
      deleteBeforeReplace: true,
    });

    this.instanceId = instance.id;
    this.amiId = ami.id;
    this.dataVolumeId = volumes.current.id;
    if (volumes.previous !== undefined) this.previousDataVolumeId = volumes.previous.id;
    this.ipv6Address = instance.ipv6Addresses.apply((a) => a[0]);
    this.privateIp = instance.privateIp;
    this.registerOutputs({ instanceId: this.instanceId, amiId: this.amiId, dataVolumeId: this.dataVolumeId });
  }
}
