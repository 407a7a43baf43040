// A failed verify group says what the guest was doing meanwhile (lab/verify-diagnostics.ts), and
// a background group (testssl) runs at a lower CPU priority than the VM (lab/verify-run.ts).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { labStackConfig } from "../../lab/stack";
import { BACKGROUND_NICENESS, verifyGroupCommand } from "../../lab/verify-run";
import { type GuestSample, guestActivityLine, withGuestActivity } from "../../lab/verify-diagnostics";
import { parseCgroupCpu } from "../../lab/vm/guest-cpu";
import type { CheckResult } from "../../verify/contract";

// cpu.stat samples captured from the lab VM (the bench's fixtures), 412 s apart.
const fixture = (f: string) => readFileSync(join(__dirname, "..", "bench", "fixtures", f), "utf8");
const before: GuestSample = { at: 1_000_000, cpu: parseCgroupCpu(fixture("cgroup-cpu-before.txt")), load: "0.20 0.30 0.40" };
const after: GuestSample = { at: 1_412_000, cpu: parseCgroupCpu(fixture("cgroup-cpu-after.txt")), load: "3.10 2.80 1.90" };

describe("the guest's account of a verify group", () => {
  it("names the window, the load and the busiest units with their CPU seconds", () => {
    const line = guestActivityLine(before, after, 2);
    expect(line).toMatch(/^guest during the group's 412 s: load 3\.10 2\.80 1\.90; CPU s \(all units 15\.\d\): qemu-guest-agent 13\.1, \S+ \d+\.\d$/);
  });

  it("goes into the failed results only, after their own detail", () => {
    const results: CheckResult[] = [
      { id: "a", title: "A", status: "pass", detail: "fine", seconds: 1 },
      { id: "b", title: "B", status: "fail", detail: "587 still answers", seconds: 166 },
      { id: "c", title: "C", status: "skip", detail: "not here", seconds: 0 },
    ];
    const out = withGuestActivity(results, "guest during the group's 9 s: load 1 1 1; CPU s (all units 2.0): dovecot 2.0", "/var/tmp/x.journal");
    expect(out[0]).toEqual(results[0]);
    expect(out[2]).toEqual(results[2]);
    expect(out[1]?.detail).toBe("587 still answers [guest during the group's 9 s: load 1 1 1; CPU s (all units 2.0): dovecot 2.0; guest journal of the window: /var/tmp/x.journal]");
  });
});

describe("a verify group's command", () => {
  const cfg = labStackConfig();

  it("runs verify in the namespace of the host the group comes from", () => {
    const { command, args } = verifyGroupCommand(cfg, { group: "attacker", from: "attacker" }, "/tmp/out.json");
    expect(command).toBe("ip");
    expect(args.slice(0, 3)).toEqual(["netns", "exec", "mflab-attacker"]);
    expect(args).toContain("/tmp/out.json");
  });

  it("a background group runs the same command under nice, below the VM", () => {
    const fg = verifyGroupCommand(cfg, { group: "testssl", from: "scanner" }, "/tmp/t.json");
    const bg = verifyGroupCommand(cfg, { group: "testssl", from: "scanner", background: true }, "/tmp/t.json");
    expect(bg.command).toBe("nice");
    expect(bg.args).toEqual(["-n", String(BACKGROUND_NICENESS), fg.command, ...fg.args]);
    expect(BACKGROUND_NICENESS).toBeGreaterThan(0);
  });
});
