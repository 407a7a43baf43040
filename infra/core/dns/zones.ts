// Which hosted zone holds a name: the longest configured domain that contains it. Nested
// configured domains have their own (delegated) zone; the config refuses them otherwise.
import { type DomainConfig, type MailConfig, isWithin } from "../../config";

export function zoneDomainOf(cfg: Pick<MailConfig, "domains">, name: string): DomainConfig | undefined {
  let best: DomainConfig | undefined;
  for (const d of cfg.domains) {
    if (isWithin(name, d.name) && (best === undefined || d.name.length > best.name.length)) best = d;
  }
  return best;
}

export function zoneOf(cfg: Pick<MailConfig, "domains">, name: string): string {
  const d = zoneDomainOf(cfg, name);
  if (d === undefined) throw new Error(`${name} lies in no configured domain, so no hosted zone can hold it (config validation should have refused this)`);
  return d.name;
}
