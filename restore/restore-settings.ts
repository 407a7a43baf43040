// Writing a restore into a stack file: dataVolume.restoreFrom becomes the chosen snapshot, and
// the volume attached until now becomes dataVolume.previous (kept). On a second restore the
// volume kept by the first leaves the stack: Pulumi refuses that while it is protected, so the
// operator is told the `pulumi state unprotect` that lets the stack forget it (it is retained,
// never deleted). Comments and the rest of the file are kept (the yaml package's document API).
import { isMap, parseDocument } from "yaml";
import { type MailConfig, isSnapshotId } from "../infra/config";

export interface RestoreSettings {
  readonly restoreFrom: string;
  readonly previous: string;
  /** The volume that leaves the stack with this restore (its URN), if any. */
  readonly released?: { readonly name: string; readonly urn: string };
}

/** A data volume's URN: MailServer > MailInstance > Volume (infra/aws/mail-instance.ts). */
export function dataVolumeUrn(stack: string, source: string): string {
  const name = `mailfort-${stack}-host-data${source === "original" ? "" : `-${source}`}`;
  return `urn:pulumi:${stack}::mailfort::mailfort:aws:MailServer$mailfort:aws:MailInstance$aws:ebs/volume:Volume::${name}`;
}

export function nextRestore(cfg: Pick<MailConfig, "stack" | "dataVolume">, snapshotId: string): RestoreSettings {
  if (!isSnapshotId(snapshotId)) throw new Error(`${JSON.stringify(snapshotId)} is not an EBS snapshot id`);
  const { restoreFrom, previous } = cfg.dataVolume;
  if (restoreFrom === snapshotId) throw new Error(`the stack already runs on a volume restored from ${snapshotId}`);
  const attached = restoreFrom ?? "original";
  const released = restoreFrom !== undefined && previous !== "none" ? previous : undefined;
  return {
    restoreFrom: snapshotId,
    previous: attached,
    ...(released !== undefined ? { released: { name: `mailfort-${cfg.stack}-host-data${released === "original" ? "" : `-${released}`}`, urn: dataVolumeUrn(cfg.stack, released) } } : {}),
  };
}

/** The stack file's text with mailfort:dataVolume set (restoreFromStack kept when it was there). */
export function withRestore(text: string, s: RestoreSettings): string {
  const doc = parseDocument(text);
  const config = doc.get("config");
  if (!isMap(config)) throw new Error("the stack file has no config: mapping");
  const current = config.get("mailfort:dataVolume");
  const keep = isMap(current) && current.has("restoreFromStack") ? { restoreFromStack: current.get("restoreFromStack") } : {};
  config.set("mailfort:dataVolume", doc.createNode({ restoreFrom: s.restoreFrom, ...keep, ...(s.previous !== "original" ? { previous: s.previous } : {}) }));
  return doc.toString();
}
