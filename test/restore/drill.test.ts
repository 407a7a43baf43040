// The restore drill against a fake EC2 (restore/ec2.ts's interface, answered from an inventory
// the way EC2 answers: filters applied, states moving on): the calls it makes and in which order,
// what the throwaway instance is allowed (nothing: no address, role or key; IMDSv2; its volume
// dies with it), that it always cleans up, and that the offline plan prints exactly those calls.
import type {
  DescribeSnapshotsCommandInput, RunInstancesCommandInput, Snapshot,
} from "@aws-sdk/client-ec2";
import { load } from "js-yaml";
import { describe, expect, it } from "vitest";
import { type DrillTarget, drillCommands, runDrill, runInstancesInput } from "../../restore/drill";
import { parseDrillOutput } from "../../restore/drill-report";
import { MAILCOUNT_PATH, drillUserData } from "../../restore/drill-user-data";
import type { Ec2Api } from "../../restore/ec2";

const target: DrillTarget = { stack: "prod", region: "eu-west-1", arch: "arm64" };
const snap = (id: string, stack: string, start: string): Snapshot => ({ SnapshotId: id, StartTime: new Date(start), VolumeId: "vol-0aaaaaaaaaaaaaaaa", VolumeSize: 20, Encrypted: true, State: "completed", Tags: [{ Key: "mailfort:stack", Value: stack }] });
const CONSOLE = [
  "[   12.1] cloud-init[812]: Cloud-init v. 25.1 running 'modules:final'",
  "MAILFORT-DRILL begin device=/dev/nvme1n1 fsck=1",
  "MAILFORT-DRILL mailbox alice@example.com 1204",
  "[   13.0] cloud-init[812]: MAILFORT-DRILL mailbox bob@example.com 17",
  "MAILFORT-DRILL queue incoming 0", "MAILFORT-DRILL queue active 0", "MAILFORT-DRILL queue deferred 2", "MAILFORT-DRILL queue hold 0", "MAILFORT-DRILL queue maildrop 0",
  "MAILFORT-DRILL total mailboxes=2 messages=1221 queued=2",
].join("\r\n");

interface FakeOptions { snapshots?: Snapshot[]; console?: string[]; consoleFails?: boolean }

/** An account with snapshots, one Debian image pair, the stack's subnet and group, and one instance lifecycle. */
function fakeEc2(o: FakeOptions = {}) {
  const calls: string[] = [];
  const launched: RunInstancesCommandInput[] = [];
  let state = "pending";
  let consolePolls = 0;
  const snapshots = o.snapshots ?? [snap("snap-0000000000000old1", "prod", "2026-04-30T03:00:00Z"), snap("snap-0000000000000new1", "prod", "2026-05-01T03:00:00Z"), snap("snap-00000000000other1", "dev", "2026-05-02T03:00:00Z")];
  const console = o.console ?? ["", "[    1.0] booting", CONSOLE];
  const api: Ec2Api = {
    describeSnapshots: async (i: DescribeSnapshotsCommandInput) => {
      calls.push("DescribeSnapshots");
      const stack = i.Filters?.find((f) => f.Name === "tag:mailfort:stack")?.Values?.[0];
      const found = snapshots.filter((s) => (i.SnapshotIds === undefined || i.SnapshotIds.includes(s.SnapshotId ?? "")) && (stack === undefined || s.Tags?.some((t) => t.Key === "mailfort:stack" && t.Value === stack)));
      return { Snapshots: found, $metadata: {} };
    },
    describeImages: async () => {
      calls.push("DescribeImages");
      return { Images: [{ ImageId: "ami-0old", RootDeviceName: "/dev/xvda", CreationDate: "2026-01-01T00:00:00Z" }, { ImageId: "ami-0new", RootDeviceName: "/dev/xvda", CreationDate: "2026-04-01T00:00:00Z" }], $metadata: {} };
    },
    describeSubnets: async () => { calls.push("DescribeSubnets"); return { Subnets: [{ SubnetId: "subnet-0123456789abcdef0" }], $metadata: {} }; },
    describeSecurityGroups: async () => { calls.push("DescribeSecurityGroups"); return { SecurityGroups: [{ GroupId: "sg-0123456789abcdef0" }], $metadata: {} }; },
    runInstances: async (i) => { calls.push("RunInstances"); launched.push(i); state = "running"; return { Instances: [{ InstanceId: "i-0drill" }], $metadata: {} }; },
    describeInstances: async () => {
      calls.push("DescribeInstances");
      return { Reservations: [{ Instances: [{ InstanceId: "i-0drill", State: { Name: state as "running" }, BlockDeviceMappings: [{ DeviceName: "/dev/xvda", Ebs: { VolumeId: "vol-0root" } }, { DeviceName: "/dev/sdf", Ebs: { VolumeId: "vol-0scratch" } }] }] }], $metadata: {} };
    },
    getConsoleOutput: async () => {
      calls.push("GetConsoleOutput");
      if (o.consoleFails) throw new Error("Throttling: rate exceeded");
      const text = console[Math.min(consolePolls++, console.length - 1)] ?? "";
      return { Output: text === "" ? undefined : Buffer.from(text).toString("base64"), $metadata: {} };
    },
    terminateInstances: async () => { calls.push("TerminateInstances"); state = "shutting-down"; setTimeout(() => { state = "terminated"; }, 0); return { $metadata: {} }; },
    describeVolumes: async () => {
      calls.push("DescribeVolumes");
      throw Object.assign(new Error("The volume 'vol-0scratch' does not exist."), { name: "InvalidVolume.NotFound" });
    },
  };
  return { api, calls, launched };
}

const quick = { userData: drillUserData(), log: () => undefined, sleep: async () => { await new Promise((r) => setTimeout(r, 1)); }, pollMs: 1 };

describe("runDrill", () => {
  it("launches one locked-down throwaway instance on the newest snapshot, reads its count, and cleans up", async () => {
    const ec2 = fakeEc2();
    const report = await runDrill(ec2.api, target, quick);
    expect(ec2.launched).toHaveLength(1);
    const run = ec2.launched[0] as RunInstancesCommandInput;
    expect(run).toMatchObject({
      ImageId: "ami-0new", InstanceType: "t4g.nano", MinCount: 1, MaxCount: 1, InstanceInitiatedShutdownBehavior: "terminate",
      MetadataOptions: { HttpTokens: "required", HttpPutResponseHopLimit: 1 },
      NetworkInterfaces: [{ DeviceIndex: 0, SubnetId: "subnet-0123456789abcdef0", AssociatePublicIpAddress: false, Groups: ["sg-0123456789abcdef0"] }],
    });
    expect(run).not.toHaveProperty("IamInstanceProfile");
    expect(run).not.toHaveProperty("KeyName");
    expect(run.BlockDeviceMappings).toEqual([
      { DeviceName: "/dev/xvda", Ebs: { VolumeType: "gp3", Encrypted: true, DeleteOnTermination: true } },
      { DeviceName: "/dev/sdf", Ebs: { SnapshotId: "snap-0000000000000new1", VolumeType: "gp3", Encrypted: true, DeleteOnTermination: true } },
    ]);
    // Tagged as the drill's, and never with the backup tag (DLM would snapshot the scratch volume).
    for (const spec of run.TagSpecifications ?? []) {
      expect(spec.Tags).toContainEqual({ Key: "mailfort:purpose", Value: "restore-drill" });
      expect(spec.Tags?.map((t) => t.Key)).not.toContain("mailfort:backup");
    }
    const userData = load(Buffer.from(run.UserData ?? "", "base64").toString("utf8")) as { write_files: Array<{ path: string; content: string }>; runcmd: string[][] };
    expect(userData.write_files[0]?.path).toBe(MAILCOUNT_PATH);
    expect(userData.write_files[0]?.content).toMatch(/^#!\/usr\/bin\/env bash\n# mailfort-mailcount/);
    expect(userData.runcmd).toEqual([[MAILCOUNT_PATH, "--drill"], ["systemctl", "poweroff"]]);

    expect(report).toMatchObject({ passed: true, cleanedUp: true, instanceId: "i-0drill", scratchVolumeId: "vol-0scratch", snapshot: { id: "snap-0000000000000new1", startTime: "2026-05-01T03:00:00.000Z" } });
    expect(report.counts).toEqual({
      device: "/dev/nvme1n1", fsck: 1,
      mailboxes: [{ address: "alice@example.com", messages: 1204 }, { address: "bob@example.com", messages: 17 }],
      queue: { incoming: 0, active: 0, deferred: 2, hold: 0, maildrop: 0 }, total: { mailboxes: 2, messages: 1221, queued: 2 },
    });
    // Looked up, launched, polled until the count, then terminated and the volume confirmed gone.
    expect(ec2.calls.slice(0, 5)).toEqual(["DescribeSnapshots", "DescribeImages", "DescribeSubnets", "DescribeSecurityGroups", "RunInstances"]);
    expect(ec2.calls.filter((c) => c === "GetConsoleOutput")).toHaveLength(3);
    expect(ec2.calls.filter((c) => c === "TerminateInstances")).toHaveLength(1);
    expect(ec2.calls.at(-1)).toBe("DescribeVolumes");
  });

  it("cleans up and fails when the instance never prints its count, and when reading the console throws", async () => {
    const silent = fakeEc2({ console: ["[    1.0] booting"] });
    let t = 0;
    const report = await runDrill(silent.api, target, { ...quick, timeoutMs: 60_000, now: () => (t += 10_000) });
    expect(report.passed).toBe(false);
    expect(report.problems).toEqual(["the throwaway instance printed no count (see its console output)"]);
    expect(silent.calls).toContain("TerminateInstances");
    expect(report.cleanedUp).toBe(true);

    const broken = fakeEc2({ consoleFails: true });
    await expect(runDrill(broken.api, target, quick)).rejects.toThrow(/Throttling/);
    expect(broken.calls).toContain("TerminateInstances");
  });

  it("fails on a volume e2fsck could not repair, and reports the instance's own failure", async () => {
    const bad = fakeEc2({ console: ["MAILFORT-DRILL begin device=/dev/nvme1n1 fsck=4\nMAILFORT-DRILL failed e2fsck left errors on /dev/nvme1n1 (exit 4)"] });
    const report = await runDrill(bad.api, target, quick);
    expect(report.passed).toBe(false);
    expect(report.problems).toEqual(["the check failed on the instance: e2fsck left errors on /dev/nvme1n1 (exit 4)", "e2fsck left errors (exit 4)"]);
  });

  it("launches nothing without a snapshot of the stack, or for another stack's snapshot", async () => {
    const none = fakeEc2({ snapshots: [snap("snap-00000000000other1", "dev", "2026-05-02T03:00:00Z")] });
    await expect(runDrill(none.api, target, quick)).rejects.toThrow(/stack prod has no completed snapshot in eu-west-1/);
    expect(none.calls).not.toContain("RunInstances");
    const theirs = fakeEc2();
    await expect(runDrill(theirs.api, { ...target, snapshotId: "snap-00000000000other1" }, quick)).rejects.toThrow(/is a snapshot of stack dev, not of prod/);
    expect(theirs.calls).not.toContain("RunInstances");
  });
});

describe("the offline plan", () => {
  it("prints the same RunInstances call the drill makes, flag for flag", () => {
    const commands = drillCommands({ ...target, subnetId: "subnet-0123456789abcdef0" }, "/tmp/ud.yaml");
    const run = commands.find((c) => c.startsWith("aws ec2 run-instances")) ?? "";
    const arg = (flag: string) => JSON.parse(new RegExp(`--${flag} '([^']*)'`).exec(run)?.[1] ?? "null") as unknown;
    const call = runInstancesInput({ ...target, subnetId: "subnet-0123456789abcdef0" }, { snapshotId: "<snapshot-id>", imageId: "<image-id>", rootDevice: "<root-device-name>", subnetId: "subnet-0123456789abcdef0", securityGroupId: "<security-group-id>" }, "");
    expect(arg("network-interfaces")).toEqual(call.NetworkInterfaces);
    expect(arg("block-device-mappings")).toEqual(call.BlockDeviceMappings);
    expect(arg("metadata-options")).toEqual(call.MetadataOptions);
    expect(arg("tag-specifications")).toEqual(call.TagSpecifications);
    expect(run).toContain("--instance-initiated-shutdown-behavior terminate --user-data file:///tmp/ud.yaml");
    expect(commands.some((c) => c.startsWith("aws ec2 describe-subnets"))).toBe(false);
    expect(commands.filter((c) => c.startsWith("aws ec2 terminate-instances"))).toHaveLength(1);
    expect(commands[0]).toContain("Name=tag:mailfort:stack,Values=prod Name=status,Values=completed");
  });

  it("reads the drill's lines out of a noisy console, and waits for the last one", () => {
    expect(parseDrillOutput("[ 1.0] kernel\nMAILFORT-DRILL begin device=/dev/nvme1n1 fsck=0\nMAILFORT-DRILL mailbox a@b.c 3")).toBeUndefined();
    expect(parseDrillOutput(CONSOLE)?.total).toEqual({ mailboxes: 2, messages: 1221, queued: 2 });
  });
});
