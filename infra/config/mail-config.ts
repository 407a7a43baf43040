// The typed, validated, defaults-applied configuration every other part of mailfort reads.
import type { DkimLayout } from "./dkim-layout";
import type { ParsedMailConfig } from "./schema";

type ParsedDomain = ParsedMailConfig["domains"][number];

export interface DomainConfig extends Omit<ParsedDomain, "dmarc" | "tlsRptRua"> {
  readonly dmarc: ParsedDomain["dmarc"] & { readonly rua: readonly string[]; readonly subdomainPolicy: ParsedDomain["dmarc"]["policy"] };
  readonly tlsRptRua: readonly string[];
}

export interface AliasConfig {
  readonly from: string;
  readonly to: readonly string[];
  /** Added by mailfort (postmaster@, abuse@ per RFC 2142) rather than written by the user. */
  readonly implicit: boolean;
}

/** `auth` with its environment-dependent default applied. */
export interface AuthConfig extends Omit<ParsedMailConfig["auth"], "appPasswords"> {
  readonly appPasswords: boolean;
}

export interface MailConfig extends Omit<ParsedMailConfig, "domains" | "aliases" | "auth"> {
  /** The Pulumi stack name: names resources and the SSM path /mailfort/<stack>/. */
  readonly stack: string;
  readonly domains: readonly DomainConfig[];
  readonly aliases: readonly AliasConfig[];
  readonly auth: AuthConfig;
  /** The DKIM generations live on this run: steady at dkim.rotation.generation after parsing;
   * the program puts in the rotation step's (infra/core/dkim-rotation.ts). */
  readonly dkimLayout: DkimLayout;
}

/** Domains that take and send mail (not parked). */
export function mailDomains(cfg: MailConfig): readonly DomainConfig[] {
  return cfg.domains.filter((d) => d.sendsMail);
}

/** SSM Parameter Store path prefix owned by this stack (no trailing slash). */
export function ssmPrefix(cfg: Pick<MailConfig, "stack">): string {
  return `/mailfort/${cfg.stack}`;
}
