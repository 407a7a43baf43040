// The data volumes of one instance, as the core's plan says: the attached one and, after a
// restore, the one it replaced. Every one is encrypted, protected and retained on delete; a
// restored one is made from its snapshot and encrypted with the stack's data key. Their names
// come from the plan and never change, so nothing here is ever replaced.
import * as aws from "./sdk";
import type * as pulumi from "@pulumi/pulumi";
import type { DataVolumePlan, DataVolumeSpec } from "../core/restore";
import { BACKUP_TAG_KEY } from "./tags";

export interface DataVolumesArgs {
  readonly stack: string;
  readonly instanceName: string;
  readonly plan: DataVolumePlan;
  readonly availabilityZone: pulumi.Input<string>;
  readonly sizeGb: pulumi.Input<number>;
  /** The stack's data key; required when a volume comes from a snapshot. */
  readonly dataKeyArn?: pulumi.Input<string>;
  readonly tags: Record<string, string>;
}

export interface DataVolumes {
  readonly current: aws.ebs.Volume;
  readonly previous?: aws.ebs.Volume;
}

export function dataVolumes(args: DataVolumesArgs, parent: pulumi.Resource): DataVolumes {
  const volume = (spec: DataVolumeSpec): aws.ebs.Volume => {
    const name = `${args.instanceName}${spec.suffix}`;
    if (spec.snapshotId !== undefined && args.dataKeyArn === undefined) throw new Error(`internal: ${name} is restored from ${spec.snapshotId} but no data key was passed`);
    return new aws.ebs.Volume(name, {
      availabilityZone: args.availabilityZone,
      size: args.sizeGb,
      type: "gp3",
      encrypted: true,
      ...(spec.snapshotId !== undefined ? { snapshotId: spec.snapshotId, kmsKeyId: args.dataKeyArn } : {}),
      tags: { ...args.tags, Name: name, ...(spec.backedUp ? { [BACKUP_TAG_KEY]: args.stack } : {}), ...spec.tags },
    }, {
      parent,
      // The mailboxes: never deleted by Pulumi, not even by `pulumi destroy`.
      protect: true,
      retainOnDelete: true,
    });
  };
  const previous = args.plan.previous !== undefined ? volume(args.plan.previous) : undefined;
  return { current: volume(args.plan.current), ...(previous !== undefined ? { previous } : {}) };
}
