// The shape of an EBS snapshot id, as the restore setting and its checks accept it: "snap-" and
// 8 (older snapshots) or 17 lowercase hex digits. Nothing else may reach a resource name or the
// user data (the id names the restored volume and is written to the host's env file).
export const SNAPSHOT_ID_RE = /^snap-(?:[0-9a-f]{8}|[0-9a-f]{17})$/;

export function isSnapshotId(value: string): boolean {
  return SNAPSHOT_ID_RE.test(value);
}
