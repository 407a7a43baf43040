// Which accelerator qemu runs the lab VM with: KVM where it works (most Linux laptops, GitHub's
// Linux runners: the CPU runs the guest natively), TCG otherwise (every instruction emulated: a
// boot to ready takes 5-6 minutes on 2 cores). "Works" is tried, not assumed: on nested build
// machines /dev/kvm exists, opens and even creates a VM, and yet no guest instruction ever runs.
// So the probe boots a 512-byte test guest under KVM that writes a marker to its serial port and
// switches qemu off; KVM counts only when the marker arrives in time. And even that is not
// enough: on another nested machine the test guest ran, yet the lab's Linux kernel stopped in its
// decompressor with "KVM internal error. Suberror: 1 (emulation failure)" and qemu paused the VM
// for good, silent on the serial console. So when the lab's kernel is known, it is booted too
// (no root disk: it must get as far as panicking for want of one) before KVM is trusted.
// MAILFORT_LAB_ACCEL=tcg skips the probe (e.g. to measure TCG on a KVM machine); =kvm makes a
// failed probe an error instead of a fallback (e.g. a CI runner that must have KVM).
import { accessSync, constants, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type RunResult, run } from "../exec";

export interface Accelerator {
  readonly kind: "kvm" | "tcg";
  /** Why this one: what the probe saw. */
  readonly detail: string;
}

/** The qemu arguments of an accelerator: how the vCPUs run and which CPU the guest sees. */
export function accelArgs(a: Accelerator): string[] {
  return a.kind === "kvm"
    ? // The host's own CPU, passed through: the features hyperscan (Rspamd) needs are the host's.
      ["-accel", "kvm", "-cpu", "host"]
    : // One host thread per vCPU: boot-to-ready takes half as long as with thread=single (324 s
      // against 600 s measured). The price: qemu 7.2's multi-threaded TCG once oopsed the guest
      // ("int3" while the kernel patched its own code across vCPUs); the kernel's oops=panic
      // turns that into a clean qemu exit, and the runner boots such an instance again.
      // -cpu max: Rspamd's hyperscan needs SSSE3+, which qemu's default CPU model lacks.
      ["-accel", "tcg,thread=multi", "-cpu", "max"];
}

export const KVM_MARKER = "MAILFORT-KVM-OK";
/** The test guest's way out: isa-debug-exit turns its `out` into qemu's exit code (value * 2 + 1). */
const DEBUG_EXIT_PORT = 0xf4;

/**
 * A boot sector (real mode, loaded by the BIOS at 0x7c00): write KVM_MARKER and a newline to
 * COM1 (0x3f8; qemu's UART needs no set-up to transmit), then write 0 to the debug-exit port, so
 * qemu exits with status 1. If that does not take, halt forever.
 */
export function testGuestBootSector(): Buffer {
  const code: number[] = [0xba, 0xf8, 0x03]; // mov dx, 0x3f8
  for (const ch of Buffer.from(`${KVM_MARKER}\n`, "ascii")) code.push(0xb0, ch, 0xee); // mov al, ch; out dx, al
  code.push(0xb0, 0x00, 0xe6, DEBUG_EXIT_PORT); // mov al, 0; out 0xf4, al
  code.push(0xfa, 0xf4, 0xeb, 0xfd); // cli; hlt; jmp back to hlt
  const sector = Buffer.alloc(512);
  Buffer.from(code).copy(sector);
  sector.writeUInt16LE(0xaa55, 510);
  return sector;
}

/**
 * The qemu command line of the probe (the test guest on a raw IDE disk, its serial on stdout), with
 * the lab VM's CPU set-up: on one nested build machine a bare KVM guest ran, and the lab VM's
 * `-cpu host -smp 2` then failed at start ("failed to set MSR 0x10a"), so the probe asks for both.
 */
export function probeArgs(bootImage: string, accel: "kvm" | "tcg" = "kvm"): string[] {
  return [
    "-accel", accel, ...(accel === "kvm" ? ["-cpu", "host"] : []), "-smp", "2",
    "-machine", "pc", "-nodefaults", "-no-user-config", "-display", "none", "-m", "16",
    "-drive", `file=${bootImage},format=raw,if=ide`,
    "-serial", "stdio",
    "-device", `isa-debug-exit,iobase=0x${DEBUG_EXIT_PORT.toString(16)},iosize=0x01`,
    "-no-reboot",
  ];
}

/** What one probe run says, from qemu's exit and output (pure: unit-tested). */
export function judgeProbe(r: RunResult, timeoutMs: number): Accelerator {
  if (r.stdout.includes(KVM_MARKER)) return { kind: "kvm", detail: "KVM: a test guest ran under KVM" };
  if (r.timedOut === true) return { kind: "tcg", detail: `TCG: /dev/kvm opens, but a test guest under KVM ran no instruction within ${timeoutMs / 1000} s (nested virtualization without support?)` };
  const why = r.stderr.trim().split("\n").filter((l) => !/warning:/.test(l)).join("; ").slice(0, 300);
  return { kind: "tcg", detail: `TCG: qemu could not run a guest under KVM (exit ${r.status}): ${why || "no marker, no error"}` };
}

/** What the lab kernel prints when it got through decompression, SMP and its drivers to the root mount. */
export const KERNEL_PROBE_MARKER = "Kernel panic - not syncing";

/**
 * The second probe: the lab's own kernel under KVM with the lab VM's CPU set-up, no disk and no
 * initrd, so it ends in a panic about its root filesystem; panic=-1 reboots at once and
 * -no-reboot turns that into qemu's exit. Under a working KVM this takes a few seconds.
 */
export function kernelProbeArgs(kernel: string): string[] {
  return [
    "-accel", "kvm", "-cpu", "host", "-smp", "2",
    "-machine", "pc", "-nodefaults", "-no-user-config", "-display", "none", "-m", "256",
    "-kernel", kernel,
    "-append", "console=ttyS0,115200 panic=-1",
    "-serial", "stdio",
    "-no-reboot",
  ];
}

/** What the kernel probe says (pure: unit-tested). */
export function judgeKernelProbe(r: RunResult, timeoutMs: number): Accelerator {
  if (r.stdout.includes(KERNEL_PROBE_MARKER)) return { kind: "kvm", detail: "KVM: a test guest and the lab's kernel ran under KVM" };
  const output = `${r.stdout}\n${r.stderr}`;
  const internal = /KVM internal error[^\n]*/.exec(output);
  if (internal) {
    const failure = /emulation failure/.test(output) ? " (emulation failure)" : "";
    return { kind: "tcg", detail: `TCG: a test guest ran under KVM, but the lab's kernel stopped under it: ${internal[0].trim()}${failure}` };
  }
  if (r.timedOut === true) return { kind: "tcg", detail: `TCG: a test guest ran under KVM, but the lab's kernel did not get to its root mount within ${timeoutMs / 1000} s under it` };
  const why = r.stderr.trim().split("\n").filter((l) => !/warning:/.test(l)).join("; ").slice(0, 300);
  return { kind: "tcg", detail: `TCG: a test guest ran under KVM, but the lab's kernel did not (exit ${r.status}): ${why || "no panic line, no error"}` };
}

let probed: Accelerator | undefined;
/** The kernel the second probe already booted in this process. */
let kernelProbed: string | undefined;

/**
 * Probe once per process (and the lab kernel once, when given); MAILFORT_LAB_ACCEL=tcg|kvm|auto
 * (default auto).
 */
export function labAccelerator(opts: { device?: string; timeoutMs?: number; kernel?: string } = {}): Accelerator {
  const wanted = process.env.MAILFORT_LAB_ACCEL ?? "auto";
  if (!["auto", "kvm", "tcg"].includes(wanted)) throw new Error(`MAILFORT_LAB_ACCEL=${wanted}: use auto (probe KVM, else TCG), kvm (KVM or fail) or tcg`);
  if (wanted === "tcg") return { kind: "tcg", detail: "TCG: MAILFORT_LAB_ACCEL=tcg" };
  probed ??= probeKvm(opts.device ?? "/dev/kvm", opts.timeoutMs ?? 5000);
  if (probed.kind === "kvm" && opts.kernel !== undefined && kernelProbed !== opts.kernel) {
    kernelProbed = opts.kernel;
    probed = probeKernel(opts.kernel, KERNEL_PROBE_TIMEOUT_MS);
  }
  if (wanted === "kvm" && probed.kind !== "kvm") throw new Error(`MAILFORT_LAB_ACCEL=kvm, but ${probed.detail}`);
  return probed;
}

/**
 * The lab VM itself did not start under KVM although the probe passed: TCG from now on in this
 * process (the replacement boot too), with the reason.
 */
export function kvmFailedAtStart(error: string): Accelerator {
  if (process.env.MAILFORT_LAB_ACCEL === "kvm") throw new Error(`MAILFORT_LAB_ACCEL=kvm, but qemu did not start under KVM: ${error}`);
  const why = error.split("\n").filter((l) => /qemu|error|assert/i.test(l)).join("; ").slice(0, 300);
  probed = { kind: "tcg", detail: `TCG: the test guest ran under KVM, but the lab VM did not start under it (${why || "no message"})` };
  return probed;
}

/** Seconds a working KVM needs to boot the kernel to its root mount, with a wide margin. */
const KERNEL_PROBE_TIMEOUT_MS = 30_000;

/** Boot the lab's kernel under KVM (no caching; labAccelerator caches). */
export function probeKernel(kernel: string, timeoutMs: number): Accelerator {
  // spawnSync's timeout stops our own qemu, which pauses (not exits) on a KVM internal error.
  return judgeKernelProbe(run("qemu-system-x86_64", kernelProbeArgs(kernel), { allowFail: true, timeoutMs }), timeoutMs);
}

/** Try KVM with the test guest (no caching; labAccelerator caches). */
export function probeKvm(device: string, timeoutMs: number): Accelerator {
  try {
    accessSync(device, constants.R_OK | constants.W_OK);
  } catch (e) {
    return { kind: "tcg", detail: `TCG: ${device} is not usable (${(e as NodeJS.ErrnoException).code ?? String(e)})` };
  }
  const dir = mkdtempSync(join(tmpdir(), "mailfort-kvm-probe-"));
  try {
    const image = join(dir, "boot.img");
    writeFileSync(image, testGuestBootSector());
    // spawnSync's timeout stops our own qemu when the guest never runs.
    return judgeProbe(run("qemu-system-x86_64", probeArgs(image), { allowFail: true, timeoutMs }), timeoutMs);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
