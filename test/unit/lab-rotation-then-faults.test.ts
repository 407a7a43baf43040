// The run's last phases without a VM (lab/rotation-then-faults.ts): the DKIM rotation runs to its
// end before the first fault (they disturb each other side by side), a rotation that throws is a
// failed check and the faults still run, and each phase's seconds are its own.
import { describe, expect, it } from "vitest";
import { ROTATION_RAN, rotationThenFaults } from "../../lab/rotation-then-faults";
import type { CheckResult } from "../../verify/contract";

const pass = (id: string): CheckResult => ({ id, title: id, status: "pass", detail: "", seconds: 0 });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("the DKIM rotation, then the faults", () => {
  it("starts the faults only once the rotation is over", async () => {
    const events: string[] = [];
    const r = await rotationThenFaults(
      async () => {
        events.push("rotation started");
        await sleep(20);
        events.push("rotation done");
        return [pass("dkim-rotation-steady-host-map")];
      },
      async () => {
        events.push("faults started");
        return [pass("alarm-faults-only-matching")];
      },
    );
    expect(events).toEqual(["rotation started", "rotation done", "faults started"]);
    expect(r.results.map((x) => x.id)).toEqual(["dkim-rotation-steady-host-map", "alarm-faults-only-matching"]);
  });

  it("turns a rotation that throws into a failed check, and the faults still run", async () => {
    const r = await rotationThenFaults(() => Promise.reject(new Error("synth of rotation step 2 failed (exit 1)")), async () => [pass("alarm-fault-cert-near-expiry")]);
    expect(r.results).toEqual([
      { ...ROTATION_RAN, status: "fail", detail: "synth of rotation step 2 failed (exit 1)", seconds: 0 },
      pass("alarm-fault-cert-near-expiry"),
    ]);
  });

  it("times each phase on its own", async () => {
    let clock = 1_000_000;
    const r = await rotationThenFaults(
      async () => {
        clock += 250_000;
        return [];
      },
      async () => {
        clock += 430_000;
        return [];
      },
      () => clock,
    );
    expect(r.rotationSeconds).toBe(250);
    expect(r.faultsSeconds).toBe(430);
  });
});
