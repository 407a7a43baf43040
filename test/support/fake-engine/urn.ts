// URNs as the Go engine builds them (resource.NewURN): the type part is the parent's whole
// qualified type chain plus "$" plus the child's type, except under the root stack, whose
// children start a fresh chain. (The SDK's in-process MockMonitor keeps only the parent's last
// type, so URNs from the offline synth differ for grandchildren; tests compare parents by the
// parent's type and name, which both agree on.)
export const ROOT_STACK_TYPE = "pulumi:pulumi:Stack";

export interface UrnParts {
  readonly stack: string;
  readonly project: string;
  /** The qualified type: parent chain and own type, joined by "$". */
  readonly qualifiedType: string;
  readonly type: string;
  readonly name: string;
}

export function parseUrn(urn: string): UrnParts {
  const m = /^urn:pulumi:([^:]*)::([^:]*)::(.+?)::(.*)$/s.exec(urn);
  if (m === null) throw new Error(`not a Pulumi URN: ${JSON.stringify(urn)}`);
  const [, stack = "", project = "", qualifiedType = "", name = ""] = m;
  return { stack, project, qualifiedType, type: qualifiedType.split("$").pop() ?? qualifiedType, name };
}

export function engineUrn(stack: string, project: string, parentUrn: string, type: string, name: string): string {
  const parentType = parentUrn === "" ? ROOT_STACK_TYPE : parseUrn(parentUrn).qualifiedType;
  const qualified = parentType === ROOT_STACK_TYPE ? type : `${parentType}$${type}`;
  return `urn:pulumi:${stack}::${project}::${qualified}::${name}`;
}
