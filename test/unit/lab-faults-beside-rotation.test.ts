// The run's last phase without a VM (lab/faults-beside-rotation.ts): the faults and the DKIM
// rotation start together, the faults' gate (for the near-expiry certificate, which the
// rotation's mail clients must not meet) opens only once the rotation has settled, a rotation
// that throws is a failed check and still opens the gate, and each side's seconds are its own.
import { describe, expect, it } from "vitest";
import { ROTATION_RAN, faultsBesideRotation } from "../../lab/faults-beside-rotation";
import type { CheckResult } from "../../verify/contract";

const pass = (id: string): CheckResult => ({ id, title: id, status: "pass", detail: "", seconds: 0 });

/** A promise with its resolve and reject outside. */
function deferred<T>(): { promise: Promise<T>; resolve: (v: T) => void; reject: (e: unknown) => void } {
  let resolve: (v: T) => void = () => undefined;
  let reject: (e: unknown) => void = () => undefined;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const tick = () => new Promise((r) => setTimeout(r, 0));

describe("the faults beside the DKIM rotation", () => {
  it("starts both at once and opens the faults' gate only when the rotation is done", async () => {
    const events: string[] = [];
    const rotation = deferred<CheckResult[]>();
    const phase = faultsBesideRotation(
      async (rotationDone) => {
        events.push("faults started");
        await rotationDone;
        events.push("certificate fault");
        return [pass("alarm-faults-only-matching")];
      },
      () => {
        events.push("rotation started");
        return rotation.promise;
      },
    );
    await tick();
    await tick();
    expect(events).toEqual(["rotation started", "faults started"]);
    events.push("rotation done");
    rotation.resolve([pass("dkim-rotation-steady-host-map")]);
    const r = await phase;
    expect(events).toEqual(["rotation started", "faults started", "rotation done", "certificate fault"]);
    expect(r.results.map((x) => x.id)).toEqual(["dkim-rotation-steady-host-map", "alarm-faults-only-matching"]);
  });

  it("turns a rotation that throws into a failed check, and the faults still run to their end", async () => {
    const r = await faultsBesideRotation(
      async (rotationDone) => {
        await rotationDone;
        return [pass("alarm-fault-cert-near-expiry")];
      },
      () => Promise.reject(new Error("synth of rotation step 2 failed (exit 1)")),
    );
    expect(r.results).toEqual([
      { ...ROTATION_RAN, status: "fail", detail: "synth of rotation step 2 failed (exit 1)", seconds: 0 },
      pass("alarm-fault-cert-near-expiry"),
    ]);
  });

  it("times each side from the common start", async () => {
    let clock = 1_000_000;
    const rotation = deferred<CheckResult[]>();
    const faults = deferred<CheckResult[]>();
    const phase = faultsBesideRotation(() => faults.promise, () => rotation.promise, () => clock);
    clock += 250_000;
    rotation.resolve([]);
    await tick();
    clock += 180_000;
    faults.resolve([]);
    const r = await phase;
    expect(r.rotationSeconds).toBe(250);
    expect(r.faultsSeconds).toBe(430);
  });
});
