// How the hostile checks spread over --source-address: no address may collect maxRetry
// refusals (fail2ban would ban it and stop the battery), and the lab gives enough addresses.
import { describe, expect, it } from "vitest";
import { LAB_HOSTS, SCANNER_POOL_CIDR, labHost } from "../../lab/topology";
import { labStackConfig } from "../../lab/stack";
import { RELAY_TRICKS } from "../../verify/checks/relay";
import { refusalsPerAddress, relaySlot, sourceAddress } from "../../verify/source-address";

const ipToInt = (a: string) => a.split(".").reduce((n, o) => n * 256 + Number(o), 0);
function inCidr(a: string, cidr: string): boolean {
  const [base = "", len = "32"] = cidr.split("/");
  const mask = Number(len) === 0 ? 0 : (0xffffffff << (32 - Number(len))) >>> 0;
  return ((ipToInt(a) & mask) >>> 0) === ((ipToInt(base) & mask) >>> 0);
}

describe("source addresses", () => {
  it("without --source-address every check uses the system's default address", () => {
    expect(sourceAddress({}, 0)).toBeUndefined();
    expect(sourceAddress({ sourceAddresses: [] }, 7)).toBeUndefined();
  });

  it("slots wrap around the given addresses", () => {
    const t = { sourceAddresses: ["10.0.0.1", "10.0.0.2", "10.0.0.3"] };
    expect([0, 1, 2, 3, 4].map((s) => sourceAddress(t, s))).toEqual(["10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.1", "10.0.0.2"]);
  });

  it.each([1, 2, 3, 5, 10])("with maxRetry %i no address collects maxRetry refused relay tricks", (maxRetry) => {
    const t = { bruteForce: { maxRetry } };
    const perSlot = new Map<number, number>();
    for (let i = 0; i < RELAY_TRICKS.length; i++) perSlot.set(relaySlot(t, 2, i), (perSlot.get(relaySlot(t, 2, i)) ?? 0) + 1);
    expect(Math.min(...perSlot.keys())).toBe(2);
    for (const n of perSlot.values()) expect(n).toBeLessThanOrEqual(refusalsPerAddress(t));
    if (maxRetry > 1) for (const n of perSlot.values()) expect(n).toBeLessThan(maxRetry);
  });

  it("the lab gives the sender and the attacker enough probe addresses for the whole battery at its maxRetry", () => {
    const cfg = labStackConfig();
    const t = { bruteForce: { maxRetry: cfg.bruteForce.maxRetry } };
    // attacker: slots 0 and 1 for the floods, the battery from slot 2; sender: battery from 0.
    expect(labHost("attacker").probeAddresses.length).toBeGreaterThan(relaySlot(t, 2, RELAY_TRICKS.length - 1));
    expect(labHost("sender").probeAddresses.length).toBeGreaterThan(relaySlot(t, 0, RELAY_TRICKS.length - 1));
  });

  it("lab addresses are unique, inside the lab subnet, and only the scanner's pool is in ignoreIps", () => {
    const all = LAB_HOSTS.flatMap((h) => [h.address, ...h.probeAddresses, ...(h.serviceAddresses ?? [])]);
    expect(new Set(all).size).toBe(all.length);
    for (const a of all) expect(inCidr(a, "10.77.0.0/24"), a).toBe(true);
    const ignore = labStackConfig().bruteForce.ignoreIps;
    expect(ignore).toContain(SCANNER_POOL_CIDR);
    for (const a of labHost("scanner").probeAddresses) expect(inCidr(a, SCANNER_POOL_CIDR), a).toBe(true);
    for (const role of ["sender", "attacker"] as const) {
      for (const a of [labHost(role).address, ...labHost(role).probeAddresses]) {
        expect(ignore.some((c) => inCidr(a, c.includes("/") ? c : `${c}/32`)), `${role} ${a} must be bannable`).toBe(false);
      }
    }
  });
});
