// DNS as the checks see it: node:dns with the target's resolvers (the lab's authoritative
// server, or the system's), plus the adapter mailauth needs for SPF/DKIM/DMARC lookups.
import { Resolver } from "node:dns/promises";
import type { VerifyTarget } from "./types";

export function resolverFor(t: Pick<VerifyTarget, "resolvers">): Resolver {
  const r = new Resolver({ timeout: 5000, tries: 2 });
  if (t.resolvers && t.resolvers.length > 0) r.setServers([...t.resolvers]);
  return r;
}

/** The address to connect to: given, or the host's A record through the target's resolver. */
export async function targetAddress(t: VerifyTarget): Promise<string> {
  if (t.address) return t.address;
  const [a] = await resolverFor(t).resolve4(t.host);
  if (!a) throw new Error(`${t.host} has no A record`);
  return a;
}

type MailauthResolver = (name: string, rr: string) => Promise<string[][] | string[]>;

/** A `resolver(name, rrtype)` for mailauth that asks the target's DNS servers. */
export function mailauthResolver(t: Pick<VerifyTarget, "resolvers">): MailauthResolver {
  const r = resolverFor(t);
  return (name, rr) => r.resolve(name, rr) as Promise<string[][] | string[]>;
}
