// Fleet-wide validation: each stack through the stack config model, then the fleet as a whole.
import { describe, expect, it } from "vitest";
import { generateFleet } from "../../fleet/generate";
import { inventorySchema } from "../../fleet/inventory/schema";
import { renderStackFile } from "../../fleet/stack-file";
import { validateFleet } from "../../fleet/validate";

const customer = (name: string, patch: Record<string, unknown> = {}) => ({
  name,
  environments: ["prod"],
  domains: [{ name: `${name}.example` }],
  mailboxes: [{ address: `ops@${name}.example` }],
  overrides: { tls: { mode: "acme", acmeEmail: "ops@msp.example.net" } },
  ...patch,
});

/** Validate as if `fleet generate` had just written every stack file. */
function validate(customers: unknown[]) {
  const inv = inventorySchema.parse({ defaults: { region: "eu-west-1" }, customers });
  const gens = generateFleet(inv);
  const files = new Map(gens.map((g) => [g.stack, renderStackFile(g, "inv.yaml")]));
  return validateFleet(inv, gens, (s) => files.get(s), "inv.yaml");
}

describe("fleet-wide validation", () => {
  it("accepts distinct customers and reports unset secrets as pending, not as errors", () => {
    const r = validate([customer("a"), customer("b")]);
    expect(r.issues).toEqual([]);
    expect(r.pending).toEqual([
      { stack: "a-prod", customer: "a", key: "pw-ops-at-a-example", mailbox: "ops@a.example" },
      { stack: "b-prod", customer: "b", key: "pw-ops-at-b-example", mailbox: "ops@b.example" },
    ]);
    expect(r.stacks.every((s) => s.config !== undefined)).toBe(true);
  });

  it("refuses a domain served by two customers, naming the customer, stack and field", () => {
    const r = validate([customer("a"), customer("b", { domains: [{ name: "b.example" }, { name: "a.example", sendsMail: false }] })]);
    expect(r.issues).toEqual([expect.objectContaining({ customer: "b", stack: "b-prod", path: "mailfort:domains[1].name", problem: expect.stringContaining("a.example is already served by customer a (stack a-prod") })]);
  });

  it("refuses one mail hostname in two customers", () => {
    // b serves mx.a.example as its own domain and host, which a uses as its mail host too.
    const r = validate([customer("a", { hostname: "mx.a.example" }), customer("b", { domains: [{ name: "mx.a.example" }], hostname: "mx.a.example", mailboxes: [{ address: "ops@mx.a.example" }] })]);
    expect(r.issues).toEqual([expect.objectContaining({ customer: "b", stack: "b-prod", path: "mailfort:hostname", problem: expect.stringContaining("mail hostname mx.a.example is already served by customer a") })]);
  });

  it("refuses the same customer's staging and prod on the same names, unless declared or prefixed", () => {
    const clash = validate([customer("a", { environments: ["staging", "prod"] })]);
    expect(clash.issues.map((i) => `${i.stack} ${i.path}`)).toEqual(["a-prod mailfort:domains[0].name", "a-prod mailfort:hostname"]);
    expect(clash.issues[0]?.problem).toContain("also served by this customer's stack a-staging");
    expect(clash.issues[0]?.fix).toContain("domainPrefix");

    expect(validate([customer("a", { environments: ["staging", "prod"], environmentsShareDomains: true })]).issues).toEqual([]);
    const prefixed = validate([customer("a", { environments: [{ name: "staging", domainPrefix: "staging" }, "prod"] })]);
    expect(prefixed.issues).toEqual([]);
    expect(prefixed.stacks.map((s) => s.config?.hostname)).toEqual(["mail.staging.a.example", "mail.a.example"]);
  });

  it("refuses two customers in one hosted zone unless every one of them declares it", () => {
    const zone = "Z0SHARED123";
    const a = customer("a", { domains: [{ name: "a.example", zoneId: zone }] });
    const b = customer("b", { domains: [{ name: "b.example", zoneId: zone }] });
    const undeclared = validate([a, b]);
    expect(undeclared.issues.map((i) => `${i.customer} ${i.path}`)).toEqual(["a mailfort:domains[0].zoneId", "b mailfort:domains[0].zoneId"]);
    expect(undeclared.issues[0]?.problem).toContain("also used by customer b");

    const half = validate([{ ...a, sharedHostedZones: [zone] }, b]);
    expect(half.issues.map((i) => i.customer)).toEqual(["b"]);
    expect(validate([{ ...a, sharedHostedZones: [zone] }, { ...b, sharedHostedZones: [zone] }]).issues).toEqual([]);
  });

  it("reports stack-level config errors with the customer and the mailfort: field", () => {
    const r = validate([customer("a", { overrides: { features: { clamav: true } } }), customer("b", { overrides: {} })]);
    expect(r.issues).toContainEqual(expect.objectContaining({ customer: "a", stack: "a-prod", path: "mailfort:features.clamav" }));
    // b has no tls override: acme needs an acmeEmail
    expect(r.issues).toContainEqual(expect.objectContaining({ customer: "b", stack: "b-prod", path: "mailfort:tls.acmeEmail" }));
    expect(r.stacks.find((s) => s.gen.stack === "a-prod")?.config).toBeUndefined();
  });

  it("reports a mailbox outside the customer's domains against the stack field", () => {
    const r = validate([customer("a", { mailboxes: [{ address: "ops@elsewhere.example" }] })]);
    expect(r.issues).toContainEqual(expect.objectContaining({ customer: "a", path: "mailfort:mailboxes[0].address", problem: expect.stringContaining("not in a configured mail domain") }));
  });

  it("reports a stack file that was never generated", () => {
    const inv = inventorySchema.parse({ defaults: { region: "eu-west-1" }, customers: [customer("a")] });
    const r = validateFleet(inv, generateFleet(inv), () => undefined, "inv.yaml");
    expect(r.issues).toEqual([expect.objectContaining({ customer: "a", path: "Pulumi.a-prod.yaml", problem: "does not exist" })]);
  });
});
