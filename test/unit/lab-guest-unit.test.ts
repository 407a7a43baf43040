// The lab's one run of a guest unit without holding the guest agent (lab/vm/guest-unit.ts): the
// `systemctl show` reading, and when a run counts as ended (only this run, never the last one).
import { describe, expect, it } from "vitest";
import { parseShow, runEnded, runGuestUnit } from "../../lab/vm/guest-unit";

const show = (id: string, state: string) => parseShow(`InvocationID=${id}\nActiveState=${state}\nResult=success\nExecMainStatus=0\n`);

describe("runGuestUnit's reading of systemctl show", () => {
  it("reads Key=value lines, values may hold '='", () => {
    const m = parseShow("Result=exit-code\nExecMainStatus=75\nEnvironment=A=b C=d\n\n");
    expect(m.get("Result")).toBe("exit-code");
    expect(m.get("ExecMainStatus")).toBe("75");
    expect(m.get("Environment")).toBe("A=b C=d");
  });

  it("counts a run as ended only with a new invocation that is no longer activating", () => {
    expect(runEnded(show("bbb", "inactive"), "aaa")).toBe(true);
    expect(runEnded(show("bbb", "failed"), "aaa")).toBe(true);
    expect(runEnded(show("bbb", "inactive"), "")).toBe(true);
    // The last run's state, before this start's job ran.
    expect(runEnded(show("aaa", "inactive"), "aaa")).toBe(false);
    // Queued but not started: no invocation yet.
    expect(runEnded(show("", "inactive"), "")).toBe(false);
    expect(runEnded(show("bbb", "activating"), "aaa")).toBe(false);
    expect(runEnded(show("bbb", "active"), "aaa")).toBe(false);
  });

  it("refuses a unit or variable name that could carry shell or options", async () => {
    await expect(runGuestUnit("x.service; reboot", {}, 1000)).rejects.toThrow(/not a service unit name/);
    await expect(runGuestUnit("--now.timer", {}, 1000)).rejects.toThrow(/not a service unit name/);
    await expect(runGuestUnit("--now.service", {}, 1000)).rejects.toThrow(/not a service unit name/);
    await expect(runGuestUnit("a.service", { "A B": "1" }, 1000)).rejects.toThrow(/not an environment variable name/);
  });
});
