// Test helpers: load the repository's stacks (and synthetic ones) as MailConfig.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { type MailConfig, parseMailConfig, parseStackFile } from "../../infra/config";

export const STACKS = ["lab", "dev", "prod"] as const;

export function loadStack(stack: string): MailConfig {
  const path = join(__dirname, "../../stacks", `Pulumi.${stack}.yaml`);
  return parseMailConfig(parseStackFile(readFileSync(path, "utf8"), path), stack);
}

/** A big customer: 20 domains, 200 mailboxes, 100 aliases. */
export function bigStack(domainCount = 20): MailConfig {
  const domains = Array.from({ length: domainCount }, (_, i) => ({ name: `customer-domain-${i + 1}.example`, dkimSelector: `sel${2026 + i}` }));
  const mailboxes = Array.from({ length: 200 }, (_, i) => ({
    address: `user${i + 1}@${domains[i % domainCount].name}`, quotaMb: 1024 + i, passwordHashSecret: `pw${i + 1}`,
  }));
  const aliases = Array.from({ length: 100 }, (_, i) => ({ from: `team${i + 1}@${domains[i % domainCount].name}`, to: [mailboxes[i].address, mailboxes[i + 1].address] }));
  const hash = "{BLF-CRYPT}$2b$10$7F3KnM4AkwlVFTgLk3vc2OPrJRpagN5eg0Bge88bHeHcoU0v2ziBy";
  const values: Record<string, string> = {
    "mailfort:region": "eu-west-1",
    "mailfort:environment": "prod",
    "mailfort:hostname": "mx.customer-domain-1.example",
    "mailfort:domains": JSON.stringify(domains),
    "mailfort:mailboxes": JSON.stringify(mailboxes),
    "mailfort:aliases": JSON.stringify(aliases),
    "mailfort:tls": JSON.stringify({ acmeEmail: "hostmaster@customer-domain-1.example" }),
    "mailfort:features": JSON.stringify({ pop3: true, ipv6: true }),
  };
  for (let i = 1; i <= 200; i++) values[`mailfort:pw${i}`] = hash;
  return parseMailConfig({ values, secretKeys: new Set(Object.keys(values).filter((k) => k.startsWith("mailfort:pw"))) }, domainCount === 20 ? "big" : `big${domainCount}`);
}
