// NoCloud vendor data: what the lab, as the "cloud", adds to every instance beside the stack's
// user data, which stays byte-for-byte what EC2 would get. What only the lab needs:
//  - trust in the lab's endpoint CA (the AWS endpoints and the ACME directory are served with
//    it, where AWS serves publicly trusted certificates);
//  - the route to the instance metadata service, 169.254.169.254, through the lab's `aws` host
//    (on EC2 it is on-link, answered by the hypervisor);
//  - the lab DNS as the resolver until the host's own unbound runs (DHCP's VPC resolver on EC2),
//    and unbound forwarding to it, validating every lab zone with its own trust anchor (the lab
//    signs them all, lab/dns/dnssec.ts; the closed network has no root servers to chain to).
//    Only this lab file adds anchors: configs/unbound/mailfort.conf is production's, unchanged.
// One vendor script, which cloud-init runs after the packages are installed and before the user
// data's runcmd (mailfort-boot), the first thing that needs any of it. The user data's own keys
// win over vendor data's, so these cannot be a write_files or bootcmd; cloud-init renders
// network-config routes with net-tools' `route`, which neither image holds; and its ca_certs runs
// update-ca-certificates, a thousand short processes that take minutes under TCG.

const IPV4 = /^(\d{1,3})(\.\d{1,3}){3}$/;
const PEM = /^-----BEGIN CERTIFICATE-----\n[A-Za-z0-9+/=\n]+-----END CERTIFICATE-----\n?$/;

const TRUST_ANCHOR = /^([a-z0-9-]+\.)+ DNSKEY 257 3 13 [A-Za-z0-9+/]+={0,2}$/;

/**
 * The unbound snippet that forwards everything to the given lab resolvers (IPv4 only) and
 * trusts each signed lab zone by its anchor. Validation stays on (Debian's module-config,
 * "validator iterator"): DANE and the outbound TLS policy need the AD bit, as on AWS.
 */
export function labForwardConf(resolvers: readonly string[], trustAnchors: readonly string[]): string {
  for (const ip of resolvers) ipv4("lab resolver", ip);
  const bad = trustAnchors.filter((a) => !TRUST_ANCHOR.test(a));
  if (bad.length > 0) throw new Error(`lab trust anchors not of the form "<zone>. DNSKEY 257 3 13 <key>": ${bad.join("; ")}`);
  return [
    "# mailfort lab: forward everything to the lab DNS (vendor data), whose zones are DNSSEC-signed",
    "# with the lab's key: one trust anchor per lab zone (no DS chain: the lab has no root)",
    "server:",
    ...trustAnchors.map((a) => `  trust-anchor: "${a}"`),
    // Lab names are .test and addresses 10/8: unbound answers both locally by default (RFC 6761, AS112).
    '  local-zone: "test." nodefault',
    '  local-zone: "10.in-addr.arpa." nodefault',
    "forward-zone:",
    '  name: "."',
    ...resolvers.map((ip) => `  forward-addr: ${ip}`),
    "",
  ].join("\n");
}

export interface VendorDataInput {
  readonly caPems: readonly string[];
  readonly resolvers: readonly string[];
  /** unbound trust anchors of the signed lab zones (lab/dns/dnssec.ts). */
  readonly trustAnchors: readonly string[];
  /** The lab host that answers for 169.254.169.254 (IMDS); none: no metadata service. */
  readonly metadataGateway?: string;
}

/**
 * Trust one CA as update-ca-certificates would (its file among the local CAs, the .pem link and
 * OpenSSL's hash link in /etc/ssl/certs, appended to the bundle Debian's certifi and OpenSSL
 * read), so a later update-ca-certificates run keeps it; three processes instead of a thousand.
 */
function trustCa(pem: string, index: number): string[] {
  if (!PEM.test(pem.trim() + "\n")) throw new Error(`lab CA ${index} is not one PEM certificate`);
  const name = `mailfort-lab-ca-${index}`;
  const crt = `/usr/local/share/ca-certificates/${name}.crt`;
  return [
    `cat >${crt} <<'MAILFORT_LAB_CA'`, pem.trim(), "MAILFORT_LAB_CA",
    `ln -sf ${crt} /etc/ssl/certs/${name}.pem`,
    `ln -sf ${name}.pem "/etc/ssl/certs/$(openssl x509 -hash -noout -in ${crt}).0"`,
    `cat ${crt} >>/etc/ssl/certs/ca-certificates.crt`,
  ];
}

/** The vendor script (cloud-init runs a vendor-data file that starts with #! as a script). */
export function vendorData(input: VendorDataInput): string {
  return [
    "#!/bin/sh",
    "set -e",
    ...(input.caPems.length > 0 ? ["mkdir -p /usr/local/share/ca-certificates", ...input.caPems.flatMap((p, i) => trustCa(p, i + 1))] : []),
    ...(input.metadataGateway !== undefined ? [`ip route replace 169.254.169.254/32 via ${ipv4("lab metadata gateway", input.metadataGateway)}`] : []),
    // The resolver DHCP names on EC2 (the VPC's): what the host uses until its own unbound runs.
    "rm -f /etc/resolv.conf",
    `printf 'nameserver %s\\n' ${input.resolvers.map((ip) => `'${ipv4("lab resolver", ip)}'`).join(" ")} >/etc/resolv.conf`,
    "mkdir -p /etc/unbound/unbound.conf.d",
    "cat >/etc/unbound/unbound.conf.d/zz-mailfort-lab-forward.conf <<'MAILFORT_LAB'",
    labForwardConf(input.resolvers, input.trustAnchors).trimEnd(),
    "MAILFORT_LAB",
    "",
  ].join("\n");
}

function ipv4(what: string, ip: string): string {
  if (!IPV4.test(ip)) throw new Error(`${what} ${JSON.stringify(ip)} is not an IPv4 address`);
  return ip;
}
