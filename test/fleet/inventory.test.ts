// Inventory validation: every bad input is reported, all at once, naming the customer and field.
import { describe, expect, it } from "vitest";
import { dump } from "js-yaml";
import { parseInventory } from "../../fleet/inventory/load";
import { FleetError, type FleetIssue } from "../../fleet/issues";
import { generateFleet } from "../../fleet/generate";

const good = {
  defaults: { region: "eu-west-1" },
  customers: [{ name: "acme", environments: ["prod"], domains: [{ name: "acme.example" }], mailboxes: [{ address: "alice@acme.example" }] }],
};

function issuesOf(doc: unknown): FleetIssue[] {
  try {
    parseInventory(dump(doc), "inventory.yaml");
  } catch (err) {
    if (err instanceof FleetError) return [...err.issues];
    throw err;
  }
  throw new Error("expected the inventory to be rejected");
}

const withCustomer = (patch: Record<string, unknown>) => ({ ...good, customers: [{ ...good.customers[0], ...patch }] });

describe("inventory validation", () => {
  it("accepts a minimal inventory and applies defaults", () => {
    const inv = parseInventory(dump(good), "inventory.yaml");
    expect(inv.customers[0]?.tier).toBe("small");
    expect(inv.customers[0]?.environmentsShareDomains).toBe(false);
  });

  it("accepts the example inventory shipped in the repo", async () => {
    const { readFileSync } = await import("node:fs");
    const inv = parseInventory(readFileSync("fleet/inventory.example.yaml", "utf8"), "fleet/inventory.example.yaml");
    expect(generateFleet(inv).map((g) => g.stack)).toEqual(["bakery-prod", "lawfirm-staging", "lawfirm-prod", "clinic-north-prod", "clinic-south-prod"]);
  });

  const cases: Array<[string, unknown, string, RegExp]> = [
    ["a non-slug name", withCustomer({ name: "Acme Corp" }), "customers[0].name", /not a lowercase slug/],
    ["an unknown environment", withCustomer({ environments: ["qa"] }), "customers[0].environments[0]", /environment/],
    ["no environments", withCustomer({ environments: [] }), "customers[0].environments", /no environment/],
    ["an environment listed twice", withCustomer({ environments: ["prod", "prod"] }), "customers[0].environments[1]", /twice/],
    ["an unknown tier", withCustomer({ tier: "huge" }), "customers[0].tier", /not a defined tier/],
    ["an unknown environment tier", withCustomer({ environments: [{ name: "prod", tier: "xl" }] }), "customers[0].environments[0].tier", /not a defined tier/],
    ["a bad domain", withCustomer({ domains: [{ name: "Acme..example" }] }), "customers[0].domains[0].name", /not a valid lowercase domain/],
    ["no domains", withCustomer({ domains: [] }), "customers[0].domains", /no domains/],
    ["a bad mailbox address", withCustomer({ mailboxes: [{ address: "not an address" }] }), "customers[0].mailboxes[0].address", /not a plain lowercase mail address/],
    ["a password in a mailbox", withCustomer({ mailboxes: [{ address: "a@acme.example", password: "hunter2" }] }), "customers[0].mailboxes[0].password", /never goes in the inventory/],
    ["a hash anywhere", withCustomer({ overrides: { alarmEmail: "{ARGON2ID}$argon2id$v=19$m=65536,t=3,p=1$abc$def" } }), "customers[0].overrides.alarmEmail", /looks like a password hash/],
    ["a bad secret key name", withCustomer({ mailboxes: [{ address: "a@acme.example", passwordHashSecret: "1 bad" }] }), "customers[0].mailboxes[0].passwordHashSecret", /not a usable config key/],
    ["two mailboxes with one secret key", withCustomer({ mailboxes: [{ address: "a@acme.example", passwordHashSecret: "k" }, { address: "b@acme.example", passwordHashSecret: "k" }] }), "customers[0].mailboxes[1].passwordHashSecret", /also the password key/],
    ["an unknown override key", withCustomer({ overrides: { instanceType: "t4g.large" } }), "customers[0].overrides.instanceType", /not a mailfort: config key/],
    ["overriding the environment", withCustomer({ overrides: { environment: "prod" } }), "customers[0].overrides.environment", /derived from the environment/],
    ["overriding a first-class field", withCustomer({ overrides: { domains: [] } }), "customers[0].overrides.domains", /own inventory field/],
    ["an unknown customer field", withCustomer({ sizeTier: "small" }), "customers[0].sizeTier", /not a known inventory field/],
    ["a bad shared zone id", withCustomer({ sharedHostedZones: ["zone-1"] }), "customers[0].sharedHostedZones[0]", /not a Route53 hosted zone id/],
    ["a bad alias", withCustomer({ aliases: [{ from: "info@acme.example", to: [] }] }), "customers[0].aliases[0].to", /no targets/],
    ["a bad domain prefix", withCustomer({ environments: [{ name: "staging", domainPrefix: "-x" }] }), "customers[0].environments[0].domainPrefix", /not a DNS label/],
  ];
  for (const [what, doc, path, problem] of cases) {
    it(`rejects ${what}, naming the customer and ${path}`, () => {
      const hit = issuesOf(doc).find((i) => i.path === path);
      expect(hit, JSON.stringify(issuesOf(doc))).toBeDefined();
      expect(hit?.problem).toMatch(problem);
      expect(hit?.customer).toBe((doc as typeof good).customers[0]?.name);
      expect(hit?.fix.length).toBeGreaterThan(5);
    });
  }

  it("rejects a missing region and a duplicate customer, and reports both at once", () => {
    const doc = { defaults: {}, customers: [good.customers[0], good.customers[0]] };
    const issues = issuesOf(doc);
    expect(issues.map((i) => i.path)).toContain("defaults.region");
    // Schema errors stop before cross checks, so fix the region and look again.
    const dup = issuesOf({ ...doc, defaults: { region: "eu-west-1" } });
    expect(dup).toEqual([expect.objectContaining({ customer: "acme", path: "customers[1].name", problem: expect.stringMatching(/also the name of customers\[0\]/) })]);
  });

  it("collects every problem of every customer in one error", () => {
    const doc = { ...good, customers: [
      { ...good.customers[0], name: "one", tier: "huge" },
      { ...good.customers[0], name: "two", domains: [{ name: "BAD" }], mailboxes: [{ address: "x" }] },
    ] };
    const issues = issuesOf(doc);
    expect(issues.map((i) => `${i.customer}:${i.path}`).sort()).toEqual(["two:customers[1].domains[0].name", "two:customers[1].mailboxes[0].address"]);
    const message = (() => { try { parseInventory(dump(doc), "inv.yaml"); } catch (e) { return (e as Error).message; } return ""; })();
    expect(message).toContain("customer two: customers[1].domains[0].name");
  });

  it("names a customer that has no name by its position", () => {
    const issues = issuesOf({ ...good, customers: [{ environments: ["prod"], domains: [{ name: "a.example" }] }] });
    expect(issues).toContainEqual(expect.objectContaining({ customer: "#0 (unnamed)", path: "customers[0].name", problem: "is required but missing" }));
  });

  it("reports YAML syntax errors as one issue", () => {
    expect(() => parseInventory("defaults: [", "inv.yaml")).toThrow(/not valid YAML/);
  });
});
