// The zones the lab's authoritative server loads besides the synthesized ones: the reverse zone
// of the lab subnet (the mail server's PTR as synthesized, plus the other lab hosts), the
// remote domain whose MX is the `remote` host, a test DNSBL listing the attacker, and a SURBL
// listing one link host.
import type { MailConfig } from "../../infra/config";
import type { DnsRecord } from "../../infra/core/dns";
import { reverseName, reverseZone } from "../synth";
import { REMOTE_DOMAIN, REMOTE_MX, labHost } from "../topology";

const SOA = (zone: string) =>
  [`$ORIGIN ${zone}.`, "$TTL 300", `@ IN SOA ns.lab.test. hostmaster.lab.test. ( 1 3600 600 86400 60 )`, "@ IN NS ns.lab.test."].join("\n");

/** Names of the non-mail lab hosts, used for their A and PTR records. */
export const LAB_HOSTNAMES = {
  sender: `sender.${REMOTE_DOMAIN}`,
  remote: REMOTE_MX,
  attacker: "attacker.spam.test",
} as const;

export function reverseZoneFile(records: readonly DnsRecord[]): { zone: string; text: string } {
  const mail = labHost("mail").address;
  const zone = reverseZone(mail);
  const lines = [SOA(zone), ""];
  for (const r of records.filter((x) => x.type === "PTR")) {
    for (const v of r.values) lines.push(`${r.name}. 300 IN PTR ${v.endsWith(".") ? v : `${v}.`}`);
  }
  for (const [role, name] of Object.entries(LAB_HOSTNAMES)) {
    lines.push(`${reverseName(labHost(role as keyof typeof LAB_HOSTNAMES).address)}. 300 IN PTR ${name}.`);
  }
  return { zone, text: `${lines.join("\n")}\n` };
}

/** remote.test: an ordinary well-configured outside domain (MX, SPF for its hosts, DMARC). */
export function remoteZoneFile(): { zone: string; text: string } {
  const sender = labHost("sender").address;
  const remote = labHost("remote").address;
  const text = [
    SOA(REMOTE_DOMAIN),
    "",
    `@ 300 IN MX 10 ${REMOTE_MX}.`,
    `@ 300 IN TXT "v=spf1 ip4:${sender} ip4:${remote} -all"`,
    `_dmarc 300 IN TXT "v=DMARC1; p=none"`,
    `${REMOTE_MX}. 300 IN A ${remote}`,
    `${LAB_HOSTNAMES.sender}. 300 IN A ${sender}`,
    "",
  ].join("\n");
  return { zone: REMOTE_DOMAIN, text };
}

/** spam.test: the attacker's own domain, so its PTR is forward-confirmed like a real bot's may be. */
export function attackerZoneFile(): { zone: string; text: string } {
  return { zone: "spam.test", text: `${SOA("spam.test")}\n\n${LAB_HOSTNAMES.attacker}. 300 IN A ${labHost("attacker").address}\n` };
}

/**
 * The test DNSBL: lists the attacker (127.0.0.2, as the real lists answer) and, for the induced
 * faults (lab/faults), any `alsoListed` address; `serial` goes up with each rewrite so a reload
 * is a new version of the zone.
 */
export function dnsblZoneFile(zone: string, alsoListed: readonly string[] = [], serial = 1): { zone: string; text: string } {
  const lines = [SOA(zone).replace(" ( 1 ", ` ( ${serial} `), ""];
  for (const ip of [labHost("attacker").address, ...alsoListed]) {
    const listed = ip.split(".").reverse().join(".");
    lines.push(`${listed} 300 IN A 127.0.0.2`, `${listed} 300 IN TXT "listed by the mailfort lab test DNSBL"`);
  }
  return { zone, text: `${[...lines, ""].join("\n")}` };
}

/**
 * down.test: an outside domain whose MX takes no mail. Its MX host's address is the lab DNS
 * server's, where nothing listens on port 25, so every delivery attempt is refused at connect and
 * the mail stays deferred in the queue (the queue fault of lab/faults), never bounced.
 */
export const UNREACHABLE_DOMAIN = "down.test";

export function unreachableZoneFile(): { zone: string; text: string } {
  const mx = `mx.${UNREACHABLE_DOMAIN}`;
  return { zone: UNREACHABLE_DOMAIN, text: `${SOA(UNREACHABLE_DOMAIN)}\n\n@ 300 IN MX 10 ${mx}.\n${mx}. 300 IN A ${labHost("dns").address}\n` };
}

/** The DNSBL zone of the lab stack that lists the attacker (the first one with a positive weight). */
export function labDnsblZone(cfg: Pick<MailConfig, "antispam">): string {
  const zone = cfg.antispam.dnsbls.find((d) => d.weight > 0)?.zone;
  if (zone === undefined) throw new Error("the lab stack lists no DNSBL with a positive weight: the DNSBL check would have nothing to prove");
  return zone;
}

/**
 * The link host the lab's SURBL lists. Under .arpa, which is in the public suffix list (Rspamd
 * finds no URL whose host has an unknown TLD, such as .test) and which nobody can register; two
 * labels, so the full hostname and the registered domain SURBL may look up are the same name.
 */
export const SURBL_LISTED_HOST = "mailfort-lab-phish.arpa";

/**
 * multi.surbl.org as the lab serves it: the zone Rspamd's stock SURBL rule queries (through the
 * VM's unbound, which forwards to the lab DNS), listing SURBL_LISTED_HOST as phishing (bit 8:
 * PH_SURBL_MULTI) and nothing else, so Rspamd's check that the list answers sanely passes.
 */
export function surblZoneFile(): { zone: string; text: string } {
  const zone = "multi.surbl.org";
  const text = [SOA(zone), "", `${SURBL_LISTED_HOST}.${zone}. 300 IN A 127.0.0.8`, `${SURBL_LISTED_HOST}.${zone}. 300 IN TXT "listed by the mailfort lab test SURBL"`, ""].join("\n");
  return { zone, text };
}
