// The lab's IAM evaluator, as a specification: AWS's evaluation order, wildcards, and the
// condition operators the instance role uses, including IAM's traps (ForAllValues with no value,
// negated operators over several values, GetParametersByPath judged by its path).
import { describe, expect, it } from "vitest";
import { type IamStatement, type NamedPolicy, conditionHolds, evaluate, wildcardMatch } from "../../lab/aws/iam/evaluate";
import { iamRequests, normalizedRecordName } from "../../lab/aws/iam/requests";
import { acmeChallengePolicy } from "../../infra/aws/acme-policies";
import { instancePolicy } from "../../infra/aws/instance-policy";

const doc = (...Statement: IamStatement[]): NamedPolicy => ({ name: "p", document: { Statement } });
const ssmParams = (resource: string | string[]) => doc({ Effect: "Allow", Action: ["ssm:GetParametersByPath"], Resource: resource });

describe("wildcards", () => {
  it("* spans any run, ? one character, everything else is literal", () => {
    expect(wildcardMatch("arn:aws:ssm:*:*:parameter/a/*", "arn:aws:ssm:eu-west-1:1:parameter/a/b/c")).toBe(true);
    expect(wildcardMatch("arn:aws:ssm:*:*:parameter/a/*", "arn:aws:ssm:eu-west-1:1:parameter/a")).toBe(false);
    expect(wildcardMatch("a?c", "abc")).toBe(true);
    expect(wildcardMatch("a?c", "ac")).toBe(false);
    expect(wildcardMatch("a.c", "abc")).toBe(false);
  });
});

describe("evaluation order", () => {
  const req = { action: "ssm:GetParametersByPath", resource: "arn:aws:ssm:r:1:parameter/x", context: {} };
  it("nothing matching is an implicit deny", () => {
    expect(evaluate([ssmParams("arn:aws:ssm:r:1:parameter/y")], req)).toMatchObject({ allowed: false, reason: "implicit-deny" });
  });
  it("an explicit Deny wins over any Allow", () => {
    const deny = doc({ Effect: "Deny", Action: "ssm:*", Resource: "*" });
    expect(evaluate([ssmParams("*"), deny], req)).toMatchObject({ allowed: false, reason: "explicit-deny" });
  });
  it("actions match case-insensitively, resources case-sensitively", () => {
    expect(evaluate([doc({ Effect: "Allow", Action: "SSM:getparametersbypath", Resource: "*" })], req).allowed).toBe(true);
    expect(evaluate([ssmParams("arn:aws:ssm:r:1:parameter/X")], req).allowed).toBe(false);
  });
  it("NotAction allows everything but the listed actions", () => {
    const p = doc({ Effect: "Allow", NotAction: "ssm:Put*", Resource: "*" });
    expect(evaluate([p], req).allowed).toBe(true);
    expect(evaluate([p], { ...req, action: "ssm:PutParameter" }).allowed).toBe(false);
  });
});

describe("conditions", () => {
  it("ForAllValues holds when the key is absent (IAM's trap), and needs every value to match otherwise", () => {
    expect(conditionHolds("ForAllValues:StringEquals", "k", ["a"], {})).toBe(true);
    expect(conditionHolds("ForAllValues:StringEquals", "k", ["a", "b"], { k: ["a", "b"] })).toBe(true);
    expect(conditionHolds("ForAllValues:StringEquals", "k", ["a"], { k: ["a", "c"] })).toBe(false);
  });
  it("ForAnyValue needs the key and one matching value", () => {
    expect(conditionHolds("ForAnyValue:StringEquals", "k", ["a"], {})).toBe(false);
    expect(conditionHolds("ForAnyValue:StringEquals", "k", ["a"], { k: ["c", "a"] })).toBe(true);
  });
  it("a plain operator fails on a missing key unless IfExists; keys are case-insensitive", () => {
    expect(conditionHolds("StringEquals", "kms:ViaService", "ssm.r.amazonaws.com", {})).toBe(false);
    expect(conditionHolds("StringEqualsIfExists", "kms:ViaService", "x", {})).toBe(true);
    expect(conditionHolds("StringEquals", "KMS:viaservice", "ssm.r.amazonaws.com", { "kms:ViaService": "ssm.r.amazonaws.com" })).toBe(true);
  });
  it("a negated operator holds only when the value matches none of the listed ones", () => {
    expect(conditionHolds("StringNotEquals", "k", ["a", "b"], { k: "b" })).toBe(false);
    expect(conditionHolds("StringNotEquals", "k", ["a", "b"], { k: "c" })).toBe(true);
  });
  it("refuses an operator it does not know rather than guessing", () => {
    expect(() => conditionHolds("NumericLessThan", "k", "1", { k: "0" })).toThrow(/not supported/);
    expect(() => conditionHolds("StringEquals", "k", "a", { k: ["a", "b"] })).toThrow(/single-valued/);
  });
});

const view = { partition: "aws", account: "123456789012", toSynthId: { EMUZONE: "ZSYNTH" }, parameterKeys: { "/mailfort/lab/tls/key": "arn:aws:kms:eu-west-1:123456789012:key/k1" } };
const byPath = { time: 0, source: "10.77.0.10", service: "ssm", region: "eu-west-1", accessKeyId: "ASIA1", action: "GetParametersByPath", status: 200,
  params: { Path: "/mailfort/lab", Recursive: true, WithDecryption: true }, returned: [{ name: "/mailfort/lab/tls/key", type: "SecureString" }, { name: "/mailfort/lab/tls/ca", type: "String" }] };

describe("logged calls as IAM requests", () => {
  it("GetParametersByPath is judged by its path, and a decrypted SecureString implies kms:Decrypt via SSM", () => {
    expect(iamRequests(byPath, view)).toEqual([
      { action: "ssm:GetParametersByPath", resource: "arn:aws:ssm:eu-west-1:123456789012:parameter/mailfort/lab", context: {} },
      { action: "kms:Decrypt", resource: "arn:aws:kms:eu-west-1:123456789012:key/k1",
        context: { "kms:ViaService": "ssm.eu-west-1.amazonaws.com", "kms:CallerAccount": "123456789012", "kms:EncryptionContext:PARAMETER_ARN": "arn:aws:ssm:eu-west-1:123456789012:parameter/mailfort/lab/tls/key" } },
    ]);
  });
  it("a Route53 change carries its normalized names, types and actions, in the synthesized zone", () => {
    const [r] = iamRequests({ ...byPath, service: "route53", region: "us-east-1", action: "ChangeResourceRecordSets", returned: undefined,
      params: { hostedZoneId: "EMUZONE", changes: [{ action: "UPSERT", name: "_acme-challenge.Mail.mailfort.test.", type: "TXT" }] } }, view);
    expect(r).toEqual({ action: "route53:ChangeResourceRecordSets", resource: "arn:aws:route53:::hostedzone/ZSYNTH", context: {
      "route53:ChangeResourceRecordSetsNormalizedRecordNames": ["_acme-challenge.mail.mailfort.test"],
      "route53:ChangeResourceRecordSetsRecordTypes": ["TXT"], "route53:ChangeResourceRecordSetsActions": ["UPSERT"] } });
    expect(normalizedRecordName("\\052._domainkey.x.test.")).toBe("*._domainkey.x.test");
  });
});

describe("mailfort's own instance policy, judged", () => {
  const input = { partition: "aws", region: "eu-west-1", accountId: "123456789012", stack: "lab", parametersKeyArn: "arn:aws:kms:eu-west-1:123456789012:key/k1", acme: true };
  const policies: NamedPolicy[] = [
    { name: "inline", document: instancePolicy(input) },
    { name: "acme", document: acmeChallengePolicy("aws", [[{ domain: "mailfort.test", zoneId: "ZSYNTH", names: ["mail.mailfort.test"] }]]) },
  ];
  it("allows the host's own secret read and its decryption, and nothing of another stack", () => {
    for (const r of iamRequests(byPath, view)) expect(evaluate(policies, r), r.action).toMatchObject({ allowed: true });
    const other = iamRequests({ ...byPath, params: { ...byPath.params, Path: "/mailfort/prod" }, returned: [] }, view);
    expect(evaluate(policies, other[0]!).allowed).toBe(false);
  });
  it("allows the challenge TXT of a certificate name, not another name, type or action", () => {
    const change = (name: string, type = "TXT", action = "UPSERT") => iamRequests({ ...byPath, service: "route53", action: "ChangeResourceRecordSets", returned: undefined,
      params: { hostedZoneId: "EMUZONE", changes: [{ action, name, type }] } }, view)[0]!;
    expect(evaluate(policies, change("_acme-challenge.mail.mailfort.test.")).allowed).toBe(true);
    expect(evaluate(policies, change("mail.mailfort.test.")).allowed).toBe(false);
    expect(evaluate(policies, change("_acme-challenge.mail.mailfort.test.", "A")).allowed).toBe(false);
    expect(evaluate(policies, change("_acme-challenge.mail.mailfort.test.", "TXT", "CREATE")).allowed).toBe(false);
  });
});
