// DNS service records (RFC 6186, RFC 8314): what mail clients are told to connect to. They may
// point only at the TLS ports of the mail host; the plaintext services say "not here".
import { stackPolicy } from "../define";
import { normName, recordsOf, valuesAt } from "../lib/records";

/** Service -> the port it must use when offered; null = must be "0 0 0 ." (not offered). */
const SERVICES: ReadonlyMap<string, number | null> = new Map([
  ["_submissions._tcp", 465], ["_submission._tcp", 587], ["_imaps._tcp", 993], ["_pop3s._tcp", 995],
  ["_imap._tcp", null], ["_pop3._tcp", null],
]);

export const srvPolicy = stackPolicy({
  name: "dns-srv-tls-only",
  area: "dns",
  description: "Each sending domain's SRV records send mail clients only to TLS ports of the mail host (465, 587, 993, 995 when POP3 is on); _imap and _pop3 say \"not offered\" (0 0 0 .).",
  why: "Clients follow SRV records when they set themselves up: an SRV for plaintext IMAP on 143 or to another host steers passwords there.",
  check: (resources, report, { facts }) => {
    const records = recordsOf(resources, facts);
    for (const d of facts.domains.filter((x) => x.sendsMail)) {
      for (const [service, port] of SERVICES) {
        const name = `${service}.${d.name}`;
        for (const v of valuesAt(records, name, "SRV")) {
          const [, , p, target] = v.trim().split(/\s+/);
          const notOffered = target === "." && p === "0";
          const offered = port !== null && !(service === "_pop3s._tcp" && !facts.features.pop3);
          if (!offered && !notOffered) report(`${name}: SRV "${v}" offers a service mailfort keeps closed; publish "0 0 0 ."`);
          else if (offered && !notOffered && (Number(p) !== port || normName(target ?? "") !== facts.hostname)) report(`${name}: SRV "${v}" should point at ${facts.hostname} port ${port}`);
        }
      }
    }
  },
});
