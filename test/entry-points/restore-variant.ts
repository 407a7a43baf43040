// The lab stack restoring from a snapshot, as `npm run restore -- pick` leaves its stack file, and
// the synth's recording with that snapshot turned into another stack's: the answer AWS would give
// for a snapshot id copied from the wrong account or stack.
import { readFileSync } from "node:fs";
import { stackFilePath } from "../../infra/synth/in-process";
import type { Recording } from "../support/fake-engine/replay";

export const RESTORE_SNAPSHOT = "snap-0123456789abcdef0";

export function labRestoring(): string {
  return `${readFileSync(stackFilePath("lab"), "utf8").trimEnd()}\n  mailfort:dataVolume:\n    restoreFrom: ${RESTORE_SNAPSHOT}\n`;
}

export function snapshotOfAnotherStack(recording: Recording, stack: string): Recording {
  let changed = 0;
  const invokes = recording.invokes.map((i) => {
    if (i.token !== "aws:ebs/getSnapshot:getSnapshot") return i;
    changed++;
    return { ...i, result: { ...i.result, tags: { "mailfort:stack": stack } } };
  });
  if (changed !== 1) throw new Error(`the restoring synth looked its snapshot up ${changed} times, not once`);
  return { ...recording, invokes };
}
