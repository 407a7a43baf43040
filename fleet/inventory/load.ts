// Read and validate an inventory file: YAML -> schema -> fleet-level cross checks. Every problem
// is collected and thrown at once (FleetError), each naming the customer and the field.
import { load } from "js-yaml";
import type { z } from "zod";
import { FIX_SEP } from "../../infra/config";
import { FleetError, type FleetIssue } from "../issues";
import { BUILTIN_TIERS, type Customer, type EnvironmentEntry, type Inventory, type Tier, inventorySchema } from "./schema";

/** Anything shaped like a Dovecot/crypt password hash: it must never be in the inventory. */
const HASH_LIKE = /\{(?:ARGON2I?D?|BLF-CRYPT|SHA\d*-CRYPT|SSHA\d*|CRYPT|PLAIN)\}|\$(?:argon2(?:id|i|d)|2[aby]|[156])\$/i;

export function parseInventory(text: string, source: string): Inventory {
  let doc: unknown;
  try {
    doc = load(text, { filename: source });
  } catch (err) {
    throw new FleetError([{ path: source, problem: `is not valid YAML: ${(err as Error).message.split("\n")[0]}`, fix: "fix the YAML syntax at the line shown" }], source);
  }
  const issues: FleetIssue[] = [...findSecretValues(doc)];
  const result = inventorySchema.safeParse(doc ?? {});
  if (!result.success) {
    issues.push(...result.error.issues.flatMap((iss) => toFleetIssue(iss, doc)));
    throw new FleetError(issues, source);
  }
  issues.push(...crossCheck(result.data));
  if (issues.length > 0) throw new FleetError(issues, source);
  return result.data;
}

export function environmentName(e: EnvironmentEntry): string {
  return typeof e === "string" ? e : e.name;
}

export function stackName(customer: string, env: string): string {
  return `${customer}-${env}`;
}

export function tiersOf(inv: Inventory): Record<string, Tier> {
  return { ...BUILTIN_TIERS, ...inv.defaults.tiers };
}

function crossCheck(inv: Inventory): FleetIssue[] {
  const issues: FleetIssue[] = [];
  const tiers = tiersOf(inv);
  const seen = new Map<string, number>();
  const stacks = new Map<string, string>();
  inv.customers.forEach((c, i) => {
    const at = (...rest: Array<string | number>) => pathOf(["customers", i, ...rest]);
    const first = seen.get(c.name);
    if (first !== undefined) issues.push({ customer: c.name, path: at("name"), problem: `is also the name of customers[${first}]`, fix: "give every customer a unique name" });
    else seen.set(c.name, i);
    if (!(c.tier in tiers)) issues.push({ customer: c.name, path: at("tier"), problem: `${JSON.stringify(c.tier)} is not a defined tier`, fix: `use one of ${Object.keys(tiers).join(", ")}, or define it under defaults.tiers` });
    const envs = new Set<string>();
    c.environments.forEach((e, j) => {
      const name = environmentName(e);
      if (envs.has(name)) issues.push({ customer: c.name, path: at("environments", j), problem: `${name} is listed twice`, fix: "list each environment once" });
      envs.add(name);
      if (typeof e !== "string" && e.tier !== undefined && !(e.tier in tiers)) {
        issues.push({ customer: c.name, path: at("environments", j, "tier"), problem: `${JSON.stringify(e.tier)} is not a defined tier`, fix: `use one of ${Object.keys(tiers).join(", ")}` });
      }
      // Customer names may contain hyphens, so acme-prod + env "x" could collide with customer acme-prod-x... check it.
      const stack = stackName(c.name, name);
      const other = stacks.get(stack);
      if (other !== undefined && other !== c.name) issues.push({ customer: c.name, path: at("environments", j), problem: `makes stack ${stack}, which customer ${other} also makes`, fix: "rename one of the two customers" });
      stacks.set(stack, c.name);
    });
    issues.push(...checkSecretNames(c, at));
  });
  return issues;
}

function checkSecretNames(c: Customer, at: (...rest: Array<string | number>) => string): FleetIssue[] {
  const issues: FleetIssue[] = [];
  const owners = new Map<string, string>();
  c.mailboxes.forEach((m, j) => {
    const key = m.passwordHashSecret ?? defaultSecretName(m.address);
    const owner = owners.get(key);
    if (owner !== undefined) issues.push({ customer: c.name, path: at("mailboxes", j, "passwordHashSecret"), problem: `${key} is also the password key of ${owner}`, fix: "give each mailbox its own passwordHashSecret" });
    owners.set(key, m.address);
  });
  return issues;
}

/** The secret config key for a mailbox whose inventory entry names none: pw-<address as a key>. */
export function defaultSecretName(address: string): string {
  return `pw-${address.replace(/@/g, "-at-").replace(/[^a-zA-Z0-9_-]/g, "-")}`.slice(0, 64);
}

/** Walk the raw document for values that look like password hashes (wherever they were put). */
function findSecretValues(doc: unknown): FleetIssue[] {
  const issues: FleetIssue[] = [];
  const walk = (v: unknown, path: Array<string | number>): void => {
    if (typeof v === "string" && HASH_LIKE.test(v)) {
      issues.push({ customer: customerAt(doc, path), path: pathOf(path), problem: "holds what looks like a password hash; secrets never go in the inventory (it is committed and read by everyone)", fix: "remove it; reference a secret key name (passwordHashSecret) and set the hash with `pulumi config set --secret`" });
    } else if (Array.isArray(v)) v.forEach((x, i) => walk(x, [...path, i]));
    else if (typeof v === "object" && v !== null) for (const [k, x] of Object.entries(v)) walk(x, [...path, k]);
  };
  walk(doc, []);
  return issues;
}

function toFleetIssue(iss: z.core.$ZodIssue, doc: unknown): FleetIssue[] {
  const path = iss.path.filter((p): p is string | number => typeof p !== "symbol");
  const customer = customerAt(doc, path);
  const base = { customer, path: pathOf(path) };
  if (iss.message.includes(FIX_SEP)) {
    const [problem, fix] = iss.message.split(FIX_SEP) as [string, string];
    return [{ ...base, problem, fix }];
  }
  switch (iss.code) {
    case "unrecognized_keys":
      return iss.keys.map((key) => ({ customer, path: pathOf([...path, key]), problem: "is not a known inventory field", fix: "remove it or correct its spelling (see fleet/inventory.example.yaml); mail settings go under overrides" }));
    case "invalid_type":
      return [{ ...base, problem: iss.input === undefined ? "is required but missing" : `must be ${iss.expected === "array" ? "a list" : iss.expected === "object" ? "a mapping" : `a ${iss.expected}`}`, fix: iss.input === undefined ? "add it (see fleet/inventory.example.yaml)" : "correct the value's type" }];
    case "invalid_value":
      return [{ ...base, problem: `must be one of ${iss.values.map((v) => JSON.stringify(v)).join(", ")}`, fix: "pick one of those values" }];
    default:
      return [{ ...base, problem: iss.message, fix: "see fleet/inventory.example.yaml" }];
  }
}

/** The name of the customer a path points into, read from the raw document (even if invalid). */
function customerAt(doc: unknown, path: ReadonlyArray<PropertyKey>): string | undefined {
  if (path[0] !== "customers" || typeof path[1] !== "number") return undefined;
  const list = (doc as { customers?: unknown } | null)?.customers;
  const entry: unknown = Array.isArray(list) ? list[path[1]] : undefined;
  const name = typeof entry === "object" && entry !== null ? (entry as { name?: unknown }).name : undefined;
  return typeof name === "string" ? name : `#${path[1]} (unnamed)`;
}

function pathOf(path: ReadonlyArray<string | number>): string {
  let out = "";
  for (const part of path) out += typeof part === "number" ? `[${part}]` : out === "" ? part : `.${part}`;
  return out === "" ? "(top level)" : out;
}
