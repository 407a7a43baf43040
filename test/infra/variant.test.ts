// The paths dev/prod/lab do not take: an existing subnet, an existing hosted zone, SES relay,
// POP3 and DNSSEC on a stack without IPv6.
import { beforeAll, describe, expect, it } from "vitest";
import { type SynthResult, runSynth } from "../../infra/synth";
import { list, ofType, only, roleStatements, statements } from "./helpers";

const STACK = `
config:
  mailfort:region: eu-west-1
  mailfort:environment: staging
  mailfort:hostname: mail.shop.example
  mailfort:domains:
    - name: shop.example
      zoneId: Z0EXISTINGZONE1234567
    - name: brand.example
  mailfort:mailboxes:
    - address: owner@shop.example
      passwordHashSecret: owner-password
  mailfort:owner-password:
    secure: v1:bm90LWRlY3J5cHRlZA==:bm90LWRlY3J5cHRlZA==
  mailfort:network:
    subnetId: subnet-0123456789abcdef0
  mailfort:outbound:
    mode: ses
  mailfort:features:
    pop3: true
    dnssec: true
  mailfort:tls:
    mode: acme
    acmeEmail: ops@elsewhere.example.net
  mailfort:backups:
    enabled: false
`;

let r: SynthResult;
beforeAll(async () => {
  r = await runSynth("variant", { configText: STACK });
}, 120_000);

describe("a stack with an existing subnet and zone, SES relay, POP3 and DNSSEC", () => {
  it("creates no network and no zone for the existing ones, and writes records into the given zone", () => {
    expect(ofType(r, "aws:ec2/vpc:Vpc")).toHaveLength(0);
    expect(ofType(r, "aws:ec2/subnet:Subnet")).toHaveLength(0);
    expect(only(r, "aws:ec2/instance:Instance").inputs.subnetId).toBe("subnet-0123456789abcdef0");
    expect(ofType(r, "aws:route53/zone:Zone").map((z) => z.inputs.name)).toEqual(["brand.example"]);
    const shopRecords = ofType(r, "aws:route53/record:Record").filter((x) => String(x.inputs.name).endsWith("shop.example"));
    expect(shopRecords.length).toBeGreaterThan(5);
    for (const x of shopRecords) expect(x.inputs.zoneId).toBe("Z0EXISTINGZONE1234567");
    // Only the created zone is signed, and only it needs NS at the registrar.
    expect(ofType(r, "aws:route53/keySigningKey:KeySigningKey")).toHaveLength(1);
    expect(Object.keys(r.outputs.nameservers as object)).toEqual(["brand.example"]);
    expect(Object.keys(r.outputs.dsRecords as object)).toEqual(["brand.example"]);
  });

  it("opens 995 for POP3 and sends out through SES on 587 only", () => {
    const sg = only(r, "aws:ec2/securityGroup:SecurityGroup").inputs;
    const ingress = (sg.ingress as Array<{ fromPort: number }>).map((x) => x.fromPort).sort((a, b) => a - b);
    expect(ingress).toEqual([25, 80, 443, 465, 587, 993, 995]);
    const egress = (sg.egress as Array<{ protocol: string; fromPort: number }>).map((x) => `${x.protocol}/${x.fromPort}`);
    expect(egress).toContain("tcp/587");
    expect(egress).not.toContain("tcp/25");
  });

  it("verifies each sending domain with SES and lets the SMTP user send only as those identities", () => {
    const identities = ofType(r, "aws:sesv2/emailIdentity:EmailIdentity").map((i) => i.inputs.emailIdentity).sort();
    expect(identities).toEqual(["brand.example", "shop.example"]);
    const doc = statements(only(r, "aws:iam/userPolicy:UserPolicy").inputs.policy);
    expect(doc).toHaveLength(1);
    expect(list(doc[0]?.Action ?? [])).toEqual(["ses:SendRawEmail"]);
    expect(list(doc[0]?.Resource ?? []).sort()).toEqual(["brand.example", "shop.example"].map((d) => `arn:aws:ses:eu-west-1:123456789012:identity/${d}`));
    const smtp = r.parameters.find((p) => p.name === "/mailfort/variant/ses/smtp");
    expect(smtp?.type).toBe("SecureString");
    // Easy-DKIM: three CNAMEs per domain into SES, next to our own DKIM key.
    for (const d of identities) {
      const cnames = r.records.filter((x) => x.type === "CNAME" && x.zone === d && x.name.endsWith(`._domainkey.${d}`));
      expect(cnames).toHaveLength(3);
      for (const c of cnames) expect(c.values[0]).toMatch(/\.dkim\.amazonses\.com\.$/);
    }
  });

  it("has no snapshot policy when backups are off, and scopes ACME to the existing zone's id", () => {
    expect(ofType(r, "aws:dlm/lifecyclePolicy:LifecyclePolicy")).toHaveLength(0);
    const acme = roleStatements(r, `mailfort-${r.stack}-role`).filter((s) => list(s.Action).includes("route53:ChangeResourceRecordSets"));
    // Both zones in one statement (neither is the other's parent), the existing one by its id.
    expect(acme).toHaveLength(1);
    expect(list(acme[0]?.Resource ?? [])).toHaveLength(2);
    expect(list(acme[0]?.Resource ?? [])).toContain("arn:aws:route53:::hostedzone/Z0EXISTINGZONE1234567");
  });
});
