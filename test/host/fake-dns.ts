// A small DNS server for the host tests (dnspython, in the Debian 13 root, on 127.0.0.1:53): it
// answers from a fixed table, sets the AD bit for the names under the "signed" suffixes, as the
// host's validating unbound does for a DNSSEC-signed zone, answers SERVFAIL under the "servfail"
// suffixes (as unbound answers a bogus signature), NXDOMAIN for names it has nothing under, and
// logs every question to /tmp/dns.log. It touches /tmp/dns.ready once it listens.

/** Records keyed "<absolute name> <TYPE>", each a list of RDATA in zone-file text. */
export type FakeRecords = Readonly<Record<string, readonly string[]>>;

export function fakeDnsScript(records: FakeRecords, signed: readonly string[], servfail: readonly string[] = []): string {
  return `
import json, socket
import dns.flags, dns.message, dns.rcode, dns.rdatatype, dns.rrset
DATA = {tuple(k.split(" ")): v for k, v in json.loads(${JSON.stringify(JSON.stringify(records))}).items()}
SIGNED = tuple(json.loads(${JSON.stringify(JSON.stringify(signed))}))
SERVFAIL = tuple(json.loads(${JSON.stringify(JSON.stringify(servfail))}))
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 53))
open("/tmp/dns.ready", "w").close()
while True:
    data, peer = s.recvfrom(4096)
    q = dns.message.from_wire(data)
    r = dns.message.make_response(q)
    name, rdtype = q.question[0].name.to_text().lower(), dns.rdatatype.to_text(q.question[0].rdtype)
    with open("/tmp/dns.log", "a") as log:
        log.write(f"{name} {rdtype}\\n")
    if SERVFAIL and name.endswith(SERVFAIL):
        r.set_rcode(dns.rcode.SERVFAIL)
    else:
        answer = DATA.get((name, rdtype))
        if answer:
            r.answer.append(dns.rrset.from_text_list(name, 300, "IN", rdtype, answer))
        elif not any(n == name or n.endswith("." + name) for n, _ in DATA):
            r.set_rcode(dns.rcode.NXDOMAIN)
        if SIGNED and name.endswith(SIGNED):
            r.flags |= dns.flags.AD
    s.sendto(r.to_wire(), peer)
`;
}
