// A restore only ever adds a data volume. The volume made from a snapshot names the volume it
// supersedes (tag mailfort:supersedes), and that one must still be in the stack: a restore that
// changed the current volume in place (a new snapshotId on it) or dropped it from the program
// would have Pulumi replace or delete the only copy of the mail that arrived after the snapshot.
// Judged from the graph and the stack file alone; Pulumi itself refuses to delete a protected
// volume that has left the program (a case no policy can see: it lives in the state).
import type { PolicyResource } from "@pulumi/policy";
import { field, stackPolicy, str } from "../define";
import { VOLUME } from "./instance";

/** The pack's own copy of the tag keys (infra/core/restore.ts; a test holds the two together). */
export const RESTORE_TAGS = { role: "mailfort:data-volume", restoredFrom: "mailfort:restored-from", supersedes: "mailfort:supersedes" } as const;

const tagsOf = (r: PolicyResource): Record<string, unknown> => (field(r.props, "tags") as Record<string, unknown> | undefined) ?? {};
const nameOf = (r: PolicyResource): string => str(tagsOf(r).Name) ?? r.name;

export const dataVolumeRestorePolicy = stackPolicy({
  name: "instance-data-volume-restore",
  area: "instance",
  description: "A restore adds a volume made from the snapshot (encrypted with the stack's own key) and keeps the one it supersedes in the stack.",
  why: "Restoring into the current volume, or dropping it, deletes the mail that arrived after the snapshot; a volume on the account's default key cannot be shared or copied under the stack's control.",
  check: (resources, report, { facts }) => {
    const volumes = resources.filter((r) => r.type === VOLUME);
    for (const v of volumes) {
      const snapshot = str(v.props.snapshotId);
      if (snapshot === undefined || snapshot === "") continue;
      const supersedes = str(tagsOf(v)[RESTORE_TAGS.supersedes]);
      if (supersedes === undefined) {
        report(`${v.name}: is made from ${snapshot} but names no volume it supersedes (tag ${RESTORE_TAGS.supersedes}); a snapshot restored into the current volume replaces it, deleting the mail that arrived after the snapshot: restore with dataVolume.restoreFrom, which adds a volume`, v.urn);
      } else if (supersedes !== "none") {
        const kept = volumes.find((x) => x !== v && nameOf(x) === supersedes);
        if (kept === undefined) report(`${v.name}: restoring from ${snapshot} would delete the current data volume ${supersedes}, which is no longer in the stack; keep it (dataVolume.previous) until its later mail is recovered`, v.urn);
        else if (str(kept.props.snapshotId) === snapshot) report(`${v.name}: supersedes ${supersedes}, which is made from the same snapshot ${snapshot}`, v.urn);
      }
      if (str(v.props.kmsKeyId) === undefined) report(`${v.name}: is made from ${snapshot} without kmsKeyId; encrypt a restored volume with the stack's data key`, v.urn);
    }
    const wanted = facts.restoreFrom;
    if (wanted !== undefined && !volumes.some((v) => v.props.snapshotId === wanted)) {
      report(`the stack file restores from ${wanted} (dataVolume.restoreFrom), but no data volume is made from it`);
    }
  },
});
