// Fleet-wide validation: every generated stack file is run through the stack config model
// (parseMailConfig, the same check `pulumi up` makes), then the fleet is checked as a whole:
// no domain, mail hostname or hosted zone may be claimed by two stacks unless declared.
//
// Secrets: a freshly generated stack names its mailbox password keys but holds no values (only
// the operator may set them). A missing value is reported as PENDING, not as an error: the file
// is correct, the deployment step is simply not done yet. For the config check the missing key
// gets the same opaque placeholder the offline synth uses for `secure:` values, so everything
// else in the stack is still fully validated. The fleet runner refuses to run a stack with
// pending secrets (it would fail at `pulumi up` anyway) and says which commands to run.
import { ConfigError, type MailConfig, OPAQUE_SECRET_PLACEHOLDER, namespaceEntries, parseMailConfig, parseStackFile } from "../infra/config";
import type { GeneratedStack } from "./generate";
import type { FleetIssue } from "./issues";
import type { Inventory } from "./inventory/schema";
import { decideWrite } from "./stack-file";

export interface PendingSecret {
  readonly stack: string;
  readonly customer: string;
  /** mailfort: key without the prefix. */
  readonly key: string;
  readonly mailbox: string | undefined;
}

export interface StackCheck {
  readonly gen: GeneratedStack;
  readonly config: MailConfig | undefined;
  readonly pending: readonly PendingSecret[];
  readonly issues: readonly FleetIssue[];
}

export interface FleetValidation {
  readonly stacks: readonly StackCheck[];
  readonly issues: readonly FleetIssue[];
  readonly pending: readonly PendingSecret[];
}

/** Check one stack file's text as the program would read it, with missing secrets pending. */
function checkStackText(gen: GeneratedStack, text: string, source: string): Omit<StackCheck, "gen"> {
  const who = { customer: gen.customer, stack: gen.stack };
  let file;
  try {
    file = parseStackFile(text, source);
  } catch (err) {
    if (err instanceof ConfigError) return { config: undefined, pending: [], issues: err.issues.map((i) => ({ ...who, ...i })) };
    return { config: undefined, pending: [], issues: [{ ...who, path: source, problem: (err as Error).message, fix: "regenerate it: npm run fleet -- generate --force" }] };
  }
  const values = { ...file.values };
  const secretKeys = new Set(file.secretKeys);
  const pending: PendingSecret[] = [];
  for (const key of referencedSecrets(values)) {
    const full = `mailfort:${key}`;
    if (values[full] !== undefined) continue;
    values[full] = OPAQUE_SECRET_PLACEHOLDER;
    secretKeys.add(full);
    pending.push({ ...who, key, mailbox: gen.secretOwners[key] });
  }
  try {
    return { config: parseMailConfig({ values, secretKeys }, gen.stack), pending, issues: [] };
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    return { config: undefined, pending, issues: err.issues.map((i) => ({ ...who, ...i })) };
  }
}

function referencedSecrets(values: Record<string, string>): string[] {
  const mailboxes = namespaceEntries({ values, secretKeys: new Set() }).get("mailboxes");
  if (!Array.isArray(mailboxes)) return [];
  return mailboxes.flatMap((m: unknown) => {
    const ref = typeof m === "object" && m !== null ? (m as { passwordHashSecret?: unknown }).passwordHashSecret : undefined;
    return typeof ref === "string" ? [ref] : [];
  });
}

/**
 * Validate the fleet: `readStack(stack)` returns the file text on disk (undefined if missing).
 * `inventorySource` is the inventory path as written in generated headers.
 */
export function validateFleet(inv: Inventory, gens: readonly GeneratedStack[], readStack: (stack: string) => string | undefined, inventorySource: string): FleetValidation {
  const stacks: StackCheck[] = gens.map((gen) => {
    const source = `Pulumi.${gen.stack}.yaml`;
    const text = readStack(gen.stack);
    if (text === undefined) {
      return { gen, config: undefined, pending: [], issues: [{ customer: gen.customer, stack: gen.stack, path: source, problem: "does not exist", fix: "write it: npm run fleet -- generate" }] };
    }
    const drift = decideWrite(gen, inventorySource, source, text);
    const driftIssues: FleetIssue[] = drift.kind === "hand-edited"
      ? [{ customer: gen.customer, stack: gen.stack, path: source, problem: "was edited by hand (it no longer matches what fleet generated)", fix: "move the change into the inventory (overrides) and run `npm run fleet -- generate --force`" }]
      : drift.kind === "updated"
        ? [{ customer: gen.customer, stack: gen.stack, path: source, problem: "is out of date with the inventory", fix: "run `npm run fleet -- generate`" }]
        : [];
    const check = checkStackText(gen, text, source);
    return { gen, ...check, issues: [...driftIssues, ...check.issues] };
  });
  const issues = [...stacks.flatMap((s) => s.issues), ...crossStackIssues(inv, stacks)];
  return { stacks, issues, pending: stacks.flatMap((s) => s.pending) };
}

interface Claim { readonly stack: string; readonly customer: string; readonly path: string }

function crossStackIssues(inv: Inventory, stacks: readonly StackCheck[]): FleetIssue[] {
  const issues: FleetIssue[] = [];
  const sharesEnvs = new Map(inv.customers.map((c) => [c.name, c.environmentsShareDomains]));
  const declaredZones = new Map(inv.customers.map((c) => [c.name, new Set(c.sharedHostedZones)]));
  const domains = new Map<string, Claim>();
  const hostnames = new Map<string, Claim>();
  const zones = new Map<string, Claim[]>();

  const claim = (map: Map<string, Claim>, name: string, c: Claim, what: string): void => {
    const first = map.get(name);
    if (first === undefined) {
      map.set(name, c);
      return;
    }
    if (first.customer === c.customer) {
      if (sharesEnvs.get(c.customer) === true) return;
      issues.push({ customer: c.customer, stack: c.stack, path: c.path, problem: `${what} ${name} is also served by this customer's stack ${first.stack} (${first.path}); two stacks would fight over its DNS records`, fix: `give the environment its own names (e.g. environments: [{ name: staging, domainPrefix: staging }]), or declare environmentsShareDomains: true for ${c.customer}` });
    } else {
      issues.push({ customer: c.customer, stack: c.stack, path: c.path, problem: `${what} ${name} is already served by customer ${first.customer} (stack ${first.stack}, ${first.path})`, fix: "a domain or mail hostname belongs to exactly one customer: remove it from one of them" });
    }
  };

  for (const s of stacks) {
    const cfg = s.config;
    if (cfg === undefined) continue;
    const base = { stack: s.gen.stack, customer: s.gen.customer };
    cfg.domains.forEach((d, i) => {
      claim(domains, d.name, { ...base, path: `mailfort:domains[${i}].name` }, "domain");
      if (d.zoneId !== undefined) zones.set(d.zoneId, [...(zones.get(d.zoneId) ?? []), { ...base, path: `mailfort:domains[${i}].zoneId` }]);
    });
    claim(hostnames, cfg.hostname, { ...base, path: "mailfort:hostname" }, "mail hostname");
  }

  for (const [zoneId, claims] of zones) {
    const customers = [...new Set(claims.map((c) => c.customer))];
    if (customers.length < 2) continue;
    for (const c of claims) {
      if (declaredZones.get(c.customer)?.has(zoneId) === true) continue;
      const others = customers.filter((x) => x !== c.customer);
      issues.push({ customer: c.customer, stack: c.stack, path: c.path, problem: `hosted zone ${zoneId} is also used by customer${others.length > 1 ? "s" : ""} ${others.join(", ")}, and ${c.customer} has not declared sharing it`, fix: `if the sharing is intended, add ${zoneId} to sharedHostedZones of every customer using it; otherwise give ${c.customer} its own zone` });
    }
  }
  return issues;
}
