// The instance role's documents as plain data, and the port lists the firewall is built from.
import { describe, expect, it } from "vitest";
import { MAX_ACME_POLICIES, acmeChallengePolicy, instancePolicy, planAcmePolicies } from "../../infra/aws/instance-policy";
import { certificateNames } from "../../infra/core/certificate-names";
import { egressRules, inboundPorts } from "../../infra/core/ports";

const base = { partition: "aws", region: "eu-west-1", accountId: "111122223333", stack: "prod", parametersKeyArn: "arn:aws:kms:eu-west-1:111122223333:key/k" };

describe("instancePolicy", () => {
  it("reads only the stack's parameters and decrypts only with its key, through SSM", () => {
    const doc = instancePolicy({ ...base, acme: false });
    expect(doc.Statement).toEqual([
      expect.objectContaining({ Action: ["ssm:GetParameter", "ssm:GetParameters", "ssm:GetParametersByPath"], Resource: "arn:aws:ssm:eu-west-1:111122223333:parameter/mailfort/prod/*" }),
      expect.objectContaining({ Action: ["kms:Decrypt"], Resource: base.parametersKeyArn, Condition: { StringEquals: { "kms:ViaService": "ssm.eu-west-1.amazonaws.com" } } }),
    ]);
  });

  it("adds GetChange on change/* and ListHostedZones on * (no resource-level permission) only for ACME", () => {
    const doc = instancePolicy({ ...base, acme: true });
    const wild = doc.Statement.filter((s) => s.Resource === "*");
    expect(wild.map((s) => s.Action)).toEqual([["route53:ListHostedZones"]]);
    expect(doc.Statement.find((s) => s.Action.includes("route53:GetChange"))?.Resource).toBe("arn:aws:route53:::change/*");
  });

  it("lets certbot change only TXT _acme-challenge records of the given names in the given zone", () => {
    const doc = acmeChallengePolicy("aws", [{ zoneId: "Z1", names: ["mail.example.com", "mta-sts.example.com"] }]);
    expect(doc.Statement).toEqual([{
      Sid: "AcmeChallengeZ1", Effect: "Allow", Action: ["route53:ChangeResourceRecordSets"], Resource: "arn:aws:route53:::hostedzone/Z1",
      Condition: { "ForAllValues:StringEquals": {
        "route53:ChangeResourceRecordSetsNormalizedRecordNames": ["_acme-challenge.mail.example.com", "_acme-challenge.mta-sts.example.com"],
        "route53:ChangeResourceRecordSetsRecordTypes": ["TXT"],
        "route53:ChangeResourceRecordSetsActions": ["UPSERT", "DELETE"],
      } },
    }]);
  });

  it("plans ACME policies that fit IAM's managed-policy size, and refuses more than the role can hold", () => {
    const zones = (n: number) => Array.from({ length: n }, (_, i) => {
      const d = `customer-number-${i}.example.com`;
      return { domain: d, names: [`mta-sts.${d}`, `autoconfig.${d}`, `autodiscover.${d}`] };
    });
    const plan = planAcmePolicies(zones(40));
    expect(plan.flat()).toEqual(zones(40).map((z) => z.domain));
    for (const group of plan) {
      const doc = acmeChallengePolicy("aws", zones(40).filter((z) => group.includes(z.domain)).map((z) => ({ zoneId: `Z${"9".repeat(31)}`, names: z.names })));
      expect(JSON.stringify(doc).length).toBeLessThanOrEqual(6144);
    }
    expect(() => planAcmePolicies(zones(100))).toThrow(new RegExp(`over IAM's default of ${MAX_ACME_POLICIES}.*split the domains`));
  });
});

describe("ports", () => {
  it("opens the mail ports inbound, 995 only with POP3, never 22", () => {
    const ports = (pop3: boolean) => inboundPorts({ features: { pop3, clamav: false, ipv6: false, dnssec: false, webmail: true } }).map((r) => r.port);
    expect(ports(false)).toEqual([25, 465, 587, 993, 80, 443]);
    expect(ports(true)).toEqual([25, 465, 587, 993, 995, 80, 443]);
    expect(ports(true)).not.toContain(22);
  });

  it("lets the host out on 25 (direct) or 587 (SES), DNS, HTTP(S) and NTP only", () => {
    const out = (mode: "direct" | "ses") => egressRules({ outbound: { mode } }).map((r) => `${r.protocol}/${r.port}`);
    expect(out("direct")).toEqual(["tcp/25", "udp/53", "tcp/53", "tcp/80", "tcp/443", "udp/123"]);
    expect(out("ses")).toEqual(["tcp/587", "udp/53", "tcp/53", "tcp/80", "tcp/443", "udp/123"]);
  });
});

describe("certificateNames", () => {
  it("covers the hostname and the HTTPS names of each mail domain, none of a parked one", () => {
    const domains = [{ name: "example.com", sendsMail: true }, { name: "example.org", sendsMail: false }, { name: "shop.example", sendsMail: true }];
    expect(certificateNames({ hostname: "mail.example.com", domains } as never)).toEqual([
      "mail.example.com", "mta-sts.example.com", "autoconfig.example.com", "autodiscover.example.com",
      "mta-sts.shop.example", "autoconfig.shop.example", "autodiscover.shop.example",
    ]);
  });
});
