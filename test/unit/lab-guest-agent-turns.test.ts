// The guest agent's calls take turns per socket (lab/vm/guest-agent.ts oneAtATime): qemu answers
// one client at a time, so two phases side by side (the induced faults and the DKIM rotation)
// once failed each other's calls with "no reply within 15000 ms". Never two at once on a socket,
// in the order asked; a failed call does not hold up the next; other sockets do not wait.
import { describe, expect, it } from "vitest";
import { oneAtATime } from "../../lab/vm/guest-agent";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("guest agent calls take turns", () => {
  it("runs one call at a time per socket, in the order asked, and a failure does not block the queue", async () => {
    let running = 0;
    let most = 0;
    const order: string[] = [];
    const call = (name: string, ms: number, fails = false) => oneAtATime("/tmp/qga-a.sock", async () => {
      running += 1;
      most = Math.max(most, running);
      order.push(`${name} start`);
      await sleep(ms);
      order.push(`${name} end`);
      running -= 1;
      if (fails) throw new Error(`${name} failed`);
      return name;
    });
    const results = await Promise.allSettled([call("faults", 20), call("rotation", 5, true), call("certificate", 1)]);
    expect(most).toBe(1);
    expect(order).toEqual(["faults start", "faults end", "rotation start", "rotation end", "certificate start", "certificate end"]);
    expect(results.map((r) => (r.status === "fulfilled" ? r.value : String((r.reason as Error).message)))).toEqual(["faults", "rotation failed", "certificate"]);
  });

  it("lets calls on another socket run meanwhile", async () => {
    const order: string[] = [];
    const long = oneAtATime("/tmp/qga-b.sock", async () => {
      await sleep(30);
      order.push("b");
    });
    await oneAtATime("/tmp/qga-c.sock", async () => {
      order.push("c");
    });
    await long;
    expect(order).toEqual(["c", "b"]);
  });
});
