// Checks across the restore and backup-copy settings that each look valid alone: what can be
// known from the stack file. Whether the snapshot exists and belongs to the stack is asked of
// AWS before any resource is registered (infra/aws/restore-source.ts).
import type { ConfigIssue } from "./errors";
import type { ParsedMailConfig } from "./schema";
import { fieldPath as at } from "./zod-issues";

export function restoreIssues(cfg: ParsedMailConfig): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const v = cfg.dataVolume;
  if (v.restoreFrom === undefined) {
    if (v.previous !== "original") {
      issues.push({ path: at(["dataVolume", "previous"]), problem: `is ${v.previous}, but no restore is set (dataVolume.restoreFrom), so there is no previous volume`, fix: "remove it, or set restoreFrom to the snapshot the current volume was restored from" });
    }
    if (v.restoreFromStack !== undefined) {
      issues.push({ path: at(["dataVolume", "restoreFromStack"]), problem: "is set without dataVolume.restoreFrom", fix: "remove it, or set restoreFrom to that stack's snapshot" });
    }
  } else if (v.previous === v.restoreFrom) {
    issues.push({ path: at(["dataVolume", "previous"]), problem: `names the snapshot being restored (${v.restoreFrom}): a restore cannot replace itself`, fix: "write the snapshot of the restore before this one, or original" });
  }
  const seen = new Set<string>();
  cfg.backups.crossRegionCopies.forEach((c, i) => {
    if (c.region === cfg.region) {
      issues.push({ path: at(["backups", "crossRegionCopies", i, "region"]), problem: `is the stack's own region (${cfg.region}); the snapshots are already there`, fix: "name another region, e.g. one at least a few hundred km away" });
    }
    if (seen.has(c.region)) issues.push({ path: at(["backups", "crossRegionCopies", i, "region"]), problem: `${c.region} is listed twice`, fix: "keep one entry per region" });
    seen.add(c.region);
  });
  if (cfg.backups.crossRegionCopies.length > 0 && !cfg.backups.enabled) {
    issues.push({ path: at(["backups", "crossRegionCopies"]), problem: "copies snapshots that are never taken (backups.enabled is false)", fix: "enable backups, or remove the copies" });
  }
  return issues;
}
