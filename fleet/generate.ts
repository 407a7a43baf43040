// Inventory -> one stack configuration per customer and environment, as data. Precedence, from
// weakest to strongest: defaults.config < the size tier < customer overrides < environment
// overrides; objects merge key by key, lists replace. Secret values are never produced here:
// the stack only names its secret keys, and the operator sets them (see secrets.ts).
import { isWithin } from "../infra/config";
import { environmentName, defaultSecretName, stackName, tiersOf } from "./inventory/load";
import { type Customer, type EnvironmentEntry, type Inventory, MAIL_CONFIG_KEYS, type Tier } from "./inventory/schema";

export interface GeneratedStack {
  readonly stack: string;
  readonly customer: string;
  readonly environment: string;
  /** Stack config, keyed `namespace:key` (aws:region, mailfort:*), in a fixed order. */
  readonly config: Record<string, unknown>;
  /** mailfort: keys (without prefix) whose values only the operator sets, as secrets. */
  readonly secretKeys: readonly string[];
  /** Mailbox address for each secret key (for the printed commands). */
  readonly secretOwners: Readonly<Record<string, string>>;
}

type Plain = Record<string, unknown>;

export function generateFleet(inv: Inventory): GeneratedStack[] {
  return inv.customers.flatMap((c) => c.environments.map((e) => generateStack(inv, c, e)));
}

function generateStack(inv: Inventory, c: Customer, env: EnvironmentEntry): GeneratedStack {
  const envName = environmentName(env);
  const entry = typeof env === "string" ? { name: env } : env;
  const relocate = relocator(c.domains.map((d) => d.name), entry.domainPrefix);
  const tier = tiersOf(inv)[entry.tier ?? c.tier] as Tier;

  const domains = c.domains.map((d) => {
    const out = relocate(d) as Plain;
    // A prefixed domain is a new, separate zone: the customer zone's id does not apply to it.
    if (entry.domainPrefix !== undefined) delete out.zoneId;
    return out;
  });
  const secretOwners: Record<string, string> = {};
  const mailboxes = c.mailboxes.map((m) => {
    const address = relocate(m.address) as string;
    const passwordHashSecret = m.passwordHashSecret ?? defaultSecretName(address);
    secretOwners[passwordHashSecret] = address;
    return { address, ...(m.quotaMb === undefined ? {} : { quotaMb: m.quotaMb }), passwordHashSecret };
  });
  const firstDomain = domains[0]?.name as string;
  const hostname = entry.hostname ?? (c.hostname === undefined ? `mail.${firstDomain}` : relocate(c.hostname) as string);

  const tierInstance: Plain = {
    type: tier.instanceType,
    arch: tier.arch ?? (isGravitonType(tier.instanceType) ? "arm64" : "amd64"),
    dataVolumeGb: tier.dataVolumeGb,
    ...(tier.rootVolumeGb === undefined ? {} : { rootVolumeGb: tier.rootVolumeGb }),
  };
  const layers: Plain[] = [
    bare(inv.defaults.config),
    { instance: tierInstance },
    relocate(bare(c.overrides)) as Plain,
    relocate(bare(entry.overrides ?? {})) as Plain,
  ];
  const merged = layers.reduce<Plain>((acc, layer) => deepMerge(acc, layer), { region: inv.defaults.region });
  const first: Plain = {
    region: merged.region,
    environment: envName,
    hostname,
    domains,
    mailboxes,
    ...(c.aliases.length > 0 ? { aliases: relocate(c.aliases) } : {}),
  };
  const config: Plain = { "aws:region": merged.region };
  for (const key of MAIL_CONFIG_KEYS) {
    const value = key in first ? first[key] : merged[key];
    if (value !== undefined) config[`mailfort:${key}`] = value;
  }
  return { stack: stackName(c.name, envName), customer: c.name, environment: envName, config, secretKeys: Object.keys(secretOwners), secretOwners };
}

function isGravitonType(type: string): boolean {
  return /^[a-z]+\d+[a-z]*g[a-z]*\./.test(type);
}

/** With a domain prefix, rewrite every name and address inside a customer domain d to <prefix>.d. */
function relocator(customerDomains: readonly string[], prefix: string | undefined): (v: unknown) => unknown {
  const move = (s: string): string => {
    if (prefix === undefined) return s;
    const at = s.lastIndexOf("@");
    const host = at >= 0 ? s.slice(at + 1) : s;
    const d = customerDomains.find((dom) => isWithin(host, dom));
    if (d === undefined) return s;
    const moved = `${host.slice(0, host.length - d.length)}${prefix}.${d}`;
    return at >= 0 ? `${s.slice(0, at + 1)}${moved}` : moved;
  };
  const walk = (v: unknown): unknown => {
    if (typeof v === "string") return move(v);
    if (Array.isArray(v)) return v.map(walk);
    if (isPlain(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  return walk;
}

/** Override keys may be written with or without the `mailfort:` prefix. */
function bare(rec: Plain): Plain {
  return Object.fromEntries(Object.entries(rec).map(([k, v]) => [k.startsWith("mailfort:") ? k.slice(9) : k, v]));
}

function deepMerge(base: Plain, over: Plain): Plain {
  const out: Plain = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    out[k] = isPlain(b) && isPlain(v) ? deepMerge(b, v) : v;
  }
  return out;
}

function isPlain(v: unknown): v is Plain {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
