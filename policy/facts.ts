// What the policies need to know about a stack beyond its resources: the environment, the mail
// hostname, which domains send mail, the optional features that open ports, and the stack's
// relaxations. Derived from the validated MailConfig, so the pack judges the resources against
// what the stack file asked for.
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { type MailConfig, parseMailConfig, parseStackFile } from "../infra/config";

export type RelaxLevel = "advisory" | "disabled";

export interface Relaxation {
  readonly id: string;
  readonly reason: string;
  readonly level: RelaxLevel;
}

export interface PolicyFacts {
  readonly stack: string;
  readonly environment: string;
  readonly hostname: string;
  readonly domains: readonly { readonly name: string; readonly sendsMail: boolean; readonly dkimSelector: string }[];
  readonly features: { readonly pop3: boolean; readonly ipv6: boolean; readonly dnssec: boolean; readonly webmail: boolean };
  /** mailfort:dkim.rotation: the generation asked for and the waits the rotation must keep. */
  readonly dkimRotation: { readonly generation: number; readonly marginMinutes: number; readonly graceHours: number };
  readonly tlsMode: string;
  /** direct delivery on 25, or relay through Amazon SES on 587: what egress the host needs. */
  readonly outboundMode: string;
  readonly relax: readonly Relaxation[];
  /** dataVolume.restoreFrom: the snapshot the attached data volume must be made from. */
  readonly restoreFrom?: string;
}

export function factsFromConfig(cfg: MailConfig): PolicyFacts {
  return {
    stack: cfg.stack,
    environment: cfg.environment,
    hostname: cfg.hostname,
    domains: cfg.domains.map((d) => ({ name: d.name, sendsMail: d.sendsMail, dkimSelector: d.dkimSelector })),
    features: { pop3: cfg.features.pop3, ipv6: cfg.features.ipv6, dnssec: cfg.features.dnssec, webmail: cfg.features.webmail },
    dkimRotation: { generation: cfg.dkim.rotation.generation, marginMinutes: cfg.dkim.rotation.marginMinutes, graceHours: cfg.dkim.rotation.graceHours },
    tlsMode: cfg.tls.mode,
    outboundMode: cfg.outbound.mode,
    relax: cfg.policy.relax,
    ...(cfg.dataVolume.restoreFrom !== undefined ? { restoreFrom: cfg.dataVolume.restoreFrom } : {}),
  };
}

/** The relaxation this stack declares for a policy id, if any. */
export function relaxationFor(facts: PolicyFacts, id: string): Relaxation | undefined {
  return facts.relax.find((r) => r.id === id);
}

/** `urn:pulumi:<stack>::<project>::<type>::<name>` -> `<stack>`. */
export function stackOfUrn(urn: string): string {
  const m = /^urn:pulumi:([^:]+)::/.exec(urn);
  if (!m?.[1]) throw new Error(`cannot read the stack name from URN ${JSON.stringify(urn)}`);
  return m[1];
}

const cache = new Map<string, PolicyFacts>();

/**
 * Facts for a stack read from `stacks/Pulumi.<stack>.yaml` next to this pack: the path the
 * Pulumi CLI takes (the analyzer is not told the stack name, but every URN carries it).
 */
export function loadFactsForStack(stack: string, stacksDir = path.resolve(__dirname, "..", "stacks")): PolicyFacts {
  const hit = cache.get(stack);
  if (hit) return hit;
  const file = path.join(stacksDir, `Pulumi.${stack}.yaml`);
  const raw = parseStackFile(readFileSync(file, "utf8"), file);
  const facts = factsFromConfig(parseMailConfig(raw, stack));
  cache.set(stack, facts);
  return facts;
}

/** Policy config shape: the offline runner and tests hand the facts in directly. */
export interface FactsConfig {
  readonly facts?: PolicyFacts;
}

export function resolveFacts(getConfig: () => FactsConfig, urn: string | undefined): PolicyFacts {
  const given = getConfig().facts;
  if (given) return given;
  if (!urn) throw new Error("mailfort policy: no facts given and no resource URN to find the stack from");
  return loadFactsForStack(stackOfUrn(urn));
}
