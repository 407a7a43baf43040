// Write every generated stack file, never silently overwriting a hand-edited one: those are
// refused (with the diff) unless `force` is set. Files are written one by one; a refused file
// does not stop the others.
import type { GeneratedStack } from "./generate";
import { type WriteDecision, decideWrite } from "./stack-file";
import { type FleetWorkspace, readStack, stackFilePath, writeText } from "./workspace";

export interface StackWrite {
  readonly stack: string;
  readonly path: string;
  readonly decision: WriteDecision;
  /** false only for a hand-edited file without `force`. */
  readonly written: boolean;
}

export function writeStacks(ws: FleetWorkspace, gens: readonly GeneratedStack[], force: boolean): StackWrite[] {
  return gens.map((gen) => {
    const path = stackFilePath(ws, gen.stack);
    const decision = decideWrite(gen, ws.inventorySource, path, readStack(ws, gen.stack));
    const write = decision.kind === "new" || decision.kind === "updated" || (decision.kind === "hand-edited" && force);
    if (write) writeText(path, decision.text);
    return { stack: gen.stack, path, decision, written: write || decision.kind === "unchanged" };
  });
}
