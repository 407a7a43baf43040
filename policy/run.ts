// Run every policy over a resource graph without the Pulumi CLI: the offline check and the PR
// plan use this on the synthesized stack. Builds CrossGuard-shaped args by hand (as the analyzer
// would) and collects each policy's violations at the level this stack's config gives it.
import type { PolicyResource, PolicyResourceOptions, ResourceValidationArgs, StackValidationArgs } from "@pulumi/policy";
import { ALL_POLICIES } from "./all";
import type { MailfortPolicy } from "./define";
import { type FactsConfig, type PolicyFacts, type Relaxation, relaxationFor } from "./facts";

/** One resource of the graph as the synth (or a test) describes it. */
export interface GraphResource {
  readonly type: string;
  readonly name: string;
  readonly urn?: string;
  readonly inputs: Record<string, unknown>;
  readonly opts?: { readonly protect?: boolean; readonly retainOnDelete?: boolean; readonly parent?: string };
}

export interface Violation {
  readonly message: string;
  readonly urn?: string;
}

export interface PolicyOutcome {
  readonly id: string;
  readonly description: string;
  readonly area: MailfortPolicy["area"];
  /** The level this stack runs the policy at (a relaxation lowers it). */
  readonly level: "mandatory" | "advisory" | "disabled";
  readonly relaxation?: Relaxation;
  readonly violations: readonly Violation[];
}

export function urnOf(stack: string, r: GraphResource): string {
  return r.urn ?? `urn:pulumi:${stack}::mailfort::${r.type}::${r.name}`;
}

function optsOf(r: GraphResource): PolicyResourceOptions & { retainOnDelete?: boolean } {
  return {
    protect: r.opts?.protect ?? false,
    ignoreChanges: [],
    aliases: [],
    customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
    additionalSecretOutputs: [],
    ...(r.opts?.parent ? { parent: r.opts.parent } : {}),
    ...(r.opts && "retainOnDelete" in r.opts ? { retainOnDelete: r.opts.retainOnDelete === true } : {}),
  };
}

const NOT_APPLICABLE = Symbol("not applicable");

/** CrossGuard-shaped args for one resource (what the analyzer would pass). */
function resourceArgs(r: GraphResource, facts: PolicyFacts): ResourceValidationArgs {
  return {
    type: r.type,
    name: r.name,
    urn: urnOf(facts.stack, r),
    props: r.inputs,
    opts: optsOf(r),
    stackTags: new Map<string, string>(),
    isType: () => false,
    asType: () => undefined,
    getConfig: <T extends object>() => ({ facts } satisfies FactsConfig) as unknown as T,
    notApplicable: () => { throw NOT_APPLICABLE; },
  };
}

function stackArgs(resources: readonly GraphResource[], facts: PolicyFacts): StackValidationArgs {
  const policyResources: PolicyResource[] = resources.map((r) => ({
    type: r.type,
    name: r.name,
    urn: urnOf(facts.stack, r),
    props: r.inputs,
    opts: optsOf(r),
    dependencies: [],
    propertyDependencies: {},
    isType: () => false,
    asType: () => undefined,
  }));
  return {
    resources: policyResources,
    stackTags: new Map<string, string>(),
    getConfig: <T extends object>() => ({ facts } satisfies FactsConfig) as unknown as T,
    notApplicable: () => { throw NOT_APPLICABLE; },
  };
}

/** Run one policy over the graph; its violations, in order. */
export async function runPolicy(policy: MailfortPolicy, resources: readonly GraphResource[], facts: PolicyFacts): Promise<Violation[]> {
  const violations: Violation[] = [];
  const report = (message: string, urn?: string) => { violations.push(urn === undefined ? { message } : { message, urn }); };
  try {
    if (policy.kind === "stack") await policy.validateStack(stackArgs(resources, facts), report);
    else {
      const vr = policy.validateResource;
      const validations = vr === undefined ? [] : Array.isArray(vr) ? vr : [vr];
      for (const r of resources) for (const v of validations) await v(resourceArgs(r, facts), (m, u) => report(m, u ?? urnOf(facts.stack, r)));
    }
  } catch (e) {
    if (e !== NOT_APPLICABLE) throw e;
  }
  return violations;
}

export async function runPolicies(resources: readonly GraphResource[], facts: PolicyFacts, policies: readonly MailfortPolicy[] = ALL_POLICIES): Promise<PolicyOutcome[]> {
  const out: PolicyOutcome[] = [];
  for (const p of policies) {
    const relaxation = relaxationFor(facts, p.name);
    const base = p.enforcementLevel === "advisory" ? "advisory" : p.enforcementLevel === "disabled" ? "disabled" : "mandatory";
    const level = relaxation ? relaxation.level : base;
    const violations = await runPolicy(p, resources, facts);
    out.push({ id: p.name, description: p.description, area: p.area, level, ...(relaxation ? { relaxation } : {}), violations });
  }
  return out;
}

export function hasMandatoryViolation(outcomes: readonly PolicyOutcome[]): boolean {
  return outcomes.some((o) => o.level === "mandatory" && o.violations.length > 0);
}

/**
 * The CrossGuard `--policy-pack-config` JSON that applies this stack's relaxations when the
 * pack runs under the Pulumi CLI (which cannot change a level from inside a policy).
 */
export function packConfigFor(facts: PolicyFacts): Record<string, { enforcementLevel: "advisory" | "disabled" }> {
  return Object.fromEntries(facts.relax.map((r) => [r.id, { enforcementLevel: r.level }]));
}
