// Create and destroy the closed lab network: one namespace per host, each with one veth into a
// bridge in the core namespace, plus the tap qemu attaches the mail VM to. No namespace gets a
// default route, and up() asserts that, so nothing the lab runs can reach another machine.
import { run } from "../exec";
import { BRIDGE, CORE_NETNS, LAB_HOSTS, LAB_PREFIX_LEN, TAP, labHost, labNamespaces } from "../topology";

function existingNamespaces(): string[] {
  const out = run("ip", ["netns", "list"]).stdout;
  return out
    .split("\n")
    .map((l) => l.trim().split(/\s+/)[0])
    .filter((n): n is string => Boolean(n));
}

function networkIsUp(): boolean {
  const have = new Set(existingNamespaces());
  return labNamespaces().every((n) => have.has(n));
}

function ipIn(ns: string, args: string[]): void {
  run("ip", ["-n", ns, ...args]);
}

/** Disable IPv6 in a namespace: the lab is IPv4-only and we want no link-local chatter. */
function ipv4Only(ns: string): void {
  run("sysctl", ["-q", "-w", "net.ipv6.conf.all.disable_ipv6=1", "net.ipv6.conf.default.disable_ipv6=1"], { netns: ns });
}

export function networkUp(log: (line: string) => void = () => undefined): void {
  if (networkIsUp()) {
    log("network: already up");
    assertClosed();
    return;
  }
  networkDown();
  for (const ns of labNamespaces()) {
    run("ip", ["netns", "add", ns]);
    ipIn(ns, ["link", "set", "lo", "up"]);
    ipv4Only(ns);
  }
  ipIn(CORE_NETNS, ["link", "add", BRIDGE, "type", "bridge"]);
  ipIn(CORE_NETNS, ["link", "set", BRIDGE, "up"]);
  // The tap qemu opens (vnet_hdr off keeps TCG simple); it is a port of the bridge like any veth.
  ipIn(CORE_NETNS, ["tuntap", "add", "dev", TAP, "mode", "tap"]);
  ipIn(CORE_NETNS, ["link", "set", TAP, "master", BRIDGE, "up"]);
  for (const h of LAB_HOSTS) {
    if (h.netns === CORE_NETNS) continue;
    // Created in the core namespace, then the peer moves into the host's namespace as eth0.
    ipIn(CORE_NETNS, ["link", "add", h.link, "type", "veth", "peer", "name", "eth0", "netns", h.netns]);
    ipIn(CORE_NETNS, ["link", "set", h.link, "master", BRIDGE, "up"]);
    ipIn(h.netns, ["addr", "add", `${h.address}/${LAB_PREFIX_LEN}`, "dev", "eth0"]);
    // Secondary addresses: the primary stays the source of everything that does not bind.
    for (const a of [...h.probeAddresses, ...(h.serviceAddresses ?? [])]) ipIn(h.netns, ["addr", "add", `${a}/${LAB_PREFIX_LEN}`, "dev", "eth0"]);
    if (h.spreadConnections) spreadOverProbeAddresses(h.netns, h.probeAddresses);
    ipIn(h.netns, ["link", "set", "eth0", "up"]);
  }
  assertClosed();
  log(`network: up (${labNamespaces().join(", ")}; bridge ${BRIDGE}, tap ${TAP})`);
}

/**
 * nft SNAT in the host's namespace: each new connection to the mail server leaves from the
 * next address of the pool (numgen inc: round robin; conntrack keeps a connection on its
 * address), so per-client limits see many clients of a few connections each.
 */
function spreadOverProbeAddresses(ns: string, pool: readonly string[]): void {
  const map = pool.map((a, i) => `${i} : ${a}`).join(", ");
  const rules = [
    "table ip mflab_spread {",
    "  chain postrouting {",
    "    type nat hook postrouting priority srcnat; policy accept;",
    `    ip daddr ${labHost("mail").address} snat to numgen inc mod ${pool.length} map { ${map} }`,
    "  }",
    "}",
  ].join("\n");
  run("nft", ["-f", "-"], { netns: ns, input: rules });
}

/** Throw if any lab namespace has a default route (IPv4 or IPv6): the lab must be closed. */
function assertClosed(): void {
  for (const ns of labNamespaces()) {
    for (const fam of ["-4", "-6"]) {
      const routes = run("ip", ["-n", ns, fam, "route", "show", "default"]).stdout.trim();
      if (routes) throw new Error(`lab namespace ${ns} has a default route (${routes}); the lab must have no route out`);
    }
  }
}

/** Delete every lab namespace (their veths and the tap go with them). Idempotent. */
export function networkDown(log: (line: string) => void = () => undefined): void {
  const have = new Set(existingNamespaces());
  for (const ns of labNamespaces().reverse()) {
    if (have.has(ns)) {
      run("ip", ["netns", "del", ns]);
      log(`network: deleted ${ns}`);
    }
  }
}
