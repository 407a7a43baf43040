// The instance role's inline policy as a plain IAM document, built from resolved ARNs. Pure, so
// the policy pack and tests can read exactly what the instance may do.
import { HOST_METRICS_NAMESPACE } from "../core/host-metrics";

export interface AcmeZone {
  /** Route53 hosted zone id (without the /hostedzone/ prefix). */
  readonly zoneId: string;
  /** Names the host requests certificates for that live in this zone (no trailing dot). */
  readonly names: readonly string[];
}

export interface InstancePolicyInput {
  readonly partition: string;
  readonly region: string;
  readonly accountId: string;
  readonly stack: string;
  /** The stack's KMS key that encrypts its SecureString parameters. */
  readonly parametersKeyArn: string;
  /** Whether the host runs certbot (tls.mode acme or acme-staging). */
  readonly acme: boolean;
}

export interface PolicyStatement {
  readonly Sid: string;
  readonly Effect: "Allow";
  readonly Action: readonly string[];
  readonly Resource: string | readonly string[];
  readonly Condition?: Record<string, Record<string, string | readonly string[]>>;
}

export interface PolicyDocument {
  readonly Version: "2012-10-17";
  readonly Statement: readonly PolicyStatement[];
}

/** The SSM path the host reads its tree from (mailfort-secrets fetch). */
export function stackParameterPath(stack: string): string {
  return `/mailfort/${stack}`;
}

/** The DNS-01 challenge name of a certificate name. */
function acmeChallengeName(name: string): string {
  return `_acme-challenge.${name}`;
}

/** The role's own inline policy: parameters, key, and (ACME modes) the zone-independent
 * Route53 reads. The per-zone challenge statements live in acmeChallengePolicies. */
export function instancePolicy(p: InstancePolicyInput): PolicyDocument {
  const statements: PolicyStatement[] = [
    {
      Sid: "ReadOwnStackParameters",
      Effect: "Allow",
      // The host reads its whole tree with one recursive GetParametersByPath, which SSM
      // authorizes against the path in the request (not the parameters returned): the
      // resource is the path itself; `/*` below it would match nothing the host asks for.
      Action: ["ssm:GetParametersByPath"],
      Resource: `arn:${p.partition}:ssm:${p.region}:${p.accountId}:parameter${stackParameterPath(p.stack)}`,
    },
    {
      Sid: "DecryptOwnStackParameters",
      Effect: "Allow",
      Action: ["kms:Decrypt"],
      Resource: p.parametersKeyArn,
      // Only as part of an SSM call: the key cannot be used to decrypt anything else directly.
      Condition: { StringEquals: { "kms:ViaService": `ssm.${p.region}.amazonaws.com` } },
    },
    {
      Sid: "PublishHostMetrics",
      Effect: "Allow",
      // PutMetricData has no resource-level permissions; the namespace condition keeps the
      // host to its own metrics (configs/bin/mailfort-metrics).
      Action: ["cloudwatch:PutMetricData"],
      Resource: "*",
      Condition: { StringEquals: { "cloudwatch:namespace": HOST_METRICS_NAMESPACE } },
    },
    {
      Sid: "SessionManagerChannels",
      Effect: "Allow",
      // Admin access is SSM Session Manager (no SSH): the agent's channels. These actions have
      // no resource-level permissions. They replace AmazonSSMManagedInstanceCore, which also
      // granted ssm:GetParameter(s) on every parameter of the account (other stacks' included).
      Action: ["ssmmessages:CreateControlChannel", "ssmmessages:CreateDataChannel", "ssmmessages:OpenControlChannel", "ssmmessages:OpenDataChannel"],
      Resource: "*",
    },
    {
      Sid: "SessionManagerRegister",
      Effect: "Allow",
      // The agent registers the instance it runs on; its id is not known before it exists.
      Action: ["ssm:UpdateInstanceInformation"],
      Resource: `arn:${p.partition}:ec2:${p.region}:${p.accountId}:instance/*`,
    },
  ];
  if (p.acme) {
    statements.push(
      {
        Sid: "AcmeWaitForChange",
        Effect: "Allow",
        Action: ["route53:GetChange"],
        // Change ids are minted per request; they cannot be known in advance.
        Resource: `arn:${p.partition}:route53:::change/*`,
      },
      {
        Sid: "AcmeFindZone",
        Effect: "Allow",
        // certbot-dns-route53 lists zones to find the one holding each name. ListHostedZones
        // has no resource-level permissions in IAM: "*" is the only resource it accepts, and it
        // reveals zone names and ids only, never records.
        Action: ["route53:ListHostedZones"],
        Resource: "*",
      },
    );
  }
  return { Version: "2012-10-17", Statement: statements };
}

/** One statement per zone: change only TXT records named _acme-challenge.<cert name> there. */
function acmeChallengeStatement(partition: string, zone: AcmeZone): PolicyStatement {
  return {
    Sid: `AcmeChallenge${zone.zoneId}`,
    Effect: "Allow",
    Action: ["route53:ChangeResourceRecordSets"],
    Resource: `arn:${partition}:route53:::hostedzone/${zone.zoneId}`,
    Condition: {
      "ForAllValues:StringEquals": {
        "route53:ChangeResourceRecordSetsNormalizedRecordNames": zone.names.map(acmeChallengeName),
        "route53:ChangeResourceRecordSetsRecordTypes": ["TXT"],
        "route53:ChangeResourceRecordSetsActions": ["UPSERT", "DELETE"],
      },
    },
  };
}

export function acmeChallengePolicy(partition: string, zones: readonly AcmeZone[]): PolicyDocument {
  return { Version: "2012-10-17", Statement: zones.map((z) => acmeChallengeStatement(partition, z)) };
}

/** IAM's size limit for a customer managed policy (characters, whitespace not counted). */
const MANAGED_POLICY_MAX_CHARS = 6144;
/** Managed policies a role may have by default (10), less two left to the operator (e.g. an agent's). */
export const MAX_ACME_POLICIES = 8;
/** Longest Route53 zone id, for sizing policies before the ids are known. */
const ZONE_ID_MAX = `Z${"X".repeat(31)}`;

/** Split zones into groups whose challenge policy fits one managed policy. Decided from names
 * alone (with the longest possible zone id), so the number of policies is known up front. */
export function planAcmePolicies(zones: ReadonlyArray<{ domain: string; names: readonly string[] }>, partition = "aws"): string[][] {
  const groups: string[][] = [];
  let current: Array<{ zoneId: string; names: readonly string[] }> = [];
  let domains: string[] = [];
  for (const z of zones) {
    const candidate = [...current, { zoneId: ZONE_ID_MAX, names: z.names }];
    if (JSON.stringify(acmeChallengePolicy(partition, candidate)).length > MANAGED_POLICY_MAX_CHARS) {
      if (current.length === 0) throw new Error(`the ACME challenge policy for ${z.domain} alone exceeds IAM's ${MANAGED_POLICY_MAX_CHARS}-character limit`);
      groups.push(domains);
      current = [{ zoneId: ZONE_ID_MAX, names: z.names }];
      domains = [z.domain];
    } else {
      current = candidate;
      domains.push(z.domain);
    }
  }
  if (domains.length > 0) groups.push(domains);
  if (groups.length > MAX_ACME_POLICIES) {
    throw new Error(`mailfort:domains: ${zones.length} zones need ${groups.length} ACME policies, over IAM's default of ${MAX_ACME_POLICIES} for this role: split the domains over two stacks`);
  }
  return groups;
}
