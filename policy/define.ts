// The shape every mailfort policy shares: a stable id (the one `policy.relax` names), what it
// checks, WHY it matters, and the config-driven relaxation. The objects produced here are plain
// CrossGuard ResourceValidationPolicy / StackValidationPolicy values: the pack entry wraps them,
// and tests and the offline runner call validateResource/validateStack directly.
import type {
  EnforcementLevel, PolicyResource, ReportViolation, ResourceValidationArgs, ResourceValidationPolicy,
  StackValidationArgs, StackValidationPolicy,
} from "@pulumi/policy";
import { type FactsConfig, type PolicyFacts, relaxationFor, resolveFacts } from "./facts";
import { terminalSafe } from "./lib/free-text";

/** Inputs/props as CrossGuard hands them: plain JSON-like data. */
export type Props = Record<string, unknown>;

export interface MailfortPolicyMeta {
  /** Stable id: CrossGuard policy name, and the id `mailfort:policy.relax` refers to. */
  readonly name: string;
  readonly description: string;
  /** One line: the attack or failure this policy prevents. */
  readonly why: string;
  readonly enforcementLevel: EnforcementLevel;
  /** Area for grouping in docs and output. */
  readonly area: "network" | "instance" | "iam" | "secrets" | "dns" | "host" | "monitoring";
}

export type MailfortResourcePolicy = ResourceValidationPolicy & MailfortPolicyMeta & { readonly kind: "resource" };
export type MailfortStackPolicy = StackValidationPolicy & MailfortPolicyMeta & { readonly kind: "stack" };
export type MailfortPolicy = MailfortResourcePolicy | MailfortStackPolicy;

/** Relaxed policies say so in every message they report. */
function relaxedReporter(facts: PolicyFacts, id: string, report: ReportViolation): ReportViolation | undefined {
  const r = relaxationFor(facts, id);
  if (!r) return report;
  if (r.level === "disabled") return undefined;
  // The reason is the stack author's free text; the CLI prints it to a terminal.
  return (message, urn) => report(`[relaxed to advisory by stack ${facts.stack}: ${terminalSafe(r.reason)}] ${message}`, urn);
}

export interface ResourceCheck {
  (props: Props, report: (message: string) => void, ctx: { readonly facts: PolicyFacts; readonly args: ResourceValidationArgs }): void;
}

export function resourcePolicy(meta: Omit<MailfortPolicyMeta, "enforcementLevel"> & {
  /** Resource types judged; "*" for every type. */
  readonly types: readonly string[] | "*";
  readonly check: ResourceCheck;
  readonly enforcementLevel?: EnforcementLevel;
}): MailfortResourcePolicy {
  const { types, check, ...rest } = meta;
  return {
    ...rest,
    kind: "resource",
    enforcementLevel: meta.enforcementLevel ?? "mandatory",
    validateResource: (args, report) => {
      if (types !== "*" && !types.includes(args.type)) return;
      const facts = resolveFacts(() => args.getConfig<FactsConfig>(), args.urn);
      const out = relaxedReporter(facts, meta.name, report);
      if (!out) return;
      check(args.props as Props, (m) => out(`${args.name}: ${m}`), { facts, args });
    },
  };
}

export interface StackCheck {
  (resources: readonly PolicyResource[], report: (message: string, urn?: string) => void, ctx: { readonly facts: PolicyFacts; readonly args: StackValidationArgs }): void;
}

export function stackPolicy(meta: Omit<MailfortPolicyMeta, "enforcementLevel"> & {
  readonly check: StackCheck;
  readonly enforcementLevel?: EnforcementLevel;
}): MailfortStackPolicy {
  const { check, ...rest } = meta;
  return {
    ...rest,
    kind: "stack",
    enforcementLevel: meta.enforcementLevel ?? "mandatory",
    validateStack: (args, report) => {
      const facts = resolveFacts(() => args.getConfig<FactsConfig>(), args.resources[0]?.urn);
      const out = relaxedReporter(facts, meta.name, report);
      if (!out) return;
      check(args.resources, out, { facts, args });
    },
  };
}

/** Read a nested field without trusting the shape. */
export function field(obj: unknown, ...keys: string[]): unknown {
  let cur: unknown = obj;
  for (const k of keys) {
    if (typeof cur !== "object" || cur === null) return undefined;
    cur = (cur as Record<string, unknown>)[k];
  }
  return cur;
}

export function asArray(v: unknown): unknown[] {
  if (v === undefined || v === null) return [];
  return Array.isArray(v) ? v : [v];
}

export function str(v: unknown): string | undefined {
  return typeof v === "string" ? v : undefined;
}
