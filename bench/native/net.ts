// The native bench's network: two namespaces of its own joined by one veth pair, with the lab's
// addresses (the server at the lab mail address, the client at the lab sender's), so the
// rendered configuration treats the bench client exactly as the VM's does (not mynetworks,
// not localhost). No namespace has a default route or any other link: nothing leaves them.
import { labHost } from "../../lab";

export interface NativeNet {
  readonly server: string;
  readonly sender: string;
  readonly serverAddress: string;
  readonly senderAddress: string;
  /** veth ends (interface names are at most 15 characters). */
  readonly serverLink: string;
  readonly senderLink: string;
}

/** Names unique to one bench run (tag: e.g. the bench's PID), never the lab's mflab-*. */
export function nativeNet(tag: string): NativeNet {
  if (!/^[a-z0-9]{1,8}$/.test(tag)) throw new Error(`native bench: namespace tag "${tag}" must be 1-8 lowercase letters or digits`);
  return {
    server: `mfbench-srv-${tag}`,
    sender: `mfbench-snd-${tag}`,
    serverAddress: labHost("mail").address,
    senderAddress: labHost("sender").address,
    serverLink: `mfb${tag}s`,
    senderLink: `mfb${tag}c`,
  };
}

/** The ip(8) commands that create the pair of namespaces, in order. */
export function netUpCommands(n: NativeNet): string[][] {
  const inNs = (ns: string, ...argv: string[]) => ["ip", "-n", ns, ...argv];
  return [
    ["ip", "netns", "add", n.server],
    ["ip", "netns", "add", n.sender],
    ["ip", "link", "add", n.serverLink, "netns", n.server, "type", "veth", "peer", "name", n.senderLink, "netns", n.sender],
    inNs(n.server, "addr", "add", `${n.serverAddress}/24`, "dev", n.serverLink),
    inNs(n.sender, "addr", "add", `${n.senderAddress}/24`, "dev", n.senderLink),
    inNs(n.server, "link", "set", "lo", "up"),
    inNs(n.sender, "link", "set", "lo", "up"),
    inNs(n.server, "link", "set", n.serverLink, "up"),
    inNs(n.sender, "link", "set", n.senderLink, "up"),
  ];
}

/** Deleting a namespace deletes its end of the veth pair, and with it the other end. */
export function netDownCommands(n: NativeNet): string[][] {
  return [["ip", "netns", "del", n.server], ["ip", "netns", "del", n.sender]];
}
