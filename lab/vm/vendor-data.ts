// NoCloud vendor data: what the lab, as the "cloud", adds to every instance beside the stack's
// user data, which stays byte-for-byte what EC2 would get. What only the lab needs:
//  - trust in the lab's endpoint CA (the AWS endpoints and the ACME directory are served with
//    it, where AWS serves publicly trusted certificates): cloud-init's ca_certs;
//  - the route to the instance metadata service, 169.254.169.254, through the lab's `aws` host
//    (on EC2 it is on-link, answered by the hypervisor);
//  - the lab DNS as the resolver until the host's own unbound runs (DHCP's VPC resolver on EC2),
//    and unbound forwarding to it with validation off (the closed network has no root servers,
//    and the lab zones are not signed).
// All but the CA are a vendor script, which cloud-init runs after the packages are installed and
// before the user data's runcmd (mailfort-boot). The user data's own keys win over vendor data's,
// so they cannot be a write_files or bootcmd; and cloud-init renders network-config routes with
// net-tools' `route`, which neither image holds.

const BOUNDARY = "==mailfort-lab-vendor-data==";

/** The unbound snippet that forwards everything to the given lab resolvers (IPv4 only). */
export function labForwardConf(resolvers: readonly string[]): string {
  for (const ip of resolvers) if (!IPV4.test(ip)) throw new Error(`lab resolver ${JSON.stringify(ip)} is not an IPv4 address`);
  return [
    "# mailfort lab: forward everything to the lab DNS (vendor data); it is not DNSSEC-signed",
    "server:",
    '  module-config: "iterator"',
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
  /** The lab host that answers for 169.254.169.254 (IMDS); none: no metadata service. */
  readonly metadataGateway?: string;
}

const IPV4 = /^(\d{1,3})(\.\d{1,3}){3}$/;

export function vendorData(input: VendorDataInput): string {
  const indent = (pem: string) => pem.trim().split("\n").map((l) => `      ${l}`).join("\n");
  const cloudConfig = ["#cloud-config", "ca_certs:", "  trusted:", ...input.caPems.map((p) => `    - |\n${indent(p)}`), ""].join("\n");
  const script = [
    "#!/bin/sh",
    "set -e",
    ...(input.metadataGateway !== undefined ? [`ip route replace 169.254.169.254/32 via ${metadataGateway(input.metadataGateway)}`] : []),
    // The resolver DHCP names on EC2 (the VPC's): what the host uses until its own unbound runs.
    "rm -f /etc/resolv.conf",
    `printf 'nameserver %s\\n' ${input.resolvers.map((ip) => `'${ip}'`).join(" ")} >/etc/resolv.conf`,
    "mkdir -p /etc/unbound/unbound.conf.d",
    "cat >/etc/unbound/unbound.conf.d/zz-mailfort-lab-forward.conf <<'MAILFORT_LAB'",
    labForwardConf(input.resolvers).trimEnd(),
    "MAILFORT_LAB",
    "",
  ].join("\n");
  const part = (type: string, name: string, body: string) =>
    [`--${BOUNDARY}`, `Content-Type: ${type}; charset="us-ascii"`, "MIME-Version: 1.0", `Content-Disposition: attachment; filename="${name}"`, "", body].join("\n");
  return [`Content-Type: multipart/mixed; boundary="${BOUNDARY}"`, "MIME-Version: 1.0", "",
    ...(input.caPems.length > 0 ? [part("text/cloud-config", "lab-ca.cfg", cloudConfig)] : []),
    part("text/x-shellscript", "lab-resolver.sh", script), `--${BOUNDARY}--`, ""].join("\n");
}

function metadataGateway(ip: string): string {
  if (!IPV4.test(ip)) throw new Error(`lab metadata gateway ${JSON.stringify(ip)} is not an IPv4 address`);
  return ip;
}
