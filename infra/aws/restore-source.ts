// Before anything is registered, a restore asks AWS about its snapshot (DescribeSnapshots, a
// read): that it exists in the stack's region, is complete, was taken of this stack's data
// volume (the mailfort:stack tag DLM copies from the volume) and fits the configured size. A
// problem stops the program with a ConfigError, as a bad stack file does: nothing is created.
import * as aws from "./sdk";
import { ConfigError, type MailConfig } from "../config";
import { type SnapshotFacts, restoreSourceIssues } from "../core/restore";

/** How the provider reports a snapshot id that does not exist (or a lookup that found nothing). */
const NOT_FOUND = /InvalidSnapshot\.NotFound|InvalidSnapshotID\.Malformed|query returned no results/i;

export async function checkedRestoreSource(cfg: MailConfig, provider: aws.Provider): Promise<SnapshotFacts | undefined> {
  const id = cfg.dataVolume.restoreFrom;
  if (id === undefined) return undefined;
  let found: SnapshotFacts | undefined;
  try {
    const s = await aws.ebs.getSnapshot({ snapshotIds: [id] }, { provider });
    found = { id: s.snapshotId, state: s.state, volumeSizeGb: s.volumeSize, startTime: s.startTime, tags: s.tags ?? {} };
  } catch (e) {
    // Anything else (no credentials, no permission, no network) is not a config problem.
    if (!NOT_FOUND.test(e instanceof Error ? e.message : String(e))) throw e;
  }
  const issues = restoreSourceIssues(cfg, found);
  if (issues.length > 0) throw new ConfigError(issues, `stack ${cfg.stack}`);
  return found;
}
