// Least privilege both ways, as a specification: every call allowed (a denied one names itself),
// every grant used (or declared needed only on AWS, with its reason, by policy or action
// pattern), no verdict without calls; and the instance role's real documents judged against the
// calls its host makes: each grant has its call, a missing permission and an over-broad one show.
import { describe, expect, it } from "vitest";
import { acmeChallengePolicy } from "../../infra/aws/acme-policies";
import { instancePolicy } from "../../infra/aws/instance-policy";
import type { IamRequest, IamStatement, NamedPolicy } from "../../lab/aws/iam/evaluate";
import { describeVerdict, grantsOf, judgeRoleUse } from "../../lab/aws/iam/least-privilege";
import { AWS_ONLY_GRANTS } from "../../lab/aws/checks/least-privilege";

const doc = (name: string, ...Statement: IamStatement[]): NamedPolicy => ({ name, document: { Statement } });
const req = (action: string, resource = "*", context: IamRequest["context"] = {}): IamRequest => ({ action, resource, context });

describe("judgeRoleUse", () => {
  const policies = [doc("p", { Effect: "Allow", Action: ["ssm:GetParametersByPath"], Resource: "arn:aws:ssm:r:1:parameter/mailfort/lab" }, { Effect: "Allow", Action: ["s3:GetObject"], Resource: "*" })];

  it("passes when every call is allowed and every grant was used", () => {
    const v = judgeRoleUse(policies.map((p) => ({ ...p, document: { Statement: [(p.document.Statement as IamStatement[])[0]!] } })), [req("ssm:GetParametersByPath", "arn:aws:ssm:r:1:parameter/mailfort/lab")], {});
    expect(v).toMatchObject({ ok: true, calls: 1, denied: [], unused: [] });
  });

  it("names a call the policies do not allow", () => {
    const v = judgeRoleUse(policies, [req("ssm:GetParametersByPath", "arn:aws:ssm:r:1:parameter/mailfort/other")], {});
    expect(v.ok).toBe(false);
    expect(v.denied).toEqual([{ request: expect.objectContaining({ resource: "arn:aws:ssm:r:1:parameter/mailfort/other" }), reason: "implicit-deny" }]);
    expect(describeVerdict(v)).toMatch(/DENIED \(implicit-deny\): ssm:GetParametersByPath on arn:aws:ssm:r:1:parameter\/mailfort\/other/);
  });

  it("names a grant no call used, unless it is declared needed only on AWS (by action pattern or policy name)", () => {
    const calls = [req("ssm:GetParametersByPath", "arn:aws:ssm:r:1:parameter/mailfort/lab")];
    expect(judgeRoleUse(policies, calls, {}).unused.map((g) => g.action)).toEqual(["s3:GetObject"]);
    const byAction = judgeRoleUse(policies, calls, { "s3:Get*": "backups, only on AWS" });
    expect(byAction).toMatchObject({ ok: true, unused: [], awsOnly: [expect.objectContaining({ action: "s3:GetObject", reason: "backups, only on AWS" })] });
    expect(judgeRoleUse(policies, calls, { p: "the whole policy" }).ok).toBe(true);
    expect(describeVerdict(byAction)).toMatch(/needed only on AWS: p: backups, only on AWS/);
  });

  it("a grant used by one action of a wildcard counts as used; a call matched by a different statement does not use this one", () => {
    const wide = [doc("w", { Effect: "Allow", Action: ["route53:Get*"], Resource: "*" }, { Effect: "Allow", Action: ["route53:GetChange"], Resource: "arn:aws:route53:::change/*" })];
    const v = judgeRoleUse(wide, [req("route53:GetHostedZone", "arn:aws:route53:::hostedzone/Z1")], {});
    expect(v.unused).toEqual([expect.objectContaining({ action: "route53:GetChange", index: 1 })]);
  });

  it("proves nothing without calls: no calls is not a pass", () => {
    expect(judgeRoleUse(policies, [], { "*": "all" })).toMatchObject({ ok: false, calls: 0 });
    expect(describeVerdict(judgeRoleUse(policies, [], {}))).toMatch(/no host call was recorded/);
  });

  it("an explicit Deny makes an otherwise allowed call denied", () => {
    const withDeny = [...policies, doc("d", { Effect: "Deny", Action: ["ssm:*"], Resource: "*" })];
    expect(judgeRoleUse(withDeny, [req("ssm:GetParametersByPath", "arn:aws:ssm:r:1:parameter/mailfort/lab")], {}).denied[0]?.reason).toBe("explicit-deny");
  });

  it("lists Allow grants only, one per action", () => {
    expect(grantsOf([doc("g", { Effect: "Allow", Action: ["a:X", "a:Y"], Resource: "*" }, { Effect: "Deny", Action: "a:Z", Resource: "*" })]).map((g) => g.action)).toEqual(["a:X", "a:Y"]);
  });
});

describe("the instance role's own documents against the calls its host makes", () => {
  const base = { partition: "aws", region: "eu-west-1", accountId: "123456789012", stack: "lab", parametersKeyArn: "arn:aws:kms:eu-west-1:123456789012:key/k1" };
  const role = [
    { name: "inline", document: instancePolicy({ ...base, acme: true }) as unknown as NamedPolicy["document"] },
    { name: "acme", document: acmeChallengePolicy("aws", [[{ domain: "mailfort.test", zoneId: "Z1", names: ["mail.mailfort.test"] }]]) as unknown as NamedPolicy["document"] },
  ];
  const challenge = (name: string) => req("route53:ChangeResourceRecordSets", "arn:aws:route53:::hostedzone/Z1", {
    "route53:ChangeResourceRecordSetsNormalizedRecordNames": [name], "route53:ChangeResourceRecordSetsRecordTypes": ["TXT"], "route53:ChangeResourceRecordSetsActions": ["UPSERT"],
  });
  const hostCalls = [
    req("ssm:GetParametersByPath", "arn:aws:ssm:eu-west-1:123456789012:parameter/mailfort/lab"),
    // The host-file installer reads the bundle's parts by name.
    req("ssm:GetParameters", "arn:aws:ssm:eu-west-1:123456789012:parameter/mailfort/lab/host/bundle/000"),
    req("kms:Decrypt", base.parametersKeyArn, { "kms:ViaService": "ssm.eu-west-1.amazonaws.com" }),
    req("cloudwatch:PutMetricData", "*", { "cloudwatch:namespace": "mailfort" }),
    req("route53:ListHostedZones"),
    req("route53:GetChange", "arn:aws:route53:::change/C1"),
    challenge("_acme-challenge.mail.mailfort.test"),
  ];

  it("allows every call and uses every grant but Session Manager's, which only an SSM agent on AWS exercises", () => {
    const v = judgeRoleUse(role, hostCalls, AWS_ONLY_GRANTS);
    expect(v.denied).toEqual([]);
    expect(v.unused).toEqual([]);
    expect(v.ok).toBe(true);
    expect([...new Set(v.awsOnly.map((g) => g.action))].sort()).toEqual(["ssm:UpdateInstanceInformation", "ssmmessages:CreateControlChannel", "ssmmessages:CreateDataChannel", "ssmmessages:OpenControlChannel", "ssmmessages:OpenDataChannel"]);
  });

  it("denies a challenge record outside the certificate's names, another namespace's metrics, a direct decrypt and a by-name read outside the bundle", () => {
    const v = judgeRoleUse(role, [...hostCalls, challenge("_acme-challenge.www.mailfort.test"), req("cloudwatch:PutMetricData", "*", { "cloudwatch:namespace": "AWS/EC2" }), req("kms:Decrypt", base.parametersKeyArn), req("ssm:GetParameters", "arn:aws:ssm:eu-west-1:123456789012:parameter/mailfort/lab/dkim/mailfort.test/s1")], AWS_ONLY_GRANTS);
    expect(v.denied.map((d) => d.request.action)).toEqual(["route53:ChangeResourceRecordSets", "cloudwatch:PutMetricData", "kms:Decrypt", "ssm:GetParameters"]);
  });

  it("reports the read permission as unused when the host never fetched (a shortcut took its place)", () => {
    const v = judgeRoleUse(role, hostCalls.filter((c) => !c.action.startsWith("ssm:") && !c.action.startsWith("kms:")), AWS_ONLY_GRANTS);
    expect(v.unused.map((g) => g.action).sort()).toEqual(["kms:Decrypt", "ssm:GetParameters", "ssm:GetParametersByPath"]);
  });
});
