// A 20-domain stack (an MSP customer, say) synthesizes, with one zone, DKIM key and record set
// per domain, within a time budget that keeps `npm run synth` usable.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { type SynthResult, runSynth } from "../../infra/synth";
import { generatedStack, list, ofType, roleStatements } from "./helpers";

const DOMAINS = 20;
let r: SynthResult;
let seconds = 0;

beforeAll(async () => {
  const started = Date.now();
  // The committed fixture is what `npm run synth -- --config-file` times; it must stay generated.
  const fixture = join(__dirname, "fixtures", "Pulumi.fleet20.yaml");
  expect(readFileSync(fixture, "utf8")).toContain(generatedStack(DOMAINS));
  r = await runSynth("fleet20", { configFile: fixture });
  seconds = (Date.now() - started) / 1000;
  console.log(`synth of a ${DOMAINS}-domain stack (child process, wall): ${seconds.toFixed(1)} s, ${r.resources.filter((x) => x.custom).length} resources, ${r.records.length} records`);
}, 240_000);

describe(`a generated ${DOMAINS}-domain stack`, () => {
  it("creates a zone, a DKIM key and an SSM DKIM parameter per domain", () => {
    expect(r.config.domains).toHaveLength(DOMAINS);
    expect(ofType(r, "aws:route53/zone:Zone")).toHaveLength(DOMAINS);
    expect(ofType(r, "tls:index/privateKey:PrivateKey")).toHaveLength(DOMAINS + 1);
    expect(r.parameters.filter((p) => p.name.includes("/dkim/"))).toHaveLength(DOMAINS);
    expect(Object.keys(r.zones)).toHaveLength(DOMAINS + 1);
    for (let i = 1; i <= DOMAINS; i++) {
      const d = `customer${i}.example`;
      expect(r.records.some((x) => x.name === d && x.type === "MX"), d).toBe(true);
      expect(r.records.some((x) => x.name === `mail._domainkey.${d}` && x.type === "TXT"), d).toBe(true);
    }
  });

  it("lets ACME touch the challenge names of each domain in that domain's zone only", () => {
    const acme = roleStatements(r, `mailfort-${r.stack}-role`).filter((s) => s.Sid?.startsWith("AcmeChallenge"));
    expect(acme.length).toBeGreaterThan(0);
    const zoneOfName = new Map(ofType(r, "aws:route53/record:Record").map((x) => [x.inputs.name as string, x.inputs.zoneId as string]));
    const covered: string[] = [];
    for (const s of acme) {
      const names = s.Condition?.["ForAllValues:StringEquals"]?.["route53:ChangeResourceRecordSetsNormalizedRecordNames"] as string[];
      // Every name's own zone is among the statement's zones (and Route53 refuses it in any other).
      for (const n of names) expect(list(s.Resource)).toContain(`arn:aws:route53:::hostedzone/${zoneOfName.get(n.replace("_acme-challenge.", "")) ?? "?"}`);
      covered.push(...names);
    }
    expect(covered).toHaveLength(1 + 3 * DOMAINS);
    // IAM limits: a role's inline policies share 10,240 characters; a managed policy holds 6,144.
    // The instance role's own (the flow-log delivery role has its own budget).
    const inline = ofType(r, "aws:iam/rolePolicy:RolePolicy").filter((p) => p.inputs.role === `mailfort-${r.stack}-role`).map((p) => String(p.inputs.policy).length);
    expect(inline.length).toBeGreaterThan(0);
    expect(inline.reduce((a, b) => a + b, 0)).toBeLessThan(10_240);
    for (const p of ofType(r, "aws:iam/policy:Policy")) expect(String(p.inputs.policy).replace(/\s/g, "").length).toBeLessThanOrEqual(6144);
  });

  it("keeps the user data to the bootstrap, and stays within the time budget", () => {
    expect(Buffer.from(r.userData, "base64").length).toBeLessThanOrEqual(8192);
    expect(r.hostFiles.bundle.filter((f) => f.path.startsWith("/var/www/mailfort/mta-sts/"))).toHaveLength(DOMAINS);
    expect(seconds).toBeLessThan(120);
  });
});
