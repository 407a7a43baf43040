// The file-level fleet commands (generate, add, validate, secrets) as plain functions over a
// workspace: they return an exit code and print through `out`, so tests drive them in-process.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { type GeneratedStack, generateFleet } from "./generate";
import { addCustomer, type NewCustomer } from "./inventory/edit";
import { parseInventory } from "./inventory/load";
import type { Inventory } from "./inventory/schema";
import { FleetError, formatFleetIssues } from "./issues";
import { secretCommands } from "./secrets";
import { type FleetValidation, validateFleet } from "./validate";
import { type FleetWorkspace, readStack } from "./workspace";
import { writeStacks } from "./write-stacks";

export type Out = (line: string) => void;

export function loadInventory(ws: FleetWorkspace): Inventory {
  if (!existsSync(ws.inventoryPath)) {
    throw new FleetError([{ path: ws.inventorySource, problem: "does not exist", fix: "copy fleet/inventory.example.yaml there, or pass --inventory <file>" }], ws.inventorySource);
  }
  return parseInventory(readFileSync(ws.inventoryPath, "utf8"), ws.inventorySource);
}

/** Only the listed customers (all when `customers` is undefined); unknown names are an error. */
export function selectStacks(inv: Inventory, customers: readonly string[] | undefined): GeneratedStack[] {
  const all = generateFleet(inv);
  if (customers === undefined) return all;
  const unknown = customers.filter((c) => !inv.customers.some((x) => x.name === c));
  if (unknown.length > 0) throw new FleetError(unknown.map((c) => ({ customer: c, path: "--customers", problem: "is not in the inventory", fix: `use one of: ${inv.customers.map((x) => x.name).join(", ")}` })), "--customers");
  return all.filter((g) => customers.includes(g.customer));
}

export function generateCommand(ws: FleetWorkspace, opts: { force: boolean; customers?: readonly string[] }, out: Out): number {
  const gens = selectStacks(loadInventory(ws), opts.customers);
  const results = writeStacks(ws, gens, opts.force);
  let refused = 0;
  for (const r of results) {
    const d = r.decision;
    if (d.kind === "hand-edited") {
      out(`${r.written ? "overwrote (--force)" : "REFUSED"}  ${r.path}: edited by hand since fleet wrote it`);
      out(d.diff);
      if (!r.written) refused++;
    } else {
      out(`${d.kind.padEnd(9)} ${r.path}`);
    }
  }
  if (refused > 0) {
    out(`${refused} hand-edited stack file(s) left as they are. Move the change into the inventory (overrides), then rerun with --force to overwrite.`);
    return 1;
  }
  return 0;
}

export function addCommand(ws: FleetWorkspace, c: NewCustomer, opts: { force: boolean }, out: Out): number {
  const before = existsSync(ws.inventoryPath) ? readFileSync(ws.inventoryPath, "utf8") : "defaults:\n  region: eu-west-1\ncustomers: []\n";
  const after = addCustomer(before, c, ws.inventorySource);
  const inv = parseInventory(after, ws.inventorySource); // validate before touching anything
  const gens = generateFleet(inv).filter((g) => g.customer === c.name);
  writeFileSync(ws.inventoryPath, after);
  out(`added customer ${c.name} to ${ws.inventorySource}`);
  const code = generateCommand(ws, { force: opts.force, customers: [c.name] }, out);
  const check = validateFleet(inv, gens, (s) => readStack(ws, s), ws.inventorySource);
  for (const line of secretCommands(check.pending)) out(line);
  if (check.issues.length > 0) {
    out(formatFleetIssues(check.issues, `customer ${c.name}`));
    return 1;
  }
  return code;
}

export function validateCommand(ws: FleetWorkspace, opts: { strict: boolean; customers?: readonly string[] }, out: Out): { code: number; result: FleetValidation } {
  const inv = loadInventory(ws);
  const result = validateFleet(inv, selectStacks(inv, opts.customers), (s) => readStack(ws, s), ws.inventorySource);
  for (const s of result.stacks) {
    const state = s.issues.length > 0 ? "INVALID" : s.pending.length > 0 ? `ok, ${s.pending.length} secret(s) pending` : "ok";
    out(`${s.gen.stack.padEnd(32)} ${state}`);
  }
  if (result.issues.length > 0) out(formatFleetIssues(result.issues, "the fleet"));
  if (result.pending.length > 0) {
    out(`${result.pending.length} secret value(s) are not set yet (pending, not errors${opts.strict ? "; --strict makes them errors" : ""}):`);
    for (const line of secretCommands(result.pending)) out(line);
  }
  const failed = result.issues.length > 0 || (opts.strict && result.pending.length > 0);
  out(failed ? "fleet validation FAILED" : `fleet valid: ${result.stacks.length} stack(s)`);
  return { code: failed ? 1 : 0, result };
}

export function secretsCommand(ws: FleetWorkspace, opts: { customers?: readonly string[] }, out: Out): number {
  const inv = loadInventory(ws);
  const result = validateFleet(inv, selectStacks(inv, opts.customers), (s) => readStack(ws, s), ws.inventorySource);
  const lines = secretCommands(result.pending);
  if (lines.length === 0) out("no secret is pending");
  for (const line of lines) out(line);
  return 0;
}
