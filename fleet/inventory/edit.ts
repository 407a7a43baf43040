// Add a customer to the inventory text. Uses the `yaml` package's document model rather than
// js-yaml: js-yaml can only load and dump plain data, which would drop every comment and
// reformat the whole file an MSP maintains by hand; `yaml` edits the document in place and
// keeps comments, order and formatting of everything it does not touch.
import { Document, isMap, isSeq, parseDocument } from "yaml";
import { FleetError } from "../issues";
import { ENVIRONMENTS, type EnvironmentName } from "./schema";

export interface NewCustomer {
  readonly name: string;
  readonly domains: readonly string[];
  readonly environments: readonly EnvironmentName[];
  readonly tier: string;
  /** Mailbox addresses; when empty, postmaster@<first domain> (someone must get role mail). */
  readonly mailboxes: readonly string[];
}

export function addCustomer(text: string, c: NewCustomer, source: string): string {
  const doc = parseDocument(text);
  if (doc.errors.length > 0) throw new FleetError([{ path: source, problem: `is not valid YAML: ${doc.errors[0]?.message ?? ""}`, fix: "fix the YAML first" }], source);
  let customers = doc.get("customers");
  if (customers === undefined || customers === null) {
    doc.set("customers", doc.createNode([]));
    customers = doc.get("customers");
  }
  if (!isSeq(customers)) throw new FleetError([{ path: "customers", problem: "is not a list", fix: "make `customers:` a YAML list" }], source);
  const taken = customers.items.some((item) => isMap(item) && item.get("name") === c.name);
  if (taken) throw new FleetError([{ customer: c.name, path: "customers[].name", problem: `customer ${c.name} already exists`, fix: "edit its entry in the inventory instead, or pick another name" }], source);
  const bad = c.environments.filter((e) => !(ENVIRONMENTS as readonly string[]).includes(e));
  if (bad.length > 0) throw new FleetError([{ customer: c.name, path: "--env", problem: `${bad.join(", ")} is not an environment`, fix: `use ${ENVIRONMENTS.join(", ")}` }], source);

  // With several environments, every one but prod serves <env>.<domain>, so they never collide.
  const several = c.environments.length > 1;
  const environments = c.environments.map((e) => (several && e !== "prod" ? { name: e, domainPrefix: e } : e));
  const mailboxes = c.mailboxes.length > 0 ? c.mailboxes : [`postmaster@${c.domains[0] ?? ""}`];
  const entry = {
    name: c.name,
    environments,
    tier: c.tier,
    domains: c.domains.map((name) => ({ name })),
    mailboxes: mailboxes.map((address) => ({ address })),
  };
  const rendered = new Document([entry]);
  // Short lists read best inline: environments: [prod]
  const envNode = rendered.getIn([0, "environments"], true);
  if (isSeq(envNode) && !several) envNode.flow = true;
  const itemText = rendered.toString();

  // Splice the new entry's text after the last customer, so every byte of the existing file
  // (comments, spacing, flow styles) stays as the MSP wrote it. Only a missing, empty or
  // inline customers list is re-serialised (yaml still keeps the comments then).
  const last = customers.items.at(-1);
  if (!customers.flow && last !== undefined && customers.range) {
    const start = customers.range[0];
    const column = start - text.lastIndexOf("\n", start - 1) - 1;
    const at = customers.range[1];
    const indented = itemText.trimEnd().split("\n").map((l) => `${" ".repeat(column)}${l}`).join("\n");
    const before = text.slice(0, at);
    return `${before}${before.endsWith("\n") ? "" : "\n"}${indented}\n${text.slice(at)}`;
  }
  customers.items.push(doc.createNode(entry));
  return doc.toString();
}