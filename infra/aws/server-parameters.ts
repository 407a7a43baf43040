// The SSM parameters a mail server's host reads at boot and on every sync (infra/core/parameters.ts
// names them): DKIM and TLS private keys, the selector each domain signs with, mailboxes, aliases, local lists, the host bundle (its
// configuration files, read once per instance), and, when they exist, the self-signed chain and
// CA and the SES SMTP credentials.
import * as pulumi from "@pulumi/pulumi";
import type { MailConfig } from "../config";
import type { HostBundle } from "../core/host";
import { dkimSigningText } from "../core/dkim-signing";
import { LOCAL_LISTS, localListValues, parameterNames } from "../core/parameters";
import type { DkimKey } from "./dkim-keys";
import type { ParameterSpec } from "./parameter-store";
import type { SesRelay } from "./ses-relay";
import type { TlsMaterial } from "./tls-material";

export interface ServerSecrets {
  readonly dkim: readonly DkimKey[];
  readonly tls: TlsMaterial;
  /** Password hash per mailbox (and service app password) `passwordHashSecret` key, as secret outputs. */
  readonly passwordHashes: Readonly<Record<string, pulumi.Input<string>>>;
  /** Roundcube's des_key, when the webmail is on (random, kept in state as a secret). */
  readonly webmailDesKey?: pulumi.Input<string>;
  readonly ses?: SesRelay;
  /** The host's files beyond the user data's bootstrap, packed for SSM. */
  readonly hostBundle: HostBundle;
}

export function serverParameters(cfg: MailConfig, s: ServerSecrets): ParameterSpec[] {
  const names = parameterNames(cfg);
  const parameters: ParameterSpec[] = [
    ...s.dkim.map((k): ParameterSpec => ({ ...names.dkimKey(k.domain, k.selector), value: k.privateKeyPem, description: `DKIM private key ${k.selector}._domainkey.${k.domain}` })),
    { ...names.dkimSigning, value: dkimSigningText(cfg), description: "DKIM selector each domain signs with (the rotation step's), read by mailfort-sync" },
    { ...names.tlsKey, value: s.tls.serverKeyPem, description: `TLS private key of ${cfg.hostname}` },
    ...cfg.mailboxes.map((m): ParameterSpec => {
      const hash = s.passwordHashes[m.passwordHashSecret];
      if (hash === undefined) throw new Error(`internal: no password hash passed for ${m.passwordHashSecret}`);
      return {
        ...names.mailbox(m.address),
        value: pulumi.output(hash).apply((passwordHash) => JSON.stringify({ address: m.address, quotaMb: m.quotaMb, passwordHash })),
        description: `mailbox ${m.address}`,
      };
    }),
    ...cfg.aliases.map((a): ParameterSpec => ({ ...names.alias(a.from), value: JSON.stringify({ from: a.from, to: a.to }), description: `alias ${a.from}` })),
    ...LOCAL_LISTS.map((l): ParameterSpec => ({ ...names.list(l), value: JSON.stringify(localListValues(cfg)[l]), description: `local list ${l}` })),
    ...s.hostBundle.chunks.map((value, n): ParameterSpec => ({
      ...names.hostBundlePart(n), value,
      description: `host files bundle sha256:${s.hostBundle.sha256.slice(0, 16)}, part ${n + 1} of ${s.hostBundle.chunks.length} (base64 of gzip JSON)`,
    })),
  ];
  for (const a of cfg.auth.serviceAppPasswords) {
    const hash = s.passwordHashes[a.passwordHashSecret];
    if (hash === undefined) throw new Error(`internal: no password hash passed for ${a.passwordHashSecret}`);
    parameters.push({
      ...names.serviceAppPassword(a.address, a.name),
      value: pulumi.output(hash).apply((passwordHash) => JSON.stringify({ address: a.address, name: a.name, passwordHash })),
      description: `app password ${a.name} of ${a.address}`,
    });
  }
  if (s.webmailDesKey !== undefined) parameters.push({ ...names.webmailDesKey, value: s.webmailDesKey, description: "Roundcube des_key (sessions, sealed TOTP secrets)" });
  if (s.tls.certChainPem !== undefined && s.tls.caCertPem !== undefined) {
    parameters.push(
      { ...names.tlsCert, value: s.tls.certChainPem, description: `self-signed certificate chain of ${cfg.hostname}` },
      { ...names.tlsCa, value: s.tls.caCertPem, description: `mailfort ${cfg.stack} CA certificate` },
    );
  }
  if (s.ses !== undefined) parameters.push({ ...names.sesSmtp, value: s.ses.smtpCredentials, description: "Amazon SES SMTP relay credentials" });
  return parameters;
}
