// The instance role's ACME DNS-01 permissions as plain IAM documents: route53:ChangeResourceRecordSets
// on exactly the stack's hosted zones, for TXT records named exactly _acme-challenge.<certificate
// name>, UPSERT and DELETE only. No account-wide wildcard: an MSP runs many stacks in one account.
//
// A statement per zone costs ~550 characters, and a role holds at most 10 managed policies of
// 6,144 characters (and 10,240 characters of inline policies in all): about 100 zones. So one
// statement covers a group of zones, listing the zones as its resources and their challenge names
// in its condition; the first group goes inline, beside the role's own policy, the rest into
// managed policies. That grants nothing a statement per
// zone would not: Route53 refuses to write a name into a zone it does not belong to. The one
// exception is a parent zone (example.com) which accepts its child's names (mta-sts.eu.example.com);
// so a statement never groups a zone with its parent. Pure, so tests and the pack read exactly this.
import type { PolicyDocument, PolicyStatement } from "./instance-policy";

export interface AcmeZone {
  /** The zone's domain (no trailing dot). */
  readonly domain: string;
  /** Route53 hosted zone id (without the /hostedzone/ prefix). */
  readonly zoneId: string;
  /** Names the host requests certificates for that live in this zone (no trailing dot). */
  readonly names: readonly string[];
}

/** Zones by domain: statements (groups of zone domains), per policy; the first is the inline one. */
export type AcmePolicyPlan = readonly (readonly (readonly string[])[])[];

/** IAM's size limit for a customer managed policy (characters, whitespace not counted). */
const MANAGED_POLICY_MAX_CHARS = 6144;
/** IAM's limit for all of a role's inline policies together, and what the role's own policy
 * (instance-policy.ts) may take of it at most (a test holds it to that). */
const INLINE_POLICIES_MAX_CHARS = 10_240;
export const ROLE_OWN_POLICY_MAX_CHARS = 2048;
/** Managed policies a role may have by default (10), less two left to the operator (e.g. an agent's). */
export const MAX_ACME_POLICIES = 8;
/** Longest Route53 zone id, for sizing policies before the ids are known. */
const ZONE_ID_MAX = `Z${"X".repeat(31)}`;

function acmeChallengeStatement(partition: string, zones: readonly AcmeZone[], n: number): PolicyStatement {
  return {
    Sid: `AcmeChallenge${n}`,
    Effect: "Allow",
    Action: ["route53:ChangeResourceRecordSets"],
    Resource: zones.map((z) => `arn:${partition}:route53:::hostedzone/${z.zoneId}`),
    Condition: {
      "ForAllValues:StringEquals": {
        "route53:ChangeResourceRecordSetsNormalizedRecordNames": zones.flatMap((z) => z.names.map((name) => `_acme-challenge.${name}`)),
        "route53:ChangeResourceRecordSetsRecordTypes": ["TXT"],
        "route53:ChangeResourceRecordSetsActions": ["UPSERT", "DELETE"],
      },
    },
  };
}

/** One managed policy: a statement per group of zones. */
export function acmeChallengePolicy(partition: string, statements: readonly (readonly AcmeZone[])[]): PolicyDocument {
  return { Version: "2012-10-17", Statement: statements.map((zones, i) => acmeChallengeStatement(partition, zones, i + 1)) };
}

/** a is b, or a zone above it: then a accepts b's names, and they may not share a statement. */
const nested = (a: string, b: string) => a === b || b.endsWith(`.${a}`) || a.endsWith(`.${b}`);

/**
 * Pack the zones into statements and the statements into managed policies that fit IAM's size
 * limit, in order. Decided from names alone (with the longest possible zone id), so the number
 * of policies is known before any zone exists; throws, naming the fix, when the role cannot hold
 * them (the program calls this before it creates any resource).
 */
export function planAcmePolicies(zones: ReadonlyArray<{ domain: string; names: readonly string[] }>, partition = "aws"): AcmePolicyPlan {
  const sized = (statements: readonly (readonly AcmeZone[])[]) => JSON.stringify(acmeChallengePolicy(partition, statements)).length;
  const budget = (policy: number) => (policy === 0 ? INLINE_POLICIES_MAX_CHARS - ROLE_OWN_POLICY_MAX_CHARS : MANAGED_POLICY_MAX_CHARS);
  const policies: AcmeZone[][][] = [];
  let current: AcmeZone[][] = [];
  for (const z of zones) {
    const zone: AcmeZone = { domain: z.domain, zoneId: ZONE_ID_MAX, names: z.names };
    const fits = (statements: AcmeZone[][]) => sized(statements) <= budget(policies.length);
    const at = current.findIndex((st) => !st.some((other) => nested(other.domain, z.domain)));
    const joined = at >= 0 ? current.map((st, i) => (i === at ? [...st, zone] : st)) : undefined;
    if (joined && fits(joined)) current = joined;
    else if (fits([...current, [zone]])) current = [...current, [zone]];
    else {
      if (current.length === 0) throw new Error(`the ACME challenge policy for ${z.domain} alone exceeds IAM's ${MANAGED_POLICY_MAX_CHARS}-character limit`);
      policies.push(current);
      current = [[zone]];
    }
  }
  if (current.length > 0) policies.push(current);
  if (policies.length - 1 > MAX_ACME_POLICIES) {
    throw new Error(`mailfort:domains: the ACME challenge permissions for ${zones.length} zones need ${policies.length - 1} managed policies besides the inline one, over the ${MAX_ACME_POLICIES} this role may hold (IAM's default of 10 less two left to the operator): shorter domain names fit more, or split the domains over two stacks`);
  }
  return policies.map((statements) => statements.map((st) => st.map((zone) => zone.domain)));
}
