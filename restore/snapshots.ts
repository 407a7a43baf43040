// A stack's snapshots as EC2 lists them: DLM's (they copy the volume's tags, mailfort:stack
// among them) and any taken by hand with --copy-tags-from-source volume. "Newest" is by start
// time, the moment a snapshot's point-in-time copy was taken.
import type { Snapshot } from "@aws-sdk/client-ec2";
import type { Ec2Api } from "./ec2";

export interface StackSnapshot {
  readonly id: string;
  readonly startTime: Date;
  readonly volumeId: string;
  readonly volumeSizeGb: number;
  readonly encrypted: boolean;
  readonly stack: string | undefined;
}

export const STACK_TAG = "mailfort:stack";

/** The AWS CLI command that lists what newestSnapshot looks at (for the offline plan). */
export function listSnapshotsCommand(stack: string, region: string): string {
  return `aws ec2 describe-snapshots --region ${region} --owner-ids self --filters Name=tag:${STACK_TAG},Values=${stack} Name=status,Values=completed --query 'reverse(sort_by(Snapshots,&StartTime))[0]'`;
}

function toStackSnapshot(s: Snapshot): StackSnapshot {
  if (s.SnapshotId === undefined || s.StartTime === undefined) throw new Error("EC2 described a snapshot without an id or start time");
  return {
    id: s.SnapshotId, startTime: s.StartTime, volumeId: s.VolumeId ?? "", volumeSizeGb: s.VolumeSize ?? 0, encrypted: s.Encrypted === true,
    stack: s.Tags?.find((t) => t.Key === STACK_TAG)?.Value,
  };
}

/** The newest completed snapshot of the stack, or undefined when it has none. */
export async function newestSnapshot(ec2: Ec2Api, stack: string): Promise<StackSnapshot | undefined> {
  let newest: StackSnapshot | undefined;
  let token: string | undefined;
  do {
    const page = await ec2.describeSnapshots({
      OwnerIds: ["self"],
      Filters: [{ Name: `tag:${STACK_TAG}`, Values: [stack] }, { Name: "status", Values: ["completed"] }],
      ...(token !== undefined ? { NextToken: token } : {}),
    });
    for (const s of page.Snapshots ?? []) {
      const candidate = toStackSnapshot(s);
      if (newest === undefined || candidate.startTime > newest.startTime) newest = candidate;
    }
    token = page.NextToken;
  } while (token !== undefined);
  return newest;
}

/** One snapshot by id, refused unless it is a completed snapshot of the stack. */
export async function stackSnapshot(ec2: Ec2Api, stack: string, id: string): Promise<StackSnapshot> {
  const found = (await ec2.describeSnapshots({ SnapshotIds: [id] })).Snapshots?.[0];
  if (found === undefined) throw new Error(`${id} does not exist in this region (or this account may not read it)`);
  const s = toStackSnapshot(found);
  if (s.stack !== stack) throw new Error(`${id} is ${s.stack === undefined ? "not tagged with any stack" : `a snapshot of stack ${s.stack}`}, not of ${stack}`);
  if (found.State !== "completed") throw new Error(`${id} is ${found.State ?? "in an unknown state"}, not completed`);
  return s;
}
