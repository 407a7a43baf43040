// The serial console of a real lab boot (captured from /var/tmp/mailfort-lab/vm/serial.log).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseBootLog } from "../../bench/boot-log";

const log = readFileSync(join(__dirname, "fixtures", "serial-console.txt"), "utf8");

describe("boot log parser on a captured lab boot", () => {
  const b = parseBootLog(log);
  const at = (key: string) => b.milestones.find((m) => m.key === key)?.at;

  it("finds the kernel, initramfs and systemd milestones by their kernel stamps", () => {
    expect(at("kernel:start")).toBe(0);
    expect(at("kernel:init")).toBe(5.400625);
    expect(at("initramfs:root")).toBe(8.428337);
    // The line starts with terminal control sequences before the stamp.
    expect(at("systemd:start")).toBe(9.715561);
  });

  it("takes each cloud-init stage's start from its own 'Up N seconds'", () => {
    expect(at("cloud-init:init-local")).toBe(28.44);
    expect(at("cloud-init:init")).toBe(34.39);
    expect(at("cloud-init:modules:config")).toBe(45.57);
    expect(at("cloud-init:modules:final")).toBe(65.37);
    expect(at("cloud-init:finished")).toBe(322.43);
  });

  it("times the data volume, the secrets and MAILFORT-READY (the stamped line, not the bare echo)", () => {
    expect(at("data:mounted")).toBe(96.52372);
    expect(at("secrets:fetched")).toBe(119.930554);
    expect(b.readyAt).toBe(321.679574);
    expect(b.failed).toBeUndefined();
  });

  it("turns consecutive milestones into stages that add up to the time to READY", () => {
    const toReady = b.stages.filter((s) => s.to <= (b.readyAt ?? 0));
    expect(toReady[0]?.from).toBe(0);
    expect(toReady.at(-1)?.to).toBe(b.readyAt);
    expect(toReady.reduce((s, x) => s + x.seconds, 0)).toBeCloseTo(321.68, 1);
    const services = b.stages.find((s) => s.name === "secrets:fetched -> mailfort:ready");
    expect(services?.seconds).toBeCloseTo(201.75, 2);
    for (const s of b.stages) expect(s.seconds).toBeGreaterThanOrEqual(0);
  });

  it("reports MAILFORT-FAILED and its reason", () => {
    const f = parseBootLog("[   12.5] cloud-init[1]: MAILFORT-FAILED rspamd did not start\n");
    expect(f.failed).toBe("rspamd did not start");
    expect(f.readyAt).toBeUndefined();
  });
});
