// The stack configuration model, as a specification: good stacks parse with defaults applied;
// every bad input is refused with the field path, the problem and a fix — all errors at once.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { type MailConfig, parseMailConfig, parseStackFile } from "../../infra/config";
import { MAX_DOMAINS } from "../../infra/config/schema";
import { issuesOf } from "../support/config-issues";

const ALICE_HASH = "{BLF-CRYPT}$2b$10$7F3KnM4AkwlVFTgLk3vc2OPrJRpagN5eg0Bge88bHeHcoU0v2ziBy";
const ARGON_HASH = "{ARGON2ID}$argon2id$v=19$m=65536,t=3,p=1$c29tZXNhbHRzb21lc2FsdA$Zm9vYmFyYmF6cXV4Zm9vYmFyYmF6cXV4Zm9vYmFy";

type Cfg = Record<string, unknown>;

/** A minimal valid stack, as Pulumi would hand it over (JSON text per key). */
function base(): Cfg {
  return {
    region: "eu-west-1",
    hostname: "mail.example.com",
    domains: [{ name: "example.com" }],
    mailboxes: [{ address: "alice@example.com", passwordHashSecret: "alice-password" }],
    tls: { mode: "acme", acmeEmail: "ops@example.com" },
  };
}

function parse(cfg: Cfg, secrets: Record<string, string> = { "alice-password": ALICE_HASH }, plain: string[] = [], stack = "dev"): MailConfig {
  const values: Record<string, string> = {};
  for (const [k, v] of Object.entries(cfg)) values[`mailfort:${k}`] = typeof v === "string" ? v : JSON.stringify(v);
  const secretKeys = new Set<string>();
  for (const [k, v] of Object.entries(secrets)) {
    values[`mailfort:${k}`] = v;
    if (!plain.includes(k)) secretKeys.add(`mailfort:${k}`);
  }
  return parseMailConfig({ values, secretKeys }, stack);
}


const edit = (f: (c: Cfg) => void): Cfg => { const c = base(); f(c); return c; };

describe("good stacks", () => {
  it.each(["lab", "dev", "prod"])("stacks/Pulumi.%s.yaml parses", (stack) => {
    const file = parseStackFile(readFileSync(`stacks/Pulumi.${stack}.yaml`, "utf8"), stack);
    const cfg = parseMailConfig(file, stack);
    expect(cfg.stack).toBe(stack);
    expect(cfg.domains.length).toBeGreaterThan(0);
  });

  it("applies secure defaults", () => {
    const cfg = parse(base());
    expect(cfg.instance).toMatchObject({ type: "t4g.small", arch: "arm64", dataVolumeGb: 20 });
    expect(cfg.features).toEqual({ pop3: false, clamav: false, ipv6: false, dnssec: false, webmail: true });
    expect(cfg.domains[0]).toMatchObject({ sendsMail: true, dkimSelector: "mail", dmarc: { policy: "reject", subdomainPolicy: "reject", rua: ["dmarc-reports@example.com"] }, tlsRptRua: ["tls-reports@example.com"], mtaSts: { mode: "enforce", maxAgeDays: 7 } });
    expect(cfg.limits.messageSizeMb).toBe(25);
    expect(cfg.outbound.mode).toBe("direct");
    expect(cfg.environment).toBe("dev");
    expect(cfg.antispam.dnsbls.map((d) => d.zone)).toContain("zen.spamhaus.org");
  });

  it("adds postmaster@ and abuse@ for each mail domain, unless the user defined them", () => {
    const cfg = parse(edit((c) => {
      c.domains = [{ name: "example.com" }, { name: "example.net" }];
      c.aliases = [{ from: "abuse@example.net", to: ["alice@example.com"] }];
    }));
    const implicit = cfg.aliases.filter((a) => a.implicit).map((a) => `${a.from}->${a.to.join(",")}`);
    expect(implicit).toEqual(["postmaster@example.com->alice@example.com", "abuse@example.com->alice@example.com", "postmaster@example.net->alice@example.com"]);
  });

  it("accepts ARGON2ID hashes and a parked domain without mailboxes", () => {
    const cfg = parse(edit((c) => { c.domains = [{ name: "example.com" }, { name: "example.org", sendsMail: false }]; }), { "alice-password": ARGON_HASH });
    expect(cfg.domains[1]?.sendsMail).toBe(false);
    expect(cfg.aliases.some((a) => a.from.endsWith("@example.org"))).toBe(false);
  });

  it("reads scalar values as Pulumi stores them (text) and structured ones as JSON", () => {
    const cfg = parse(edit((c) => { c.alarmEmail = "oncall@example.net"; c.limits = { messageSizeMb: 10 }; }));
    expect(cfg.alarmEmail).toBe("oncall@example.net");
    expect(cfg.limits.messageSizeMb).toBe(10);
  });

  it("allows a plain-text password hash only in the lab environment", () => {
    expect(() => parse(edit((c) => { c.environment = "lab"; }), { "alice-password": ALICE_HASH }, ["alice-password"])).not.toThrow();
  });
});

// Each row: a name, a mutation of the minimal valid stack, and the field path the error must name.
const hostile = ["exa mple.com", "example.com\nrelayhost = evil", "example.com;rm -rf /", "\"example.com\"", "example.com,evil.com", "ex$ample.com", "EXAMPLE.com", "example..com", "-example.com", "example.com.", "example.123"];
const badRows: Array<[string, (c: Cfg) => void, string]> = [
  ["missing region", (c) => { delete c.region; }, "mailfort:region"],
  ["region not a region", (c) => { c.region = "europe"; }, "mailfort:region"],
  ["missing hostname", (c) => { delete c.hostname; }, "mailfort:hostname"],
  ...hostile.map((h, i): [string, (c: Cfg) => void, string] => [`hostile hostname #${i} ${JSON.stringify(h)}`, (c) => { c.hostname = h; }, "mailfort:hostname"]),
  ["domain name with a newline", (c) => { c.domains = [{ name: "example.com\nmydestination = *" }]; }, "mailfort:domains[0].name"],
  ["domain name with a quote", (c) => { c.domains = [{ name: "exam'ple.com" }]; }, "mailfort:domains[0].name"],
  ["no domains", (c) => { c.domains = []; }, "mailfort:domains"],
  ["duplicate domain", (c) => { c.domains = [{ name: "example.com" }, { name: "example.com" }]; }, "mailfort:domains[1].name"],
  ["unknown domain key", (c) => { c.domains = [{ name: "example.com", sendMail: true }]; }, "mailfort:domains[0].sendMail"],
  ["bad zone id", (c) => { c.domains = [{ name: "example.com", zoneId: "zone-1" }]; }, "mailfort:domains[0].zoneId"],
  ["bad DMARC policy", (c) => { c.domains = [{ name: "example.com", dmarc: { policy: "block" } }]; }, "mailfort:domains[0].dmarc.policy"],
  ["DMARC pct out of range", (c) => { c.domains = [{ name: "example.com", dmarc: { pct: 150 } }]; }, "mailfort:domains[0].dmarc.pct"],
  ["DMARC rua with a mailto injection", (c) => { c.domains = [{ name: "example.com", dmarc: { rua: ["a@example.com;ruf=mailto:x@evil.com"] } }]; }, "mailfort:domains[0].dmarc.rua[0]"],
  ["DMARC rua to a hosted address that does not exist", (c) => { c.domains = [{ name: "example.com", dmarc: { rua: ["nobody@example.com"] } }]; }, "mailfort:domains[0].dmarc.rua[0]"],
  ["bad MTA-STS mode", (c) => { c.domains = [{ name: "example.com", mtaSts: { mode: "strict" } }]; }, "mailfort:domains[0].mtaSts.mode"],
  ["bad DKIM selector", (c) => { c.domains = [{ name: "example.com", dkimSelector: "sel ector" }]; }, "mailfort:domains[0].dkimSelector"],
  ["nested domain creating a second zone", (c) => { c.domains = [{ name: "example.com" }, { name: "eu.example.com" }]; }, "mailfort:domains[1].name"],
  ["hostname outside every domain", (c) => { c.hostname = "mail.other.net"; }, "mailfort:hostname"],
  ["mailbox with a space", (c) => { c.mailboxes = [{ address: "al ice@example.com", passwordHashSecret: "alice-password" }]; }, "mailfort:mailboxes[0].address"],
  ["mailbox with a percent hack", (c) => { c.mailboxes = [{ address: "alice%evil.com@example.com", passwordHashSecret: "alice-password" }]; }, "mailfort:mailboxes[0].address"],
  ["mailbox with a bang path", (c) => { c.mailboxes = [{ address: "evil.com!alice@example.com", passwordHashSecret: "alice-password" }]; }, "mailfort:mailboxes[0].address"],
  ["mailbox with a quoted local part", (c) => { c.mailboxes = [{ address: "\"alice\"@example.com", passwordHashSecret: "alice-password" }]; }, "mailfort:mailboxes[0].address"],
  ["mailbox with a colon (Postfix map separator)", (c) => { c.mailboxes = [{ address: "alice:x@example.com", passwordHashSecret: "alice-password" }]; }, "mailfort:mailboxes[0].address"],
  ["mailbox with a shell substitution", (c) => { c.mailboxes = [{ address: "$(reboot)@example.com", passwordHashSecret: "alice-password" }]; }, "mailfort:mailboxes[0].address"],
  ["mailbox in an unconfigured domain", (c) => { c.mailboxes = [{ address: "alice@example.net", passwordHashSecret: "alice-password" }]; }, "mailfort:mailboxes[0].address"],
  ["mailbox in a parked domain", (c) => { c.domains = [{ name: "example.com" }, { name: "example.org", sendsMail: false }]; (c.mailboxes as Cfg[]).push({ address: "bob@example.org", passwordHashSecret: "alice-password" }); }, "mailfort:mailboxes[1].address"],
  ["duplicate mailbox", (c) => { c.mailboxes = [{ address: "alice@example.com", passwordHashSecret: "alice-password" }, { address: "alice@example.com", passwordHashSecret: "alice-password" }]; }, "mailfort:mailboxes[1].address"],
  ["quota of zero", (c) => { c.mailboxes = [{ address: "alice@example.com", quotaMb: 0, passwordHashSecret: "alice-password" }]; }, "mailfort:mailboxes[0].quotaMb"],
  ["password secret key not set", (c) => { c.mailboxes = [{ address: "alice@example.com", passwordHashSecret: "nope" }]; }, "mailfort:mailboxes[0].passwordHashSecret"],
  ["password secret key name with a slash", (c) => { c.mailboxes = [{ address: "alice@example.com", passwordHashSecret: "../etc/shadow" }]; }, "mailfort:mailboxes[0].passwordHashSecret"],
  ["no mailbox at all", (c) => { c.mailboxes = []; }, "mailfort:mailboxes"],
  ["alias without targets", (c) => { c.aliases = [{ from: "info@example.com", to: [] }]; }, "mailfort:aliases[0].to"],
  ["alias to a hosted address that does not exist", (c) => { c.aliases = [{ from: "info@example.com", to: ["bob@example.com"] }]; }, "mailfort:aliases[0].to[0]"],
  ["alias shadowing a mailbox", (c) => { c.aliases = [{ from: "alice@example.com", to: ["alice@example.com"] }]; }, "mailfort:aliases[0].from"],
  ["catch-all alias", (c) => { c.aliases = [{ from: "@example.com", to: ["alice@example.com"] }]; }, "mailfort:aliases[0].from"],
  ["instance type for the wrong architecture", (c) => { c.instance = { type: "t3.small", arch: "arm64" }; }, "mailfort:instance.type"],
  ["instance arch unknown", (c) => { c.instance = { arch: "riscv64" }; }, "mailfort:instance.arch"],
  ["key pair requested", (c) => { c.instance = { keyPairName: "my-key" }; }, "mailfort:instance.keyPairName"],
  ["data volume of zero", (c) => { c.instance = { dataVolumeGb: 0 }; }, "mailfort:instance.dataVolumeGb"],
  ["data volume given as text", (c) => { c.instance = { dataVolumeGb: "twenty" }; }, "mailfort:instance.dataVolumeGb"],
  ["bad subnet id", (c) => { c.network = { subnetId: "my-subnet" }; }, "mailfort:network.subnetId"],
  ["ACME without a contact", (c) => { c.tls = { mode: "acme" }; }, "mailfort:tls.acmeEmail"],
  ["unknown TLS mode", (c) => { c.tls = { mode: "letsencrypt" }; }, "mailfort:tls.mode"],
  ["ACME directory over plain http", (c) => { c.tls = { mode: "acme", acmeEmail: "ops@example.com", acmeDirectory: "http://acme.example/dir" }; }, "mailfort:tls.acmeDirectory"],
  ["ACME directory with a shell metacharacter", (c) => { c.tls = { mode: "acme", acmeEmail: "ops@example.com", acmeDirectory: "https://acme.example/dir;reboot" }; }, "mailfort:tls.acmeDirectory"],
  ["ACME directory with the staging mode", (c) => { c.tls = { mode: "acme-staging", acmeEmail: "ops@example.com", acmeDirectory: "https://acme.example/dir" }; }, "mailfort:tls.acmeDirectory"],
  ["unknown outbound mode", (c) => { c.outbound = { mode: "smarthost" }; }, "mailfort:outbound.mode"],
  ["ClamAV on a 2 GiB instance", (c) => { c.features = { clamav: true }; }, "mailfort:features.clamav"],
  ["feature flag as text", (c) => { c.features = { pop3: "yes" }; }, "mailfort:features.pop3"],
  ["message size limit too large", (c) => { c.limits = { messageSizeMb: 500 }; }, "mailfort:limits.messageSizeMb"],
  ["recipient limit negative", (c) => { c.limits = { recipientsPerMessage: -1 }; }, "mailfort:limits.recipientsPerMessage"],
  ["fractional rate", (c) => { c.limits = { connectionsPerMinute: 2.5 }; }, "mailfort:limits.connectionsPerMinute"],
  ["fail2ban ignore entry not an IP", (c) => { c.bruteForce = { ignoreIps: ["office"] }; }, "mailfort:bruteForce.ignoreIps[0]"],
  ["DNSBL zone with a space", (c) => { c.antispam = { dnsbls: [{ zone: "zen spamhaus.org", weight: 3 }] }; }, "mailfort:antispam.dnsbls[0].zone"],
  ["DNSBL filter with Postfix metacharacters", (c) => { c.antispam = { dnsbls: [{ zone: "zen.spamhaus.org", weight: 3, filter: "127.0.0.2, permit" }] }; }, "mailfort:antispam.dnsbls[0].filter"],
  ["block list IP with a CIDR too wide", (c) => { c.antispam = { blockIps: ["10.0.0.0/33"] }; }, "mailfort:antispam.blockIps[0]"],
  ["IP both blocked and allowed", (c) => { c.antispam = { blockIps: ["192.0.2.1"], allowIps: ["192.0.2.1"] }; }, "mailfort:antispam.blockIps[0]"],
  ["backup interval DLM cannot do", (c) => { c.backups = { intervalHours: 5 }; }, "mailfort:backups.intervalHours"],
  ["backup time not HH:MM", (c) => { c.backups = { timeUtc: "3am" }; }, "mailfort:backups.timeUtc"],
  ["alarm e-mail hosted on the server itself", (c) => { c.alarmEmail = "alice@example.com"; }, "mailfort:alarmEmail"],
  ["more domains than one server holds", (c) => { c.domains = Array.from({ length: MAX_DOMAINS + 1 }, (_, i) => ({ name: `d${i}.example.com`, zoneId: `Z${i}ABC` })); c.hostname = "mail.d0.example.com"; c.mailboxes = [{ address: "alice@d0.example.com", passwordHashSecret: "alice-password" }]; }, "mailfort:domains"],
  ["unknown top-level key", (c) => { c.hostnmae = "mail.example.com"; }, "mailfort:hostnmae"],
  ["unknown environment", (c) => { c.environment = "production"; }, "mailfort:environment"],
  ["policy relaxation without a reason", (c) => { c.policy = { relax: [{ id: "dns-dmarc", reason: "" }] }; }, "mailfort:policy.relax[0].reason"],
];

describe("bad input is refused with the field path and a fix", () => {
  it(`has at least 30 distinct bad inputs (${badRows.length})`, () => {
    expect(new Set(badRows.map((r) => r[0])).size).toBe(badRows.length);
    expect(badRows.length).toBeGreaterThanOrEqual(30);
  });

  it.each(badRows)("%s", (_name, mutate, path) => {
    const issues = issuesOf(() => parse(edit(mutate)));
    const hit = issues.find((i) => i.path === path);
    expect(hit, `expected an issue at ${path}, got ${JSON.stringify(issues)}`).toBeDefined();
    expect(hit?.problem.length).toBeGreaterThan(5);
    expect(hit?.fix.length).toBeGreaterThan(5);
  });

  it("reports every error at once", () => {
    const issues = issuesOf(() => parse(edit((c) => {
      c.hostname = "bad host";
      c.instance = { dataVolumeGb: 0 };
      c.limits = { messageSizeMb: 500 };
      c.tls = { mode: "letsencrypt" };
    })));
    expect(issues.map((i) => i.path).sort()).toEqual(["mailfort:hostname", "mailfort:instance.dataVolumeGb", "mailfort:limits.messageSizeMb", "mailfort:tls.mode"]);
  });

  it("reports cross-field errors together", () => {
    const issues = issuesOf(() => parse(edit((c) => {
      c.hostname = "mail.other.net";
      c.instance = { type: "t3.small", arch: "arm64" };
      c.aliases = [{ from: "info@example.com", to: ["ghost@example.com"] }];
    })));
    expect(issues.map((i) => i.path).sort()).toEqual(["mailfort:aliases[0].to[0]", "mailfort:hostname", "mailfort:instance.type"]);
  });

  it("refuses a weak or malformed password hash without printing it", () => {
    const weak = "{PLAIN}hunter2";
    const issues = issuesOf(() => parse(base(), { "alice-password": weak }));
    expect(issues.map((i) => i.path)).toEqual(["mailfort:alice-password"]);
    expect(JSON.stringify(issues)).not.toContain("hunter2");
  });

  it("refuses a password hash stored in plain text outside the lab", () => {
    const issues = issuesOf(() => parse(base(), { "alice-password": ALICE_HASH }, ["alice-password"]));
    expect(issues[0]?.path).toBe("mailfort:alice-password");
    expect(issues[0]?.fix).toContain("pulumi config set --secret mailfort:alice-password");
  });

  it("refuses a stack name that cannot be an SSM path", () => {
    const issues = issuesOf(() => parse(base(), undefined, [], "dev/../../prod"));
    expect(issues[0]?.path).toBe("stack name");
  });

  it("formats a message that names the field, the problem and the fix", () => {
    try {
      parse(edit((c) => { c.hostname = "bad host"; }));
    } catch (e) {
      expect((e as Error).message).toMatch(/1 error; nothing was created:\n {2}- mailfort:hostname: "bad host" is not a valid lowercase domain name\n {6}fix: /);
      return;
    }
    throw new Error("not refused");
  });
});
