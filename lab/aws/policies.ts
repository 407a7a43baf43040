// The instance role's policy documents as the lab's IAM evaluator takes them (synthesized ids,
// as the plan holds them), and the view that maps the emulator's ids back to those.
import type { NamedPolicy } from "./iam/evaluate";
import type { AccountView } from "./iam/requests";
import type { LabAws } from "./lab-aws";
import type { PlannedParameter } from "./plan";

/** The account moto runs as (its default); the synth's mocks use the same. */
export const EMULATOR_ACCOUNT = "123456789012";

export function instancePolicies(aws: Pick<LabAws, "plan" | "applied">): NamedPolicy[] {
  const role = aws.plan.roles[0];
  if (role === undefined) throw new Error("the emulator plan has no instance role");
  return [
    ...role.inline.map((p) => ({ name: `inline ${p.name}`, document: JSON.parse(p.document) as NamedPolicy["document"] })),
    ...aws.plan.managedPolicies.filter((p) => role.attached.includes(p.ref)).map((p) => ({ name: `managed ${p.name}`, document: JSON.parse(p.document) as NamedPolicy["document"] })),
    ...Object.entries(aws.applied.awsManagedPolicies).map(([arn, document]) => ({ name: arn, document: document as NamedPolicy["document"] })),
  ];
}

export function accountView(aws: Pick<LabAws, "plan" | "applied">): AccountView {
  return {
    partition: "aws",
    account: EMULATOR_ACCOUNT,
    toSynthId: Object.fromEntries(Object.entries(aws.applied.ids).map(([synth, real]) => [real, synth])),
    parameterKeys: Object.fromEntries(aws.plan.parameters.flatMap((p) => (p.keyRef ? [[p.name, p.keyRef]] : []))),
  };
}

/** The lab's AWS with `more` parameters in its plan (those the stack's plan does not already name). */
export function withParameters<T extends Pick<LabAws, "plan">>(aws: T, more: readonly PlannedParameter[]): T {
  const known = new Set(aws.plan.parameters.map((p) => p.name));
  return { ...aws, plan: { ...aws.plan, parameters: [...aws.plan.parameters, ...more.filter((p) => !known.has(p.name))] } };
}
