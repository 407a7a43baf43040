// Which selector Rspamd signs each sending domain with: the rotation step's signing generation
// (infra/core/dkim-rotation.ts). It travels as an SSM parameter the host re-reads on every sync
// (mailfort-secrets writes /etc/rspamd/local.d/dkim_selectors.map from it and reloads Rspamd),
// not in the host bundle the user data pins: a rotation's switch to the new key then changes a
// parameter, never the instance.
import { type MailConfig, domainDkim, mailDomains } from "../config";

/** Sending domain -> the selector it signs with now, in the config's domain order. */
export function dkimSigningSelectors(cfg: MailConfig): Record<string, string> {
  return Object.fromEntries(mailDomains(cfg).map((d) => [d.name, domainDkim(d, cfg.dkimLayout).signing]));
}

/** The parameter's value: JSON, one key per sending domain (mailfort-secrets checks every name). */
export function dkimSigningText(cfg: MailConfig): string {
  return JSON.stringify(dkimSigningSelectors(cfg));
}
