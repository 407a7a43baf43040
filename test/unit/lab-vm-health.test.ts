// The lab's VM health check between phases (lab/vm/health.ts): what it quotes from the serial
// console when the VM died or went silent mid-run.
import { describe, expect, it } from "vitest";
import { serialEvidence } from "../../lab/vm/health";

describe("serial console evidence of a dead or silent VM", () => {
  it("quotes the explaining lines first, then the last lines, without colours", () => {
    const log = [
      "[  OK  ] Started nginx.service",
      "MAILFORT-READY 2026-12-02T11:55:01Z",
      "[  812.4] BUG: kernel NULL pointer dereference, address: 0000000000000008",
      "[  812.4] Oops: 0002 [#1] PREEMPT SMP NOPTI",
      "[  812.5] Kernel panic - not syncing: Fatal exception",
      "\u001b[0;32m[  812.5] ---[ end Kernel panic ]---\u001b[0m",
    ].join("\n");
    const e = serialEvidence(log, 2);
    expect(e.startsWith("[  812.4] BUG: kernel NULL pointer dereference")).toBe(true);
    expect(e).toContain("Oops: 0002");
    expect(e).toContain("Kernel panic - not syncing: Fatal exception");
    expect(e).not.toContain("\u001b[");
    // The last lines that are not already quoted.
    expect(e).not.toContain("MAILFORT-READY");
    expect(serialEvidence(log, 6)).toContain("(last lines) | [  OK  ] Started nginx.service | MAILFORT-READY");
  });

  it("names a KVM internal error and an OOM kill; says when the console is empty", () => {
    expect(serialEvidence("a\nKVM internal error. Suberror: 1\nemulation failure\n", 0)).toBe("KVM internal error. Suberror: 1 | emulation failure");
    expect(serialEvidence("[ 99.1] php-fpm8.4 invoked oom-killer: gfp_mask=0x140cca\n", 0)).toContain("invoked oom-killer");
    expect(serialEvidence("")).toBe("(the serial console is empty)");
    expect(serialEvidence("just booting\n", 3)).toBe("(last lines) | just booting");
  });
});
