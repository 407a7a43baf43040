// A restore, as data: which data volumes the stack declares (the one attached, and the one a
// restore replaced, kept detached), what each is tagged, and whether a snapshot may be restored
// into this stack. Volumes are only ever added: a restore makes a new volume from the snapshot
// under a name of its own and never changes the inputs of the volume it replaces, so Pulumi
// updates that one's tags in place and never replaces (deletes) it.
import type { ConfigIssue, MailConfig } from "../config";

/** Tag keys a data volume carries once a restore is involved (the policy pack keeps its own copy). */
export const DATA_VOLUME_TAGS = {
  /** current (attached) or previous (detached, kept for the mail that arrived after the snapshot). */
  role: "mailfort:data-volume",
  restoredFrom: "mailfort:restored-from",
  /** On the current volume: the Name of the volume it replaced ("none" once released). */
  supersedes: "mailfort:supersedes",
  /** On the previous volume: the snapshot the current one was restored from. */
  supersededBy: "mailfort:superseded-by",
} as const;

/** The tag DLM's snapshots inherit from the volume (copyTags) and the restore checks. */
const STACK_TAG = "mailfort:stack";

export interface DataVolumeSpec {
  /** "original" for the stack's first volume, else the snapshot it was restored from. */
  readonly source: string;
  readonly role: "current" | "previous";
  /** Logical (and Name tag) suffix after the instance name: "-data" for the original, whose
   * name must never change, "-data-<snapshot>" for a restored one. */
  readonly suffix: string;
  readonly snapshotId?: string;
  /** Role tags (none on the original while no restore is involved: its graph stays as it was). */
  readonly tags: Readonly<Record<string, string>>;
  /** Whether DLM snapshots it (only the attached volume; a detached one no longer changes). */
  readonly backedUp: boolean;
}

export interface DataVolumePlan {
  readonly current: DataVolumeSpec;
  readonly previous?: DataVolumeSpec;
}

const suffixOf = (source: string): string => (source === "original" ? "-data" : `-data-${source}`);

/** The data volumes of a stack, from its config alone. `instanceName` names the volumes. */
export function dataVolumePlan(cfg: Pick<MailConfig, "dataVolume">, instanceName: string): DataVolumePlan {
  const { restoreFrom, previous } = cfg.dataVolume;
  if (restoreFrom === undefined) return { current: { source: "original", role: "current", suffix: "-data", tags: {}, backedUp: true } };
  const kept = previous === "none" ? undefined : previous;
  const current: DataVolumeSpec = {
    source: restoreFrom, role: "current", suffix: suffixOf(restoreFrom), snapshotId: restoreFrom, backedUp: true,
    tags: {
      [DATA_VOLUME_TAGS.role]: "current",
      [DATA_VOLUME_TAGS.restoredFrom]: restoreFrom,
      [DATA_VOLUME_TAGS.supersedes]: kept === undefined ? "none" : `${instanceName}${suffixOf(kept)}`,
    },
  };
  if (kept === undefined) return { current };
  return {
    current,
    previous: {
      source: kept, role: "previous", suffix: suffixOf(kept), backedUp: false,
      ...(kept !== "original" ? { snapshotId: kept } : {}),
      tags: {
        [DATA_VOLUME_TAGS.role]: "previous",
        [DATA_VOLUME_TAGS.supersededBy]: restoreFrom,
        ...(kept !== "original" ? { [DATA_VOLUME_TAGS.restoredFrom]: kept } : {}),
      },
    },
  };
}

/** What AWS says about the snapshot restoreFrom names (undefined: it does not exist there). */
export interface SnapshotFacts {
  readonly id: string;
  readonly state: string;
  readonly volumeSizeGb: number;
  readonly startTime: string;
  readonly tags: Readonly<Record<string, string>>;
}

const PATH = "mailfort:dataVolume.restoreFrom";

/** Whether the snapshot may be restored into this stack; every problem, as config issues. */
export function restoreSourceIssues(cfg: Pick<MailConfig, "stack" | "region" | "dataVolume" | "instance">, snap: SnapshotFacts | undefined): ConfigIssue[] {
  const id = cfg.dataVolume.restoreFrom;
  if (id === undefined) return [];
  if (snap === undefined) {
    return [{
      path: PATH, problem: `${id} does not exist in ${cfg.region} (or this account may not read it)`,
      fix: `check it with \`aws ec2 describe-snapshots --snapshot-ids ${id} --region ${cfg.region}\`; a snapshot in another region must be copied here first (\`aws ec2 copy-snapshot --source-region <r> --source-snapshot-id ${id} --region ${cfg.region} --copy-tags\`)`,
    }];
  }
  const issues: ConfigIssue[] = [];
  if (snap.state !== "completed") {
    issues.push({ path: PATH, problem: `${id} is ${snap.state}, not completed: it cannot be restored yet`, fix: "wait until `aws ec2 describe-snapshots` shows it completed, or pick an older one" });
  }
  const expected = cfg.dataVolume.restoreFromStack ?? cfg.stack;
  const owner = snap.tags[STACK_TAG];
  if (owner === undefined) {
    issues.push({
      path: PATH, problem: `${id} carries no ${STACK_TAG} tag, so nothing says whose mail it holds`,
      fix: `restore a snapshot mailfort's backups took (they copy the volume's tags), or one taken with \`aws ec2 create-snapshots --copy-tags-from-source volume\`; tag it ${STACK_TAG}=${expected} only if you know it is that stack's data volume`,
    });
  } else if (owner !== expected) {
    issues.push({
      path: PATH, problem: `${id} is a snapshot of stack ${owner}, not of ${expected}`,
      fix: `pick one of ${expected}'s (npm run restore -- pick --stack ${expected} --newest), or set dataVolume.restoreFromStack: ${owner} to restore ${owner}'s mail into this stack on purpose`,
    });
  }
  if (snap.volumeSizeGb > cfg.instance.dataVolumeGb) {
    issues.push({ path: "mailfort:instance.dataVolumeGb", problem: `is ${cfg.instance.dataVolumeGb} GiB, smaller than the ${snap.volumeSizeGb} GiB volume ${id} was taken of`, fix: `set it to at least ${snap.volumeSizeGb}` });
  }
  return issues;
}
