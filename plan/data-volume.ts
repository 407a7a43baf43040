// What a change does to the data volumes, spelled out for the reviewer: a restore (a volume made
// from a snapshot, attached in place of the current one, which stays), or a volume leaving the
// stack. Read from the two graphs: volumes by name, the attached one through the attachment's
// volumeId (an id the synth invented, named by plan/resource-ids.ts).
import type { GraphResource } from "../policy/run";
import type { Snapshot } from "./snapshot";

const VOLUME = "aws:ebs/volume:Volume";
const ATTACHMENT = "aws:ec2/volumeAttachment:VolumeAttachment";

export interface DataVolumeChange {
  /** The attached data volume before and after. */
  readonly attached: { readonly base?: string; readonly head?: string };
  /** The head's attached volume, when it is made from a snapshot. */
  readonly restoredFrom?: string;
  readonly added: readonly string[];
  /** Volumes in both graphs that are detached in head (kept after a restore). */
  readonly kept: readonly string[];
  /** Volumes of base that head no longer declares. */
  readonly dropped: readonly string[];
}

function attachedVolume(s: Snapshot): GraphResource | undefined {
  const volumeId = s.resources.find((r) => r.type === ATTACHMENT)?.inputs.volumeId;
  const name = typeof volumeId === "string" ? s.resourceIds?.[volumeId] : undefined;
  return s.resources.find((r) => r.type === VOLUME && r.name === name);
}

/** undefined when the data volumes are as they were. */
export function dataVolumeChange(base: Snapshot, head: Snapshot): DataVolumeChange | undefined {
  const names = (s: Snapshot) => s.resources.filter((r) => r.type === VOLUME).map((r) => r.name);
  const [before, after] = [names(base), names(head)];
  const was = attachedVolume(base);
  const now = attachedVolume(head);
  const added = after.filter((n) => !before.includes(n));
  const dropped = before.filter((n) => !after.includes(n));
  if (added.length === 0 && dropped.length === 0 && was?.name === now?.name) return undefined;
  const snapshot = now?.inputs.snapshotId;
  return {
    attached: { ...(was !== undefined ? { base: was.name } : {}), ...(now !== undefined ? { head: now.name } : {}) },
    ...(typeof snapshot === "string" ? { restoredFrom: snapshot } : {}),
    added,
    kept: after.filter((n) => before.includes(n) && n !== now?.name),
    dropped,
  };
}

const code = (s: string) => `\`${s}\``;

export function dataVolumeMarkdown(c: DataVolumeChange): string[] {
  const out = ["### Data volume", ""];
  if (c.restoredFrom !== undefined && c.attached.head !== c.attached.base) {
    out.push(`:warning: **Restore from ${code(c.restoredFrom)}.** A new data volume ${code(c.attached.head ?? "?")} is made from the snapshot (encrypted with the stack's data key). ` +
      `The instance is replaced (its user data names the snapshot) and moves onto it as a replacement does: the old instance stops, the attachment swaps from ${code(c.attached.base ?? "(none)")} to the new volume.`, "");
  } else if (c.attached.head !== c.attached.base) {
    out.push(`:warning: The attached data volume changes from ${code(c.attached.base ?? "(none)")} to ${code(c.attached.head ?? "(none)")}.`, "");
  }
  if (c.kept.length > 0) {
    out.push(`Kept, detached, protected and retained: ${c.kept.map(code).join(", ")}. Mail that reached it after the snapshot stays there until recovered (\`mailfort-recover\`, docs/operations.md#restore).`, "");
  }
  const fresh = c.added.filter((n) => n !== c.attached.head);
  if (fresh.length > 0) out.push(`Also added: ${fresh.map(code).join(", ")}.`, "");
  if (c.dropped.length > 0) {
    out.push(`:no_entry: Leaving the stack: ${c.dropped.map(code).join(", ")}. Pulumi refuses this while a volume is protected; unprotected, it is only forgotten (retainOnDelete), never deleted.`, "");
  }
  return out;
}
