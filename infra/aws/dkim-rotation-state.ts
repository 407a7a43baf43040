// The DKIM rotation's memory between runs: the state this up leaves (infra/core/dkim-rotation.ts)
// as one String SSM parameter, and the read of the last up's at the start of a run. The parameter
// is written only after every DNS record, so a step whose records failed is not recorded as
// taken and is taken again (with a fresh time) by the next up.
import * as aws from "./sdk";
import * as pulumi from "@pulumi/pulumi";
import type { MailConfig } from "../config";
import { type RotationState, parseRotationState, rotationStateText } from "../core/dkim-rotation";
import { parameterNames } from "../core/parameters";
import { TYPE_PREFIX } from "./tags";

/** The last up's state, or undefined before the first up with rotation (a by-path read: empty, not an error). */
export async function recordedRotationState(cfg: MailConfig, provider: aws.Provider): Promise<RotationState | undefined> {
  const names = parameterNames(cfg);
  const found = await aws.ssm.getParametersByPath({ path: names.stateFolder, recursive: false, withDecryption: false }, { provider });
  const i = (found.names ?? []).indexOf(names.dkimRotationState.name);
  return i < 0 ? undefined : parseRotationState(found.values?.[i], `SSM parameter ${names.dkimRotationState.name}`);
}

export interface DkimRotationStateArgs {
  stack: string;
  state: RotationState;
  /** The resources that must exist before the step counts as taken: the DNS records. */
  after: pulumi.Resource[];
  tags: Record<string, string>;
}

export class DkimRotationState extends pulumi.ComponentResource {
  constructor(name: string, args: DkimRotationStateArgs, opts?: pulumi.ComponentResourceOptions) {
    super(`${TYPE_PREFIX}:DkimRotationState`, name, {}, opts);
    const p = parameterNames({ stack: args.stack }).dkimRotationState;
    new aws.ssm.Parameter(name, {
      name: p.name,
      type: p.kind,
      value: rotationStateText(args.state),
      description: "mailfort DKIM rotation: the step the last pulumi up took (written by pulumi up only; docs/dkim-rotation.md)",
      tier: "Standard",
      tags: args.tags,
    }, { parent: this, dependsOn: args.after });
    this.registerOutputs({});
  }
}
