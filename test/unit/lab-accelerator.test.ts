// The lab's accelerator (lab/vm/accel.ts): KVM only when a test guest really runs under it, TCG
// otherwise, with the reason. This machine exercises the fallback (/dev/kvm opens, no guest
// runs); the KVM path's arguments are checked here, and the test guest itself is run under TCG.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { haveCommand, run } from "../../lab/exec";
import { KERNEL_PROBE_MARKER, KVM_MARKER, accelArgs, judgeKernelProbe, judgeProbe, kernelProbeArgs, kvmFailedAtStart, labAccelerator, probeArgs, probeKvm, testGuestBootSector } from "../../lab/vm/accel";

const haveQemu = haveCommand("qemu-system-x86_64");
const inCi = process.env.CI === "true";

describe("qemu arguments per accelerator", () => {
  it("KVM passes the host CPU through; TCG runs one thread per vCPU on qemu's max CPU (SSSE3+ for hyperscan)", () => {
    expect(accelArgs({ kind: "kvm", detail: "" })).toEqual(["-accel", "kvm", "-cpu", "host"]);
    expect(accelArgs({ kind: "tcg", detail: "" })).toEqual(["-accel", "tcg,thread=multi", "-cpu", "max"]);
  });

  it("the probe boots the test guest under KVM with its serial on stdout and a debug-exit port", () => {
    const args = probeArgs("/tmp/x.img");
    expect(args.slice(0, 2)).toEqual(["-accel", "kvm"]);
    // The lab VM's own vCPU set-up: a bare guest once ran where `-cpu host -smp 2` then failed.
    expect(args.join(" ")).toContain("-accel kvm -cpu host -smp 2");
    expect(probeArgs("/tmp/x.img", "tcg")).not.toContain("host");
    expect(args.join(" ")).toContain("-drive file=/tmp/x.img,format=raw,if=ide");
    expect(args.join(" ")).toContain("-serial stdio");
    expect(args.join(" ")).toContain("-device isa-debug-exit,iobase=0xf4,iosize=0x01");
    expect(args).not.toContain("-daemonize");
  });
});

describe("the test guest", () => {
  it("is a boot sector: 512 bytes, the 0x55AA signature, the marker written to COM1", () => {
    const s = testGuestBootSector();
    expect(s.length).toBe(512);
    expect(s.readUInt16LE(510)).toBe(0xaa55);
    expect(s.subarray(0, 3)).toEqual(Buffer.from([0xba, 0xf8, 0x03]));
    const written = [...s.subarray(3)].flatMap((b, i, all) => (b === 0xb0 && all[i + 2] === 0xee ? [all[i + 1] as number] : []));
    expect(Buffer.from(written).toString("ascii")).toBe(`${KVM_MARKER}\n`);
  });

  it.skipIf(!haveQemu && !inCi)("runs: under TCG it prints the marker and switches qemu off (exit 1 from isa-debug-exit)", () => {
    const image = join(mkdtempSync(join(tmpdir(), "accel-test-")), "boot.img");
    writeFileSync(image, testGuestBootSector());
    const r = run("qemu-system-x86_64", probeArgs(image, "tcg"), { allowFail: true, timeoutMs: 30_000 });
    expect(r.timedOut).toBeUndefined();
    expect(r.stdout).toContain(KVM_MARKER);
    expect(r.status).toBe(1);
  });
});

describe("judging the probe", () => {
  it("KVM when the marker came; TCG with the reason when qemu timed out or failed", () => {
    expect(judgeProbe({ status: 1, stdout: `${KVM_MARKER}\n`, stderr: "" }, 5000)).toEqual({ kind: "kvm", detail: "KVM: a test guest ran under KVM" });
    expect(judgeProbe({ status: 0, stdout: "", stderr: "qemu: terminating on signal 15\nError: spawnSync qemu-system-x86_64 ETIMEDOUT", timedOut: true }, 5000).detail)
      .toBe("TCG: /dev/kvm opens, but a test guest under KVM ran no instruction within 5 s (nested virtualization without support?)");
    const denied = judgeProbe({ status: 1, stdout: "", stderr: "qemu-system-x86_64: warning: host doesn't support requested feature\nCould not access KVM kernel module: Permission denied\nqemu-system-x86_64: failed to initialize kvm: Permission denied" }, 5000);
    expect(denied).toEqual({ kind: "tcg", detail: "TCG: qemu could not run a guest under KVM (exit 1): Could not access KVM kernel module: Permission denied; qemu-system-x86_64: failed to initialize kvm: Permission denied" });
  });

  it("falls back to TCG, naming the device, when /dev/kvm is missing", () => {
    expect(probeKvm("/nonexistent/kvm", 1000)).toEqual({ kind: "tcg", detail: "TCG: /nonexistent/kvm is not usable (ENOENT)" });
  });
});

describe("the kernel probe (a test guest can run where the lab's kernel cannot)", () => {
  it("boots the lab's kernel under KVM with the lab VM's CPU set-up, no disk, and exits on the panic", () => {
    const args = kernelProbeArgs("/cache/vmlinuz");
    expect(args.join(" ")).toContain("-accel kvm -cpu host -smp 2");
    expect(args.join(" ")).toContain("-kernel /cache/vmlinuz");
    expect(args.join(" ")).toContain("-append console=ttyS0,115200 panic=-1");
    expect(args).toContain("-no-reboot");
    expect(args).not.toContain("-initrd");
    expect(args).not.toContain("-drive");
  });

  it("KVM only when the kernel got to its root mount's panic; TCG with the reason otherwise", () => {
    const panicked = `Linux version 6.12.48+deb13-amd64\n[    1.9] VFS: Unable to mount root fs on unknown-block(0,0)\n[    1.9] ${KERNEL_PROBE_MARKER}: VFS: Unable to mount root fs\n`;
    expect(judgeKernelProbe({ status: 0, stdout: panicked, stderr: "" }, 30_000)).toEqual({ kind: "kvm", detail: "KVM: a test guest and the lab's kernel ran under KVM" });
    // Seen on a nested build machine: the decompressor's BMI2 instruction, qemu paused for good.
    const stopped = { status: -1, stdout: "Probing EDD (edd=off to disable)... ok\n", stderr: "KVM internal error. Suberror: 1\nextra data[0]: 0x0000000000000001\nemulation failure\nRAX=0000000001ad2b90\nqemu-system-x86_64: terminating on signal 15", timedOut: true };
    expect(judgeKernelProbe(stopped, 30_000)).toEqual({ kind: "tcg", detail: "TCG: a test guest ran under KVM, but the lab's kernel stopped under it: KVM internal error. Suberror: 1 (emulation failure)" });
    expect(judgeKernelProbe({ status: -1, stdout: "", stderr: "", timedOut: true }, 30_000).detail).toBe("TCG: a test guest ran under KVM, but the lab's kernel did not get to its root mount within 30 s under it");
    expect(judgeKernelProbe({ status: 1, stdout: "", stderr: "qemu-system-x86_64: could not load kernel '/x'" }, 30_000).detail).toBe("TCG: a test guest ran under KVM, but the lab's kernel did not (exit 1): qemu-system-x86_64: could not load kernel '/x'");
  });
});

describe("MAILFORT_LAB_ACCEL", () => {
  const saved = process.env.MAILFORT_LAB_ACCEL;
  afterEach(() => {
    if (saved === undefined) delete process.env.MAILFORT_LAB_ACCEL;
    else process.env.MAILFORT_LAB_ACCEL = saved;
  });

  it("tcg skips the probe; an unknown value is refused", () => {
    process.env.MAILFORT_LAB_ACCEL = "tcg";
    expect(labAccelerator()).toEqual({ kind: "tcg", detail: "TCG: MAILFORT_LAB_ACCEL=tcg" });
    process.env.MAILFORT_LAB_ACCEL = "hvf";
    expect(() => labAccelerator()).toThrow(/MAILFORT_LAB_ACCEL=hvf: use auto/);
  });

  it.skipIf(!haveQemu && !inCi)("auto on this machine: the verdict agrees with what the test guest did; kvm turns a fallback into an error", () => {
    process.env.MAILFORT_LAB_ACCEL = "auto";
    const a = labAccelerator();
    if (a.kind === "kvm") {
      expect(a.detail).toBe("KVM: a test guest ran under KVM");
    } else {
      expect(a.detail).toMatch(/^TCG: (\/dev\/kvm is not usable|\/dev\/kvm opens, but a test guest|qemu could not run a guest under KVM)/);
      process.env.MAILFORT_LAB_ACCEL = "kvm";
      expect(() => labAccelerator()).toThrow(`MAILFORT_LAB_ACCEL=kvm, but ${a.detail}`);
    }
  }, 30_000);
});

// Last: it leaves the process-wide verdict at TCG, as a real fallback does.
describe("KVM that passes the probe and still fails the lab VM", () => {
  const saved = process.env.MAILFORT_LAB_ACCEL;
  afterEach(() => {
    if (saved === undefined) delete process.env.MAILFORT_LAB_ACCEL;
    else process.env.MAILFORT_LAB_ACCEL = saved;
  });

  it("falls back to TCG for the rest of the run, saying what qemu said", () => {
    delete process.env.MAILFORT_LAB_ACCEL;
    const a = kvmFailedAtStart("command failed (exit 1): qemu-system-x86_64 -accel kvm\nqemu-system-x86_64: error: failed to set MSR 0x10a to 0x69\nkvm.c:3183: Assertion failed");
    expect(a.kind).toBe("tcg");
    expect(a.detail).toContain("failed to set MSR 0x10a");
    expect(labAccelerator()).toEqual(a);
  });

  it("is an error when KVM is required (MAILFORT_LAB_ACCEL=kvm)", () => {
    process.env.MAILFORT_LAB_ACCEL = "kvm";
    expect(() => kvmFailedAtStart("qemu-system-x86_64: error: failed to set MSR")).toThrow(/MAILFORT_LAB_ACCEL=kvm, but qemu did not start under KVM/);
  });
});
