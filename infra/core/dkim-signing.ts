// Which selector Rspamd signs each sending domain with: the rotation step's signing generation
// (infra/core/dkim-rotation.ts). It travels as an SSM parameter the host re-reads on every sync
// (mailfort-secrets writes /etc/rspamd/local.d/dkim_selectors.map from it and reloads Rspamd),
// not in the host bundle the user data pins: a rotation's switch to the new key then changes a
// parameter, never the instance.
import { type MailConfig, domainDkim, mailDomains } from "../config";
import { UnsafeValueError } from "./host/safe-value";

/** What a line of Rspamd's map may hold: a DNS name, and a selector (one label). The config model
 * refuses anything else first; this is the renderer's own check, as for every host file. */
const DOMAIN = /^[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?$/;
const SELECTOR = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/** Sending domain -> the selector it signs with now, in the config's domain order. */
export function dkimSigningSelectors(cfg: MailConfig): Record<string, string> {
  return Object.fromEntries(mailDomains(cfg).map((d) => {
    const selector = domainDkim(d, cfg.dkimLayout).signing;
    if (!DOMAIN.test(d.name)) throw new UnsafeValueError(`DKIM signing map: domain ${JSON.stringify(d.name)} is not a DNS name`);
    if (!SELECTOR.test(selector)) throw new UnsafeValueError(`DKIM signing map: selector ${JSON.stringify(selector)} of ${d.name} is not a DKIM selector`);
    return [d.name, selector];
  }));
}

/** The parameter's value: JSON, one key per sending domain (mailfort-secrets checks every name again). */
export function dkimSigningText(cfg: MailConfig): string {
  return JSON.stringify(dkimSigningSelectors(cfg));
}
