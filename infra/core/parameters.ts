// The contract between the cloud and the host: which SSM Parameter Store parameters hold what.
// The AWS layer writes them; the host's secret source (ssm on AWS, file in the lab) reads the
// whole tree under the stack's prefix. Names use only SSM-safe characters: addresses are not
// part of names (they may contain '+'); each entry is keyed by a short hash and carries its
// address in its value. Secrets (private keys, password hashes, SMTP credentials) are
// SecureString; public material (certificates, lists, the host bundle) is String.
import { createHash } from "node:crypto";
import { type MailConfig, ssmPrefix } from "../config";

export type ParameterKind = "String" | "SecureString";

export interface ParameterName {
  readonly name: string;
  readonly kind: ParameterKind;
}

/** Short, stable, SSM-safe id for an address. */
function addressId(address: string): string {
  return createHash("sha256").update(address).digest("hex").slice(0, 16);
}

export function parameterNames(cfg: Pick<MailConfig, "stack">) {
  const p = ssmPrefix(cfg);
  return {
    prefix: p,
    /** PEM private key for DKIM signing of one domain/selector. */
    dkimKey: (domain: string, selector: string): ParameterName => ({ name: `${p}/dkim/${domain}/${selector}`, kind: "SecureString" }),
    /** The server's TLS private key (PEM). Stable across renewals, so DANE TLSA 3 1 1 holds. */
    tlsKey: { name: `${p}/tls/key`, kind: "SecureString" } as ParameterName,
    /** Certificate chain (PEM), self-signed mode only; ACME mode obtains it on the host. */
    tlsCert: { name: `${p}/tls/cert`, kind: "String" } as ParameterName,
    /** The stack CA certificate (PEM), self-signed mode only: clients (the lab) trust it. */
    tlsCa: { name: `${p}/tls/ca`, kind: "String" } as ParameterName,
    /** One mailbox: JSON {address, quotaMb, passwordHash}. */
    mailbox: (address: string): ParameterName => ({ name: `${p}/mailboxes/${addressId(address)}`, kind: "SecureString" }),
    /** One alias: JSON {from, to[]}. */
    alias: (from: string): ParameterName => ({ name: `${p}/aliases/${addressId(from)}`, kind: "String" }),
    /** Local block/allow lists: JSON string arrays, one parameter per list. */
    list: (list: LocalList): ParameterName => ({ name: `${p}/lists/${list}`, kind: "String" }),
    /** SES SMTP credentials, JSON {host, port, username, password}; outbound mode ses only. */
    sesSmtp: { name: `${p}/ses/smtp`, kind: "SecureString" } as ParameterName,
    /** Which selector each sending domain signs with now (JSON {domain: selector}; infra/core/dkim-signing.ts).
     * Public; re-read on every sync, so a DKIM rotation's switch changes no host file the user data pins. */
    dkimSigning: { name: `${p}/dkim-signing`, kind: "String" } as ParameterName,
    /** Rspamd controller password hash (JSON string); never the password itself. */
    rspamdController: { name: `${p}/rspamd/controller`, kind: "SecureString" } as ParameterName,
    /** Part n (from 0) of the host bundle (infra/core/host/bundle.ts): public config, no secret. */
    hostBundlePart: (n: number): ParameterName => ({ name: `${p}/host/bundle/${String(n).padStart(3, "0")}`, kind: "String" }),
    /** Roundcube's des_key (random, base64url): seals sessions and the stored TOTP secrets. */
    webmailDesKey: { name: `${p}/webmail/des-key`, kind: "SecureString" } as ParameterName,
    /** A declared (service) app password: JSON {address, name, passwordHash}. */
    serviceAppPassword: (address: string, name: string): ParameterName => ({ name: `${p}/app-passwords/${addressId(address)}-${name}`, kind: "SecureString" }),
    /** Where the DKIM rotation stands (infra/core/dkim-rotation.ts): JSON, public, written by
     * `pulumi up` after the DNS records and read back by the next run. The host ignores it. */
    dkimRotationState: { name: `${p}/state/dkim-rotation`, kind: "String" } as ParameterName,
    /** The folder it lives in: a by-path read of it is empty (not an error) before the first up. */
    stateFolder: `${p}/state`,
  };
}

export const LOCAL_LISTS = ["block-ips", "block-domains", "block-url-hosts", "allow-ips", "allow-domains"] as const;
export type LocalList = (typeof LOCAL_LISTS)[number];

/** The contents of each local list, from config. */
export function localListValues(cfg: MailConfig): Record<LocalList, readonly string[]> {
  return {
    "block-ips": cfg.antispam.blockIps,
    "block-domains": cfg.antispam.blockDomains,
    "block-url-hosts": cfg.antispam.blockUrlHosts,
    "allow-ips": cfg.antispam.allowIps,
    "allow-domains": cfg.antispam.allowDomains,
  };
}
