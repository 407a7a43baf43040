// The fleet inventory, as a schema: shared defaults on top, then one entry per customer.
// Only fleet-level shape is checked here (slugs, tiers, environments, that no secret value is
// present); the mail settings themselves are validated by the stack config model on every
// generated stack, so there is one source of truth for what a valid mail setting is.
// Messages carry "problem" and "fix" separated by FIX_SEP, like the stack config schema.
import { z } from "zod";
import { FIX_SEP, SECRET_KEY_RE, isDomainName, isMailAddress, mailConfigSchema } from "../../infra/config";

const say = (problem: string, fix: string): string => `${problem}${FIX_SEP}${fix}`;

/** Customer names become stack names (`<customer>-<env>`), AWS resource names and SSM paths. */
const CUSTOMER_RE = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/;
export const ENVIRONMENTS = ["dev", "staging", "prod"] as const;
export type EnvironmentName = (typeof ENVIRONMENTS)[number];

/** mailfort: keys an inventory may set; `environment` is derived from the environment entry. */
export const MAIL_CONFIG_KEYS: readonly string[] = Object.keys(mailConfigSchema.shape);
const FORBIDDEN_OVERRIDES = new Set(["environment"]);
/** Keys with a first-class inventory field: overriding them too would make two places to look. */
const FIRST_CLASS = new Set(["domains", "mailboxes", "aliases", "hostname"]);

const slug = z.string().max(40, { error: say("is longer than 40 characters", "shorten it: it names a stack, AWS resources and SSM paths") })
  .regex(CUSTOMER_RE, { error: (iss) => say(`${JSON.stringify(iss.input)} is not a lowercase slug`, "use lowercase letters, digits and single inner hyphens, starting with a letter, e.g. acme-corp") });
const domainName = z.string().refine(isDomainName, {
  error: (iss) => say(`${JSON.stringify(iss.input)} is not a valid lowercase domain name`, "use lowercase letters, digits and inner hyphens in dot-separated labels, e.g. acme.example"),
});
const mailAddress = z.string().refine(isMailAddress, {
  error: (iss) => say(`${JSON.stringify(iss.input)} is not a plain lowercase mail address`, "write local@domain using a-z 0-9 . _ + - in the local part"),
});
const zoneId = z.string().regex(/^Z[A-Z0-9]{1,31}$/, { error: say("is not a Route53 hosted zone id", "copy it from `aws route53 list-hosted-zones`, e.g. Z0123456789ABCDEFGHIJ") });

/** Overrides: any mailfort: key (without prefix) except the derived and first-class ones. */
const overrides = z.record(z.string(), z.unknown()).superRefine((rec, ctx) => {
  for (const key of Object.keys(rec)) {
    const bare = key.startsWith("mailfort:") ? key.slice("mailfort:".length) : key;
    let message: string | undefined;
    if (FORBIDDEN_OVERRIDES.has(bare)) message = say("is derived from the environment name", "remove it: list the environment under `environments` instead");
    else if (FIRST_CLASS.has(bare)) message = say(`has its own inventory field`, `move it to the customer's (or environment's) \`${bare}\` field`);
    else if (!MAIL_CONFIG_KEYS.includes(bare)) message = say("is not a mailfort: config key", `use one of: ${MAIL_CONFIG_KEYS.filter((k) => !FORBIDDEN_OVERRIDES.has(k) && !FIRST_CLASS.has(k)).join(", ")}`);
    if (message !== undefined) ctx.addIssue({ code: "custom", path: [key], message, input: rec[key] });
  }
});

const tierSchema = z.strictObject({
  instanceType: z.string().regex(/^[a-z][a-z0-9-]*\.[a-z0-9]+$/, { error: say("is not an EC2 instance type", "write e.g. t4g.small") }),
  /** Derived from the type (Graviton "g" families are arm64) unless given. */
  arch: z.enum(["arm64", "amd64"]).optional(),
  dataVolumeGb: z.number().int().min(1).max(16_384),
  rootVolumeGb: z.number().int().min(8).max(1024).optional(),
});
export type Tier = z.output<typeof tierSchema>;

/** Built-in size tiers; the inventory's `defaults.tiers` may redefine or add to them. */
export const BUILTIN_TIERS: Readonly<Record<string, Tier>> = {
  small: { instanceType: "t4g.small", dataVolumeGb: 20 },
  medium: { instanceType: "t4g.medium", dataVolumeGb: 100 },
  large: { instanceType: "t4g.large", dataVolumeGb: 500 },
};

/** A domain: `name` is checked here, every other option is passed through to mailfort:domains. */
const domainSchema = z.looseObject({ name: domainName });

const PASSWORD_FIELDS = ["password", "passwordHash", "hash"] as const;
const mailboxSchema = z.strictObject({
  address: mailAddress,
  quotaMb: z.number().int().min(1).max(1_048_576).optional(),
  /** Secret config key for the hash; derived from the address when absent. Never the hash itself. */
  passwordHashSecret: z.string().regex(SECRET_KEY_RE, { error: say("is not a usable config key name", "use letters, digits, '-' or '_', starting with a letter, e.g. alice-password") }).optional(),
  ...Object.fromEntries(PASSWORD_FIELDS.map((f) => [f, z.undefined({
    error: say("a password or hash never goes in the inventory", "remove it; name a secret key in passwordHashSecret and set the hash with `pulumi config set --secret` (fleet add prints the command)"),
  }).optional()])),
});

const aliasSchema = z.strictObject({
  from: mailAddress,
  to: z.array(mailAddress).min(1, { error: say("has no targets", "list at least one address under `to`") }),
});

const environmentEntry = z.union([
  z.enum(ENVIRONMENTS, { error: say(`is not an environment name`, `use one of ${ENVIRONMENTS.join(", ")}`) }),
  z.strictObject({
    name: z.enum(ENVIRONMENTS, { error: say("is not an environment name", `use one of ${ENVIRONMENTS.join(", ")}`) }),
    /** Serve `<prefix>.<domain>` for each customer domain (mailboxes and aliases move with it),
     * so a staging stack never collides with prod. */
    domainPrefix: z.string().regex(/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/, { error: say("is not a DNS label", "use e.g. staging") }).optional(),
    hostname: domainName.optional(),
    tier: z.string().optional(),
    overrides: overrides.optional(),
  }),
], { error: say("is neither an environment name nor an environment entry", `write e.g. prod, or { name: staging, domainPrefix: staging }`) });

const customerSchema = z.strictObject({
  name: slug,
  environments: z.array(environmentEntry).min(1, { error: say("lists no environment", "add e.g. environments: [prod]") }),
  tier: z.string().default("small"),
  /** The mail server name; defaults to mail.<first domain> (mail.<prefix>.<domain> with a domainPrefix). */
  hostname: domainName.optional(),
  domains: z.array(domainSchema).min(1, { error: say("lists no domains", "add at least one, e.g. domains: [{ name: acme.example }]") }),
  mailboxes: z.array(mailboxSchema).default([]),
  aliases: z.array(aliasSchema).default([]),
  overrides: overrides.default({}),
  /** Existing hosted zones this customer knowingly shares with other customers (each must declare it). */
  sharedHostedZones: z.array(zoneId).default([]),
  /** Declare that this customer's environments deliberately serve the same domains/hostname
   * (e.g. staging kept dark). Without it, two environments of one customer may not overlap. */
  environmentsShareDomains: z.boolean().default(false),
});

export const inventorySchema = z.strictObject({
  defaults: z.strictObject({
    region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-[0-9]$/, { error: say("is not an AWS region", "write e.g. eu-west-1") }),
    tiers: z.record(z.string().regex(/^[a-z][a-z0-9-]*$/, { error: say("is not a tier name", "use a lowercase name such as small") }), tierSchema).default({}),
    /** mailfort: values every stack gets (antispam, limits, tls, backups, alarmEmail, ...). */
    config: overrides.default({}),
  }, { error: say("is missing", "add a `defaults:` block with at least `region:`") }),
  customers: z.array(customerSchema).default([]),
});

export type InventoryInput = z.input<typeof inventorySchema>;
export type Inventory = z.output<typeof inventorySchema>;
export type Customer = z.output<typeof customerSchema>;
export type EnvironmentEntry = z.output<typeof environmentEntry>;
