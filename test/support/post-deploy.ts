// A small stack for the post-deploy verify tests: one mail domain, one parked, one mailbox.
import { type MailConfig, parseMailConfig } from "../../infra/config";

export const HASH = "{BLF-CRYPT}$2b$10$7F3KnM4AkwlVFTgLk3vc2OPrJRpagN5eg0Bge88bHeHcoU0v2ziBy";
export const PASSWORD = "verify-Pa55word-never-in-plain-sight";

type Cfg = Record<string, unknown>;

export function base(extra: Cfg = {}): Cfg {
  return {
    region: "eu-west-1",
    environment: "staging",
    hostname: "mail.shop.example",
    domains: [{ name: "shop.example" }, { name: "parked.example", sendsMail: false }],
    mailboxes: [{ address: "owner@shop.example", passwordHashSecret: "owner-password" }],
    tls: { mode: "acme", acmeEmail: "ops@elsewhere.example.net" },
    ...extra,
  };
}

/** The config parsed as the program would; `secrets` set as secret keys unless listed in `plain`. */
export function parse(cfg: Cfg, secrets: Record<string, string> = {}, plain: string[] = []): MailConfig {
  const values: Record<string, string> = { "mailfort:owner-password": HASH };
  const secretKeys = new Set(["mailfort:owner-password"]);
  for (const [k, v] of Object.entries(cfg)) values[`mailfort:${k}`] = typeof v === "string" ? v : JSON.stringify(v);
  for (const [k, v] of Object.entries(secrets)) {
    values[`mailfort:${k}`] = v;
    if (!plain.includes(k)) secretKeys.add(`mailfort:${k}`);
  }
  return parseMailConfig({ values, secretKeys }, "pdv");
}
