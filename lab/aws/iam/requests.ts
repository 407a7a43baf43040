// The emulator's request log (emulator/request_log.py) as IAM requests: each logged AWS call
// becomes the action, resource ARN and condition keys AWS authorizes it by, in the synthesized
// stack's id space (the emulator's zone ids mapped back), so the synthesized policy documents
// judge them as they are. A decrypted SecureString read also implies the kms:Decrypt that SSM
// makes on the caller's behalf (moto does not call KMS): it is added with kms:ViaService.
import type { IamRequest } from "./evaluate";

export interface LoggedCall {
  readonly time: number;
  readonly source: string;
  readonly service: string | null;
  readonly region: string | null;
  readonly accessKeyId: string | null;
  readonly action: string;
  readonly params: Readonly<Record<string, unknown>>;
  readonly status: number;
  readonly returned?: ReadonlyArray<{ name: string; type: string }>;
}

export interface AccountView {
  readonly partition: string;
  readonly account: string;
  /** Emulator id -> synthesized id (hosted zones). */
  readonly toSynthId: Readonly<Record<string, string>>;
  /** SSM parameter name -> the synthesized KMS key ARN of its SecureString. */
  readonly parameterKeys: Readonly<Record<string, string>>;
}

/** Route53 names as its condition keys see them: lower case, no trailing dot. */
export function normalizedRecordName(name: string): string {
  return name.replace(/\.$/, "").toLowerCase().replace(/\\052/g, "*");
}

export function iamRequests(call: LoggedCall, view: AccountView): IamRequest[] {
  const { partition: p, account } = view;
  const region = call.region ?? "";
  const action = `${call.service === "monitoring" ? "cloudwatch" : (call.service ?? "unknown")}:${call.action}`;
  const param = (name: string) => `arn:${p}:ssm:${region}:${account}:parameter${name.startsWith("/") ? name : `/${name}`}`;
  const zone = (id: string) => `arn:${p}:route53:::hostedzone/${view.toSynthId[id] ?? id}`;
  const decrypts = (): IamRequest[] => {
    if (call.params.WithDecryption !== true) return [];
    return (call.returned ?? []).filter((r) => r.type === "SecureString").map((r) => {
      const key = view.parameterKeys[r.name];
      if (key === undefined) throw new Error(`request log: SecureString ${r.name} was returned but the plan has no key for it`);
      return { action: "kms:Decrypt", resource: key, context: { "kms:ViaService": `ssm.${region}.amazonaws.com`, "kms:CallerAccount": account, "kms:EncryptionContext:PARAMETER_ARN": param(r.name) } };
    });
  };
  switch (action) {
    case "ssm:GetParametersByPath":
      // Authorized against the path in the request, not the parameters returned (SSM's documented model).
      return [{ action, resource: param(String(call.params.Path)), context: {} }, ...decrypts()];
    case "ssm:GetParameter":
      return [{ action, resource: param(String(call.params.Name)), context: {} }, ...decrypts()];
    case "ssm:GetParameters":
      return [...(call.params.Names as string[]).map((n) => ({ action, resource: param(n), context: {} })), ...decrypts()];
    case "route53:ChangeResourceRecordSets": {
      const changes = call.params.changes as ReadonlyArray<{ action: string; name: string; type: string }>;
      return [{
        action, resource: zone(String(call.params.hostedZoneId)),
        context: {
          "route53:ChangeResourceRecordSetsNormalizedRecordNames": [...new Set(changes.map((c) => normalizedRecordName(c.name)))],
          "route53:ChangeResourceRecordSetsRecordTypes": [...new Set(changes.map((c) => c.type))],
          "route53:ChangeResourceRecordSetsActions": [...new Set(changes.map((c) => c.action))],
        },
      }];
    }
    case "route53:ListResourceRecordSets":
    case "route53:GetHostedZone":
      return [{ action, resource: zone(String(call.params.hostedZoneId)), context: {} }];
    case "route53:GetChange":
      return [{ action, resource: `arn:${p}:route53:::change/${String(call.params.changeId)}`, context: {} }];
    case "cloudwatch:PutMetricData":
      return [{ action, resource: "*", context: { "cloudwatch:namespace": String(call.params.Namespace) } }];
    default:
      // Actions without resource-level permissions (ListHostedZones, GetCallerIdentity, ...).
      return [{ action, resource: "*", context: {} }];
  }
}
