// The instance role's documents as plain data, and the port lists the firewall is built from.
import { describe, expect, it } from "vitest";
import { MAX_ACME_POLICIES, ROLE_OWN_POLICY_MAX_CHARS, acmeChallengePolicy, planAcmePolicies } from "../../infra/aws/acme-policies";
import { instancePolicy } from "../../infra/aws/instance-policy";
import { acmeZoneNames, certificateNames } from "../../infra/core/certificate-names";
import { MAX_DOMAINS } from "../../infra/config/schema";
import { bigStack } from "../host/stacks";
import { egressRules, inboundPorts } from "../../infra/core/ports";

const base = { partition: "aws", region: "eu-west-1", accountId: "111122223333", stack: "prod", parametersKeyArn: "arn:aws:kms:eu-west-1:111122223333:key/k" };

describe("instancePolicy", () => {
  it("reads only the stack's parameter path, decrypts only with its key through SSM, publishes only its own metrics, opens Session Manager's channels", () => {
    const doc = instancePolicy({ ...base, acme: false });
    expect(doc.Statement).toEqual([
      // GetParametersByPath is authorized against the requested path: the path itself, not path/*.
      expect.objectContaining({ Action: ["ssm:GetParametersByPath"], Resource: "arn:aws:ssm:eu-west-1:111122223333:parameter/mailfort/prod" }),
      // The host-file installer: the bundle's parts by name, nothing else (configs/bin/mailfort-host-files).
      expect.objectContaining({ Sid: "ReadHostBundle", Action: ["ssm:GetParameters"], Resource: "arn:aws:ssm:eu-west-1:111122223333:parameter/mailfort/prod/host/bundle/*" }),
      expect.objectContaining({ Action: ["kms:Decrypt"], Resource: base.parametersKeyArn, Condition: { StringEquals: { "kms:ViaService": "ssm.eu-west-1.amazonaws.com" } } }),
      expect.objectContaining({ Action: ["cloudwatch:PutMetricData"], Resource: "*", Condition: { StringEquals: { "cloudwatch:namespace": "mailfort" } } }),
      expect.objectContaining({ Action: ["ssmmessages:CreateControlChannel", "ssmmessages:CreateDataChannel", "ssmmessages:OpenControlChannel", "ssmmessages:OpenDataChannel"], Resource: "*" }),
      expect.objectContaining({ Action: ["ssm:UpdateInstanceInformation"], Resource: "arn:aws:ec2:eu-west-1:111122223333:instance/*" }),
    ]);
    // No read of a parameter outside the stack's path (AmazonSSMManagedInstanceCore's GetParameter on *):
    // the tree by its path, and the bundle's parts by name below their own path.
    expect(doc.Statement.filter((s) => s.Action.some((a) => a.startsWith("ssm:Get"))).map((s) => [s.Action, s.Resource])).toEqual([
      [["ssm:GetParametersByPath"], "arn:aws:ssm:eu-west-1:111122223333:parameter/mailfort/prod"],
      [["ssm:GetParameters"], "arn:aws:ssm:eu-west-1:111122223333:parameter/mailfort/prod/host/bundle/*"],
    ]);
  });

  it("adds GetChange on change/* and ListHostedZones on * (no resource-level permission) only for ACME", () => {
    const doc = instancePolicy({ ...base, acme: true });
    const wild = doc.Statement.filter((s) => s.Resource === "*");
    expect(wild.map((s) => s.Action[0])).toEqual(["cloudwatch:PutMetricData", "ssmmessages:CreateControlChannel", "route53:ListHostedZones"]);
    expect(doc.Statement.find((s) => s.Action.includes("route53:GetChange"))?.Resource).toBe("arn:aws:route53:::change/*");
  });

  it("lets certbot change only TXT _acme-challenge records of the given names in the given zones", () => {
    const doc = acmeChallengePolicy("aws", [[{ domain: "example.com", zoneId: "Z1", names: ["mail.example.com", "mta-sts.example.com"] }, { domain: "shop.example", zoneId: "Z2", names: ["mta-sts.shop.example"] }]]);
    expect(doc.Statement).toEqual([{
      Sid: "AcmeChallenge1", Effect: "Allow", Action: ["route53:ChangeResourceRecordSets"],
      Resource: ["arn:aws:route53:::hostedzone/Z1", "arn:aws:route53:::hostedzone/Z2"],
      Condition: { "ForAllValues:StringEquals": {
        "route53:ChangeResourceRecordSetsNormalizedRecordNames": ["_acme-challenge.mail.example.com", "_acme-challenge.mta-sts.example.com", "_acme-challenge.mta-sts.shop.example"],
        "route53:ChangeResourceRecordSetsRecordTypes": ["TXT"],
        "route53:ChangeResourceRecordSetsActions": ["UPSERT", "DELETE"],
      } },
    }]);
  });

  const zones = (n: number, stem = "customer-number") => Array.from({ length: n }, (_, i) => {
    const d = `${stem}-${i}.example.com`;
    return { domain: d, names: [`mta-sts.${d}`, `autoconfig.${d}`, `autodiscover.${d}`] };
  });
  /** Each planned policy rendered with the longest zone ids Route53 hands out. */
  const rendered = (plan: ReturnType<typeof planAcmePolicies>, all: ReturnType<typeof zones>) =>
    plan.map((statements) => acmeChallengePolicy("aws", statements.map((st) => st.map((d) => ({ domain: d, zoneId: `Z${"9".repeat(31)}`, names: all.find((z) => z.domain === d)?.names ?? [] })))));

  it(`plans the ACME policies of a ${MAX_DOMAINS}-domain stack within IAM's limits: every zone once, inline and managed policies within their sizes`, () => {
    const cfg = bigStack(MAX_DOMAINS);
    const all = acmeZoneNames(cfg);
    const plan = planAcmePolicies(all);
    const sizes = rendered(plan, all).map((d) => JSON.stringify(d).length);
    console.log(`ACME policies for ${MAX_DOMAINS} domains (${all[1]?.domain.length}-character names): 1 inline + ${plan.length - 1} managed, ${sizes.join("/")} characters`);
    expect(plan.length - 1).toBeLessThanOrEqual(MAX_ACME_POLICIES);
    expect(plan.flat(2)).toEqual(all.map((z) => z.domain));
    // The inline one shares 10,240 characters with the role's own policy; a managed one holds 6,144.
    expect(sizes[0]).toBeLessThanOrEqual(10_240 - ROLE_OWN_POLICY_MAX_CHARS);
    for (const size of sizes.slice(1)) expect(size).toBeLessThanOrEqual(6144);
    // Exactly the certificate's challenge names, nothing else, across all policies.
    const names = rendered(plan, all).flatMap((d) => d.Statement.flatMap((st) => st.Condition?.["ForAllValues:StringEquals"]?.["route53:ChangeResourceRecordSetsNormalizedRecordNames"] as string[]));
    expect(names.sort()).toEqual(certificateNames(cfg).map((n) => `_acme-challenge.${n}`).sort());
  });

  it("the role's own policy stays within its share of the inline budget, at its longest", () => {
    const longest = instancePolicy({ partition: "aws-iso-b", region: "ap-southeast-5", accountId: "999999999999", stack: "s".repeat(40),
      parametersKeyArn: "arn:aws-iso-b:kms:ap-southeast-5:999999999999:key/mrk-0123456789abcdef0123456789abcdef", acme: true });
    expect(JSON.stringify(longest).length).toBeLessThanOrEqual(ROLE_OWN_POLICY_MAX_CHARS);
  });

  it("prints how many zones fit, by domain name length", () => {
    const fit = (length: number) => {
      let n = 0;
      for (let m = 10; m <= 600; m += 5) {
        const stem = "x".repeat(Math.max(1, length - 16));
        try { planAcmePolicies(zones(m, stem)); n = m; } catch { break; }
      }
      return n;
    };
    const table = [16, 20, 25, 30, 40].map((l) => `${l}: ${fit(l)}`);
    console.log(`ACME zones that fit the role, by domain name length: ${table.join(", ")}`);
    expect(fit(25)).toBeGreaterThanOrEqual(MAX_DOMAINS);
  });

  it("never puts a zone and its parent in one statement (the parent would accept the child's names)", () => {
    const nested = [
      { domain: "example.com", names: ["mail.example.com", "mta-sts.example.com"] },
      { domain: "eu.example.com", names: ["mta-sts.eu.example.com"] },
      { domain: "shop.example", names: ["mta-sts.shop.example"] },
      { domain: "de.eu.example.com", names: ["mta-sts.de.eu.example.com"] },
    ];
    const [policy] = planAcmePolicies(nested);
    expect(policy).toEqual([["example.com", "shop.example"], ["eu.example.com"], ["de.eu.example.com"]]);
  });

  it("refuses, naming the fix, more zones than the role's policies hold", () => {
    expect(() => planAcmePolicies(zones(400))).toThrow(new RegExp(`need \\d+ managed policies besides the inline one, over the ${MAX_ACME_POLICIES} this role may hold .*split the domains over two stacks`));
    expect(() => planAcmePolicies(zones(200, "a-rather-long-customer-domain-name-of-a-big-company"))).toThrow(/over the 8 this role may hold/);
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
