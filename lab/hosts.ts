// What `npm run lab -- hosts` prints: everything a person or a script needs to talk to the lab.
import { LAB_CREDENTIALS, clientPassword } from "./credentials";
import { labPaths } from "./paths";
import { labStackConfig } from "./stack";
import { LAB_HOSTS, LAB_SUBNET, REMOTE_DOMAIN } from "./topology";

export interface LabHostsInfo {
  readonly subnet: string;
  readonly hosts: readonly { role: string; netns: string; addresses: string[]; description: string }[];
  readonly mailHostname: string;
  readonly domains: readonly string[];
  readonly remoteDomain: string;
  /** webmailPassword: the mailbox password (the webmail, then a TOTP code); password: what mail clients use. */
  readonly mailboxes: readonly { address: string; password: string; webmailPassword: string }[];
  readonly caCert: string;
  /** How to run a command as a lab host. */
  readonly exec: string;
}

export function labHostsInfo(): LabHostsInfo {
  const cfg = labStackConfig();
  return {
    subnet: LAB_SUBNET,
    hosts: LAB_HOSTS.map((h) => ({ role: h.role, netns: h.netns, addresses: [h.address, ...h.probeAddresses, ...(h.serviceAddresses ?? [])], description: h.description })),
    mailHostname: cfg.hostname,
    domains: cfg.domains.map((d) => d.name),
    remoteDomain: REMOTE_DOMAIN,
    mailboxes: LAB_CREDENTIALS.map((c) => ({ address: c.address, password: clientPassword(c, cfg.auth.appPasswords), webmailPassword: c.password })),
    caCert: labPaths.caCert(),
    exec: "ip netns exec <netns> <command>",
  };
}
