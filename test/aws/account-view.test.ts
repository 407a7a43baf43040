// The account the least-privilege check judges the host's calls in (lab/aws/policies.ts): a DKIM
// rotation puts new SecureStrings (the next generation's keys) into the lab's SSM after the stack
// was loaded; the host's decrypted reads of them must be judged against their key, not refused
// as parameters the account never held (a full lab run, 2026-12-03, failed aws-iam-calls-allowed so).
import { describe, expect, it } from "vitest";
import type { EmulatorPlan, PlannedParameter } from "../../lab/aws/plan";
import { type LoggedCall, iamRequests } from "../../lab/aws/iam/requests";
import { accountView, withParameters } from "../../lab/aws/policies";

const KEY = "arn:aws:kms:eu-west-1:123456789012:key/1111";
const secure = (name: string): PlannedParameter => ({ name, type: "SecureString", value: "k", keyRef: KEY, tier: "Standard" });
const loaded = secure("/mailfort/lab/dkim/mailfort.test/mail");
const rotated = secure("/mailfort/lab/dkim/mailfort.test/mail-g1");
const aws = { plan: { parameters: [loaded] } as unknown as EmulatorPlan, applied: { ids: {} } as never };

const read: LoggedCall = {
  time: 0, source: "10.77.0.10", service: "ssm", region: "eu-west-1", accessKeyId: "ASIA", status: 200,
  action: "GetParametersByPath", params: { Path: "/mailfort/lab", WithDecryption: true },
  returned: [{ name: loaded.name, type: "SecureString" }, { name: rotated.name, type: "SecureString" }],
};

describe("the account view after a DKIM rotation", () => {
  it("refuses to judge a decrypted parameter the account never held", () => {
    expect(() => iamRequests(read, accountView(aws))).toThrow(/mail-g1 was returned but the plan has no key for it/);
  });

  it("judges the rotation's parameters by their key, and keeps the stack's own", () => {
    const view = accountView(withParameters(aws, [rotated, { ...loaded, keyRef: "arn:other" }]));
    const decrypts = iamRequests(read, view).filter((r) => r.action === "kms:Decrypt");
    expect(decrypts.map((r) => [r.resource, r.context["kms:EncryptionContext:PARAMETER_ARN"]])).toEqual([
      [KEY, `arn:aws:ssm:eu-west-1:${view.account}:parameter${loaded.name}`],
      [KEY, `arn:aws:ssm:eu-west-1:${view.account}:parameter${rotated.name}`],
    ]);
  });
});
