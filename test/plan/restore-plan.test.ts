// `npm run plan` for a restore: the reviewer sees the swap in plain words (the snapshot, the new
// volume, the instance moved, the old volume kept) and in the resource table (one volume and the
// data key added, the instance's user data and the attachment's volume changed, nothing removed).
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { expect, it } from "vitest";

const ROOT = path.resolve(__dirname, "../..");
const SNAP = "snap-0123456789abcdef0";

it("shows a restore as a swap that keeps the old volume", async () => {
  const file = path.join(mkdtempSync(path.join(tmpdir(), "mailfort-restore-plan-")), "Pulumi.lab.yaml");
  writeFileSync(file, `${readFileSync(path.join(ROOT, "stacks/Pulumi.lab.yaml"), "utf8").trimEnd()}\n  mailfort:dataVolume:\n    restoreFrom: ${SNAP}\n`);
  // Both sides from the same commit: only the stack file differs.
  const { stdout, stderr } = await promisify(execFile)(process.execPath, ["--import", "tsx", path.join(ROOT, "tools/plan.ts"), "--stack", "lab", "--base", "HEAD", "--head", "HEAD", "--config-file", file], { cwd: ROOT, maxBuffer: 64 * 1024 * 1024 });
  expect(stderr).toBe("");
  expect(stdout).toContain(`:warning: **Restore from \`${SNAP}\`.** A new data volume \`mailfort-lab-host-data-${SNAP}\` is made from the snapshot`);
  expect(stdout).toContain("the attachment swaps from `mailfort-lab-host-data` to the new volume");
  expect(stdout).toContain("Kept, detached, protected and retained: `mailfort-lab-host-data`.");
  expect(stdout).not.toContain(":no_entry:");
  // The volume, the data key and its alias, and DLM's grant to read that key for its copies.
  expect(stdout).toMatch(/\*\*Resources:\*\* 4 to add, \d+ to change, 0 to remove/);
  expect(stdout).toContain("| + add | `aws:iam/rolePolicy:RolePolicy` | `mailfort-lab-backups-dlm-keys` |");
  expect(stdout).toContain(`| + add | \`aws:ebs/volume:Volume\` | \`mailfort-lab-host-data-${SNAP}\` |`);
  expect(stdout).toContain("| + add | `aws:kms/key:Key` | `mailfort-lab-data-key` |");
  expect(stdout).toContain("| ~ change | `aws:ec2/instance:Instance` | `mailfort-lab-host` | `userDataBase64` |");
  expect(stdout).toContain("| ~ change | `aws:ec2/volumeAttachment:VolumeAttachment` | `mailfort-lab-host-data` | `volumeId` |");
  expect(stdout).toContain("| ~ change | `aws:ebs/volume:Volume` | `mailfort-lab-host-data` | `tags` |");
  expect(stdout).toContain(`+MAILFORT_RESTORED_FROM=${SNAP}`);
  expect(stdout).not.toMatch(/newly failing/);
}, 300_000);
