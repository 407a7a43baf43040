// The instance role's inline policy as a plain IAM document, built from resolved ARNs. Pure, so
// the policy pack and tests can read exactly what the instance may do.
import { HOST_METRICS_NAMESPACE } from "../core/host-metrics";

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

/** The role's own inline policy: parameters, key, and (ACME modes) the zone-independent
 * Route53 reads. The per-zone challenge statements live in acme-policies.ts. */
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
      Sid: "ReadHostBundle",
      Effect: "Allow",
      // The host-file installer reads the bundle's parts by name before anything else runs
      // (configs/bin/mailfort-host-files): public String parameters under the bundle's own path,
      // no decryption, so it needs neither the whole tree nor the key.
      Action: ["ssm:GetParameters"],
      Resource: `arn:${p.partition}:ssm:${p.region}:${p.accountId}:parameter${stackParameterPath(p.stack)}/host/bundle/*`,
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
