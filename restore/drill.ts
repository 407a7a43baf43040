// The restore drill: prove the newest backup restores, without touching the server. EC2 makes a
// scratch volume from the snapshot as the block device of a throwaway instance (no public
// address, no role, no key pair, IMDSv2 only, in the stack's subnet and security group, the
// volume deleted on termination); the instance checks the filesystem, counts messages per
// mailbox and the queue, prints that on its console and powers off, which terminates it. The
// drill reads the console, makes sure instance and volume are gone, and reports. Every call is
// also spelled as the AWS CLI command it equals: the offline plan prints exactly those.
import type { RunInstancesCommandInput } from "@aws-sdk/client-ec2";
import { DEBIAN_AMI_OWNER, debianAmiNamePattern, ec2Architecture } from "../infra/aws/debian-ami";
import { type DrillCounts, type DrillReport, parseDrillOutput, verdict } from "./drill-report";
import type { Ec2Api } from "./ec2";
import { STACK_TAG, type StackSnapshot, listSnapshotsCommand, newestSnapshot, stackSnapshot } from "./snapshots";

export interface DrillTarget {
  readonly stack: string;
  readonly region: string;
  readonly arch: "arm64" | "amd64";
  /** mailfort:network.subnetId when the stack uses an existing subnet; else found by tag. */
  readonly subnetId?: string;
  /** A given snapshot instead of the newest. */
  readonly snapshotId?: string;
}

export interface DrillOptions {
  readonly userData: string;
  readonly log: (line: string) => void;
  readonly timeoutMs?: number;
  readonly pollMs?: number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly now?: () => number;
}

const SCRATCH_DEVICE = "/dev/sdf";
export const DRILL_PURPOSE_TAG = "mailfort:purpose";

const instanceType = (arch: DrillTarget["arch"]) => (arch === "arm64" ? "t4g.nano" : "t3.nano");
const tags = (t: DrillTarget, snapshotId: string) => [
  { Key: "Name", Value: `mailfort-${t.stack}-restore-drill` }, { Key: STACK_TAG, Value: t.stack },
  { Key: DRILL_PURPOSE_TAG, Value: "restore-drill" }, { Key: "mailfort:restore-drill-snapshot", Value: snapshotId },
];

/** The one RunInstances call, from what the lookups found (placeholders offline). */
export function runInstancesInput(t: DrillTarget, found: { snapshotId: string; imageId: string; rootDevice: string; subnetId: string; securityGroupId?: string }, userData: string): RunInstancesCommandInput {
  return {
    ImageId: found.imageId,
    InstanceType: instanceType(t.arch),
    MinCount: 1,
    MaxCount: 1,
    NetworkInterfaces: [{ DeviceIndex: 0, SubnetId: found.subnetId, AssociatePublicIpAddress: false, ...(found.securityGroupId !== undefined ? { Groups: [found.securityGroupId] } : {}) }],
    BlockDeviceMappings: [
      { DeviceName: found.rootDevice, Ebs: { VolumeType: "gp3", Encrypted: true, DeleteOnTermination: true } },
      // The scratch volume: made from the snapshot, gone with the instance. No backup tag, so DLM never snapshots it.
      { DeviceName: SCRATCH_DEVICE, Ebs: { SnapshotId: found.snapshotId, VolumeType: "gp3", Encrypted: true, DeleteOnTermination: true } },
    ],
    MetadataOptions: { HttpEndpoint: "enabled", HttpTokens: "required", HttpPutResponseHopLimit: 1 },
    InstanceInitiatedShutdownBehavior: "terminate",
    UserData: Buffer.from(userData).toString("base64"),
    TagSpecifications: [{ ResourceType: "instance", Tags: tags(t, found.snapshotId) }, { ResourceType: "volume", Tags: tags(t, found.snapshotId) }],
  };
}

const json = (v: unknown) => `'${JSON.stringify(v)}'`;

/** The drill as AWS CLI commands, in order (what the offline run prints). */
export function drillCommands(t: DrillTarget, userDataFile: string): string[] {
  const r = `--region ${t.region}`;
  const input = runInstancesInput(t, { snapshotId: t.snapshotId ?? "<snapshot-id>", imageId: "<image-id>", rootDevice: "<root-device-name>", subnetId: t.subnetId ?? "<subnet-id>", securityGroupId: "<security-group-id>" }, "");
  return [
    t.snapshotId !== undefined
      ? `aws ec2 describe-snapshots ${r} --snapshot-ids ${t.snapshotId} --query 'Snapshots[0].[SnapshotId,StartTime,State,Tags[?Key==\`${STACK_TAG}\`].Value|[0]]'`
      : listSnapshotsCommand(t.stack, t.region),
    `aws ec2 describe-images ${r} --owners ${DEBIAN_AMI_OWNER} --filters Name=name,Values=${debianAmiNamePattern(t.arch)} Name=architecture,Values=${ec2Architecture(t.arch)} Name=state,Values=available --query 'reverse(sort_by(Images,&CreationDate))[0].[ImageId,RootDeviceName]'`,
    ...(t.subnetId === undefined ? [`aws ec2 describe-subnets ${r} --filters Name=tag:${STACK_TAG},Values=${t.stack} --query 'Subnets[0].SubnetId'`] : []),
    `aws ec2 describe-security-groups ${r} --filters Name=tag:${STACK_TAG},Values=${t.stack} --query 'SecurityGroups[0].GroupId'`,
    [
      `aws ec2 run-instances ${r} --image-id ${input.ImageId} --instance-type ${input.InstanceType} --count 1`,
      `--network-interfaces ${json(input.NetworkInterfaces)}`,
      `--block-device-mappings ${json(input.BlockDeviceMappings)}`,
      `--metadata-options ${json(input.MetadataOptions)}`,
      `--instance-initiated-shutdown-behavior terminate --user-data file://${userDataFile}`,
      `--tag-specifications ${json(input.TagSpecifications)} --query 'Instances[0].InstanceId'`,
    ].join(" \\\n    "),
    `aws ec2 get-console-output ${r} --instance-id <instance-id> --latest --output text | grep MAILFORT-DRILL   # every 15 s, until a "total" or "failed" line`,
    `aws ec2 describe-instances ${r} --instance-ids <instance-id> --query 'Reservations[0].Instances[0].BlockDeviceMappings[?DeviceName==\`${SCRATCH_DEVICE}\`].Ebs.VolumeId|[0]'   # the scratch volume`,
    `aws ec2 terminate-instances ${r} --instance-ids <instance-id>   # also when anything above failed`,
    `aws ec2 wait instance-terminated ${r} --instance-ids <instance-id>`,
    `aws ec2 describe-volumes ${r} --volume-ids <scratch-volume-id>   # InvalidVolume.NotFound: deleted with the instance`,
  ];
}

interface Found { snapshot: StackSnapshot; imageId: string; rootDevice: string; subnetId: string; securityGroupId?: string }

async function lookups(ec2: Ec2Api, t: DrillTarget): Promise<Found> {
  const snapshot = t.snapshotId !== undefined ? await stackSnapshot(ec2, t.stack, t.snapshotId) : await newestSnapshot(ec2, t.stack);
  if (snapshot === undefined) throw new Error(`stack ${t.stack} has no completed snapshot in ${t.region} (backups.enabled? DLM takes the first at backups.timeUtc)`);
  const images = (await ec2.describeImages({
    Owners: [DEBIAN_AMI_OWNER],
    Filters: [{ Name: "name", Values: [debianAmiNamePattern(t.arch)] }, { Name: "architecture", Values: [ec2Architecture(t.arch)] }, { Name: "state", Values: ["available"] }],
  })).Images ?? [];
  const image = [...images].sort((a, b) => (b.CreationDate ?? "").localeCompare(a.CreationDate ?? ""))[0];
  if (image?.ImageId === undefined || image.RootDeviceName === undefined) throw new Error(`no Debian 13 ${t.arch} image from ${DEBIAN_AMI_OWNER} in ${t.region}`);
  const byTag = [{ Name: `tag:${STACK_TAG}`, Values: [t.stack] }];
  const subnetId = t.subnetId ?? (await ec2.describeSubnets({ Filters: byTag })).Subnets?.[0]?.SubnetId;
  if (subnetId === undefined) throw new Error(`no subnet tagged ${STACK_TAG}=${t.stack} in ${t.region}; give the stack's network.subnetId`);
  const securityGroupId = (await ec2.describeSecurityGroups({ Filters: byTag })).SecurityGroups?.[0]?.GroupId;
  return { snapshot, imageId: image.ImageId, rootDevice: image.RootDeviceName, subnetId, ...(securityGroupId !== undefined ? { securityGroupId } : {}) };
}

/** Run the drill against AWS (or whatever implements Ec2Api). Always tries to clean up. */
export async function runDrill(ec2: Ec2Api, t: DrillTarget, o: DrillOptions): Promise<DrillReport> {
  const sleep = o.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const now = o.now ?? Date.now;
  const started = now();
  const found = await lookups(ec2, t);
  const snapshot = { id: found.snapshot.id, startTime: found.snapshot.startTime.toISOString(), volumeSizeGb: found.snapshot.volumeSizeGb, volumeId: found.snapshot.volumeId };
  o.log(`drill: snapshot ${snapshot.id} of ${snapshot.volumeId}, taken ${snapshot.startTime}; image ${found.imageId}; subnet ${found.subnetId}`);
  const run = await ec2.runInstances(runInstancesInput(t, { ...found, snapshotId: found.snapshot.id }, o.userData));
  const instanceId = run.Instances?.[0]?.InstanceId;
  if (instanceId === undefined) throw new Error("RunInstances returned no instance id");
  o.log(`drill: launched ${instanceId} with a scratch volume from ${snapshot.id}; waiting for its count on the console`);
  let counts: DrillCounts | undefined;
  let scratchVolumeId: string | undefined;
  let cleanedUp = false;
  try {
    const deadline = started + (o.timeoutMs ?? 20 * 60_000);
    while (counts === undefined && now() < deadline) {
      await sleep(o.pollMs ?? 15_000);
      scratchVolumeId ??= await scratchVolume(ec2, instanceId);
      const out = (await ec2.getConsoleOutput({ InstanceId: instanceId, Latest: true })).Output;
      if (out !== undefined) counts = parseDrillOutput(Buffer.from(out, "base64").toString("utf8"));
    }
  } finally {
    cleanedUp = await cleanUp(ec2, instanceId, scratchVolumeId, { sleep, now, log: o.log });
  }
  const problems = verdict(counts, cleanedUp);
  return {
    stack: t.stack, region: t.region, snapshot, instanceId, ...(scratchVolumeId !== undefined ? { scratchVolumeId } : {}),
    ...(counts !== undefined ? { counts } : {}), cleanedUp, seconds: (now() - started) / 1000, passed: problems.length === 0, problems,
  };
}

async function scratchVolume(ec2: Ec2Api, instanceId: string): Promise<string | undefined> {
  const inst = (await ec2.describeInstances({ InstanceIds: [instanceId] })).Reservations?.[0]?.Instances?.[0];
  return inst?.BlockDeviceMappings?.find((m) => m.DeviceName === SCRATCH_DEVICE)?.Ebs?.VolumeId;
}

/** Terminate (it may have done so itself), wait for it, and confirm the scratch volume went with it. */
async function cleanUp(ec2: Ec2Api, instanceId: string, volumeId: string | undefined, o: { sleep: (ms: number) => Promise<void>; now: () => number; log: (l: string) => void }): Promise<boolean> {
  await ec2.terminateInstances({ InstanceIds: [instanceId] });
  const deadline = o.now() + 10 * 60_000;
  for (;;) {
    const state = (await ec2.describeInstances({ InstanceIds: [instanceId] })).Reservations?.[0]?.Instances?.[0]?.State?.Name;
    if (state === "terminated") break;
    if (o.now() > deadline) return false;
    await o.sleep(10_000);
  }
  if (volumeId === undefined) return true;
  try {
    const v = (await ec2.describeVolumes({ VolumeIds: [volumeId] })).Volumes?.[0];
    const gone = v === undefined || v.State === "deleting" || v.State === "deleted";
    o.log(`drill: ${instanceId} terminated; scratch volume ${volumeId} ${gone ? "deleted" : `still ${v?.State}`}`);
    return gone;
  } catch (e) {
    if (e instanceof Error && /InvalidVolume\.NotFound/.test(`${e.name} ${e.message}`)) return true;
    throw e;
  }
}
