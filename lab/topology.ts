// The closed lab network as data: which hosts exist, their namespace, interface and address.
// Every address lives only inside network namespaces the lab creates (10.77.0.0/24 on a bridge
// in its own namespace); no namespace has a default route, so nothing can leave the machine.

export type LabRole = "mail" | "dns" | "aws" | "mirror" | "sender" | "attacker" | "remote" | "scanner";

export interface LabHost {
  readonly role: LabRole;
  /** Network namespace the host's processes run in (the mail VM's tap lives in the core ns). */
  readonly netns: string;
  readonly address: string;
  /** Host-side veth name (in the core namespace, enslaved to the bridge). */
  readonly link: string;
  readonly description: string;
  /**
   * More addresses of the same host, for verify's --source-address: the floods and the relay
   * battery spread over them so fail2ban (which counts every refusal) cannot stop the battery
   * halfway. Like a client behind a small provider range.
   */
  readonly probeAddresses: readonly string[];
  /**
   * Send every new connection to the mail server from the next probe address (nft SNAT, round
   * robin), for a tool that cannot pick its source address itself (testssl.sh).
   */
  readonly spreadConnections?: boolean;
  /** More addresses the host serves on (each with its own name and certificate), never a source. */
  readonly serviceAddresses?: readonly string[];
}

/** `count` addresses from 10.77.0.`first` up. */
function probeRange(first: number, count = 16): string[] {
  return Array.from({ length: count }, (_, i) => `10.77.0.${first + i}`);
}

/**
 * The scanner's pool, 10.77.0.128/26. The lab stack lists it in bruteForce.ignoreIps, as a
 * real deployment would list its monitoring host: testssl's hundreds of handshakes, some cut
 * short on purpose, are what fail2ban's aggressive postfix filter is meant to punish.
 */
export const SCANNER_POOL_CIDR = "10.77.0.128/26";

export const LAB_PREFIX_LEN = 24;
export const LAB_SUBNET = "10.77.0.0/24";
/** Namespace holding the bridge and the VM's tap: the lab's "wire". */
export const CORE_NETNS = "mflab-core";
export const BRIDGE = "mflab-br";
export const TAP = "mflab-tap";
/** The MAC of the VM's NIC: fixed so the network-config can match on it. */
export const VM_MAC = "52:54:00:77:00:10";

export const LAB_HOSTS: readonly LabHost[] = [
  { role: "mail", netns: CORE_NETNS, address: "10.77.0.10", link: TAP, description: "the mailfort server VM (qemu, tap on the lab bridge)", probeAddresses: [] },
  { role: "dns", netns: "mflab-dns", address: "10.77.0.2", link: "mfl-dns", description: "authoritative DNS for the lab zones (nsd)", probeAddresses: [] },
  { role: "aws", netns: "mflab-aws", address: "10.77.0.3", link: "mfl-aws", description: "the lab's AWS: SSM, KMS, Route53, CloudWatch and STS (moto), IMDSv2 at 169.254.169.254, the ACME CA (pebble)", probeAddresses: [] },
  { role: "mirror", netns: "mflab-mirror", address: "10.77.0.4", link: "mfl-mirror", description: "deb.debian.org for the lab: the image's own signed trixie indexes and the packages the user data installs", probeAddresses: [] },
  { role: "sender", netns: "mflab-sender", address: "10.77.0.20", link: "mfl-sender", description: "a well-behaved outside client and MTA", probeAddresses: probeRange(100) },
  { role: "attacker", netns: "mflab-attacker", address: "10.77.0.66", link: "mfl-attacker", description: "a hostile client, listed in the lab DNSBL (its probe addresses are not)", probeAddresses: probeRange(200) },
  { role: "scanner", netns: "mflab-scanner", address: "10.77.0.40", link: "mfl-scanner", description: "a TLS scanner (testssl.sh), its connections spread over 64 addresses", probeAddresses: probeRange(128, 64), spreadConnections: true },
  { role: "remote", netns: "mflab-remote", address: "10.77.0.30", link: "mfl-remote", description: "the MX of remote.test (real Postfix into a maildir); on its service addresses, the outbound-TLS receivers (DANE, MTA-STS valid and wrong certificate, opportunistic) and their MTA-STS policy hosts", probeAddresses: [], serviceAddresses: ["10.77.0.31", "10.77.0.32", "10.77.0.33", "10.77.0.34", "10.77.0.35", "10.77.0.36"] },
];

/** The remote domain whose MX is the `remote` host. */
export const REMOTE_DOMAIN = "remote.test";
export const REMOTE_MX = "mx.remote.test";
export const REMOTE_MAILBOX = "someone@remote.test";

export function labHost(role: LabRole): LabHost {
  const h = LAB_HOSTS.find((x) => x.role === role);
  if (!h) throw new Error(`no lab host with role ${role}`);
  return h;
}

/** Namespaces the lab creates (core first: the others plug into its bridge). */
export function labNamespaces(): string[] {
  return [CORE_NETNS, ...LAB_HOSTS.filter((h) => h.netns !== CORE_NETNS).map((h) => h.netns)];
}
