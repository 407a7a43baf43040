// The emulator's plan from a real synth of the lab stack in ACME mode: every SSM parameter with
// its real value and the stack's key, the zones with their records as the AWS provider sends
// them, the instance role with every policy it carries, the alarms, the instance's IMDS options.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { type SynthResult, synthInProcess } from "../../infra/synth";
import { type EmulatorPlan, emulatorPlan, route53Value } from "../../lab/aws/plan";

const LAB = join(__dirname, "..", "..", "stacks", "Pulumi.lab.yaml");
const acmeText = readFileSync(LAB, "utf8");

let synth: SynthResult;
let plan: EmulatorPlan;
beforeAll(async () => {
  synth = await synthInProcess("lab", { configText: acmeText });
  plan = emulatorPlan({ resources: synth.resources, values: new Map(synth.parameters.map((p) => [p.name, p.value])), addressMap: { [String(synth.outputs.ipv4)]: "10.77.0.10" } });
}, 120_000);

describe("emulatorPlan", () => {
  it("carries every SSM parameter with its value; SecureStrings name the stack's key", () => {
    expect(plan.parameters.map((p) => p.name).sort()).toEqual(synth.parameters.map((p) => p.name).sort());
    const key = String(synth.resources.find((r) => r.type === "aws:kms/alias:Alias" && r.inputs.name === "alias/mailfort-lab")!.inputs.targetKeyId);
    for (const p of plan.parameters) {
      expect(p.value).not.toBe("[secret]");
      if (p.type === "SecureString") expect(p.keyRef).toContain(key);
    }
    // The parameters' key, the monitoring key of the alarm topic (no SecureString uses it) and the
    // DNSSEC signing key (the lab stack sets features.dnssec; the lab signs with its own key).
    expect(plan.kmsKeys).toHaveLength(3);
    expect(plan.kmsKeys).toEqual(expect.arrayContaining([expect.objectContaining({ ref: key, aliases: ["alias/mailfort-lab"] }), expect.objectContaining({ aliases: ["alias/mailfort-lab-monitoring"] }), expect.objectContaining({ description: expect.stringMatching(/DNSSEC/i) })]));
  });

  it("carries each zone's records, A records on the lab address, TXT quoted as Route53 takes them", () => {
    const all = plan.zones.flatMap((z) => z.records);
    expect(all).toHaveLength(synth.resources.filter((r) => r.type === "aws:route53/record:Record").length);
    expect(all.find((r) => r.name === "mail.mailfort.test" && r.type === "A")?.values).toEqual(["10.77.0.10"]);
    const dkim = all.find((r) => r.name === "mail._domainkey.mailfort.test")!;
    expect(dkim.values[0]).toMatch(/^"v=DKIM1; k=rsa; p=[^"]+" "[^"]+"$/);
  });

  it("gives the instance role every policy the synth attaches, and the instance's IMDS options", () => {
    const role = plan.roles[0]!;
    expect(plan.roles).toHaveLength(1);
    expect(role.inline.map((p) => JSON.parse(p.document).Statement.map((s: { Sid: string }) => s.Sid)).flat()).toContain("ReadOwnStackParameters");
    expect(role.attached.filter((a) => a.startsWith("arn:aws:iam::aws:policy/"))).toEqual([]);
    expect(plan.managedPolicies.map((p) => role.attached.includes(p.ref))).toEqual(plan.managedPolicies.map(() => true));
    // The ACME challenge statements: the first group inline beside the role's own policy, any
    // further groups in managed policies (the lab's one zone fits inline).
    expect(role.inline.map((p) => JSON.parse(p.document).Statement.map((s: { Sid: string }) => s.Sid)).flat()).toContain("AcmeChallenge1");
    expect(plan.instance).toMatchObject({ hopLimit: 1, httpTokens: "required", profile: "mailfort-lab-role" });
    expect(plan.alarms.map((a) => `${a.namespace} ${a.metricName}`).sort()).toEqual(["AWS/EBS SnapshotsCreateCompleted", "AWS/EBS SnapshotsCreateFailed", "AWS/EC2 StatusCheckFailed_Instance", "AWS/EC2 StatusCheckFailed_System",
      ...["disk_used_percent", "disk_used_percent", "queue_active", "queue_deferred", "deliveries_deferred", "deliveries_bounced", "smtp_auth_failures", "imap_login_failures", "fail2ban_banned", "rspamd_rejects", "outbound_top_sender", "cert_days_left", "dnsbl_listed", "reboot_required_hours", "suspended_senders", "report_alerts"].map((m) => `mailfort ${m}`)].sort());
  });

  it("refuses a parameter without a value rather than loading a placeholder", () => {
    expect(() => emulatorPlan({ resources: synth.resources, values: new Map(), addressMap: {} })).toThrow(/no value for SSM parameter/);
  });
});

describe("route53Value", () => {
  it("quotes TXT, splits at a configured \"\", escapes quotes; leaves other types alone", () => {
    expect(route53Value("TXT", "v=spf1 -all")).toBe('"v=spf1 -all"');
    expect(route53Value("TXT", 'ab""cd')).toBe('"ab" "cd"');
    expect(route53Value("TXT", 'say "hi"')).toBe('"say \\"hi\\""');
    expect(route53Value("MX", "10 mail.example.com.")).toBe("10 mail.example.com.");
  });
});
