// Least privilege, both ways, over the host's own calls in the request log: aws-iam-calls-allowed
// (every call the host made is allowed by the synthesized policies, and the emulator refused none)
// and aws-iam-grants-used (every grant was used by some call, or is written down below as needed
// only on AWS, with the reason).
import type { CheckResult } from "../../../verify/contract";
import type { NamedPolicy } from "../iam/evaluate";
import { type AwsOnlyGrants, describeVerdict, judgeRoleUse } from "../iam/least-privilege";
import { type AccountView, iamRequests } from "../iam/requests";
import type { RequestLogCall } from "../logs";

const NO_AGENT = "Session Manager (the SSM agent opens these for an admin session); neither the lab image nor Debian's EC2 image holds the agent (docs/known-limits.md)";

/** Grants the lab cannot exercise, with why the role has them. */
export const AWS_ONLY_GRANTS: AwsOnlyGrants = {
  "ssmmessages:*": NO_AGENT,
  "ssm:UpdateInstanceInformation": NO_AGENT,
};

export const CALLS_ALLOWED_CHECK = { id: "aws-iam-calls-allowed", title: "every AWS call the host made is allowed by the synthesized instance-role policies (none refused)" } as const;
export const GRANTS_USED_CHECK = { id: "aws-iam-grants-used", title: "every permission the instance role grants was used by the host, or is needed only on AWS (with the reason)" } as const;

export function leastPrivilege(policies: readonly NamedPolicy[], hostCalls: readonly RequestLogCall[], view: AccountView): CheckResult[] {
  const requests = hostCalls.flatMap((c) => iamRequests(c, view));
  const verdict = judgeRoleUse(policies, requests, AWS_ONLY_GRANTS);
  const refused = hostCalls.filter((c) => c.status === 403 || /AccessDenied|NotAuthorized/.test(c.error ?? ""));
  const refusedText = refused.map((c) => `REFUSED by the emulator: ${c.service}:${c.action} (HTTP ${c.status})`);
  const detail = describeVerdict(verdict);
  return [
    { ...CALLS_ALLOWED_CHECK, status: verdict.calls > 0 && verdict.denied.length === 0 && refused.length === 0 ? "pass" : "fail", detail: [detail, ...refusedText].join("; "), seconds: 0 },
    { ...GRANTS_USED_CHECK, status: verdict.calls > 0 && verdict.unused.length === 0 ? "pass" : "fail", detail, seconds: 0 },
  ];
}
