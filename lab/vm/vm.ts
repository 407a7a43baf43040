// Boot the lab VM under qemu (KVM where a probe finds it working, TCG otherwise: accel.ts) in the
// core namespace, on the lab tap: direct kernel boot of the cached image through a fresh
// copy-on-write overlay (the base stays pristine), the data volume as a second disk that outlives
// the VM, the NoCloud seed and the MFSECRETS disk when a quick run asks for it. The serial console
// goes to a file that waitReady() watches.
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { run } from "../exec";
import type { LabImage } from "../image/build";
import { labPaths } from "../paths";
import { CORE_NETNS, TAP, VM_MAC } from "../topology";
import { type Accelerator, accelArgs, kvmFailedAtStart, labAccelerator } from "./accel";
import { qgaSocketPath } from "./guest-agent";
import { qmp } from "./qmp";

export interface VmSpec {
  readonly image: LabImage;
  readonly seedDisk: string;
  /** The MFSECRETS disk (the quick-run shortcut); without it the host reads SSM, as on EC2. */
  readonly secretsDisk?: string;
  readonly dataDisk: string;
  readonly memoryMb: number;
  readonly cpus: number;
}

export interface RunningVm {
  readonly pid: number;
  readonly serialLog: string;
  readonly qmpSocket: string;
  readonly startedAt: number;
  /** KVM or TCG, and why (for the lab and bench reports). */
  readonly accelerator: Accelerator;
}

const vmDir = () => labPaths.vm();
const pidFile = () => join(vmDir(), "qemu.pid");
const accelFile = () => join(vmDir(), "accelerator.json");
const qmpSocket = () => join(vmDir(), "qmp.sock");

/** Create the data volume once (a blank disk: the boot script formats it, like a new EBS volume). */
export function ensureDataDisk(path: string, sizeGb: number): void {
  if (existsSync(path)) return;
  mkdirSync(vmDir(), { recursive: true });
  run("qemu-img", ["create", "-q", "-f", "qcow2", path, `${sizeGb}G`]);
}

export function bootVm(spec: VmSpec, log: (l: string) => void): RunningVm {
  mkdirSync(vmDir(), { recursive: true });
  const overlay = join(vmDir(), "root-overlay.qcow2");
  rmSync(overlay, { force: true });
  // A fresh overlay per boot: like a new instance from the same AMI.
  run("qemu-img", ["create", "-q", "-f", "qcow2", "-F", "raw", "-b", spec.image.rootDisk, overlay]);
  rmSync(labPaths.serialLog(), { force: true });
  rmSync(qmpSocket(), { force: true });
  rmSync(pidFile(), { force: true });
  const start = (accelerator: Accelerator) => run("qemu-system-x86_64", qemuArgs(spec, overlay, accelerator), { netns: CORE_NETNS, timeoutMs: 60_000 });
  let accelerator = labAccelerator({ kernel: spec.image.kernel });
  try {
    start(accelerator);
  } catch (e) {
    if (accelerator.kind !== "kvm") throw e;
    accelerator = kvmFailedAtStart(e instanceof Error ? e.message : String(e));
    log(`vm: qemu did not start under KVM; ${accelerator.detail}`);
    start(accelerator);
  }
  const pid = Number(readFileSync(pidFile(), "utf8").trim());
  writeFileSync(accelFile(), `${JSON.stringify(accelerator)}\n`);
  log(`vm: qemu started (pid ${pid}, ${spec.cpus} vCPU ${accelerator.kind.toUpperCase()}, ${spec.memoryMb} MiB); ${accelerator.detail}; serial log ${labPaths.serialLog()}`);
  return { pid, serialLog: labPaths.serialLog(), qmpSocket: qmpSocket(), startedAt: Date.now(), accelerator };
}

/** qemu's command line for the lab VM. */
function qemuArgs(spec: VmSpec, overlay: string, accelerator: Accelerator): string[] {
  return [
    "-name", "mailfort-lab",
    "-machine", "pc",
    // No default devices (floppy, VGA, parallel port): the guest should see only the disks we give it.
    "-nodefaults",
    ...accelArgs(accelerator),
    "-smp", String(spec.cpus),
    "-m", String(spec.memoryMb),
    "-display", "none",
    "-serial", `file:${labPaths.serialLog()}`,
    "-kernel", spec.image.kernel,
    "-initrd", spec.image.initrd,
    "-append", "root=LABEL=mfroot rw console=ttyS0,115200 net.ifnames=0 oops=panic panic=-1",
    "-no-reboot",
    // Disks on fixed PCI slots, so the guest sees them in this order: vda root, vdb data,
    // vdc seed, vdd secrets (quick runs only). The data volume also keeps a stable serial (like an EBS volume
    // id): /dev/disk/by-id/virtio-mailfort-data.
    "-drive", `file=${overlay},if=none,id=root,format=qcow2,cache=unsafe`,
    "-device", "virtio-blk-pci,drive=root,addr=0x5",
    "-drive", `file=${spec.dataDisk},if=none,id=data,format=qcow2`,
    "-device", "virtio-blk-pci,drive=data,serial=mailfort-data,addr=0x6",
    "-drive", `file=${spec.seedDisk},if=none,id=seed,format=raw,readonly=on`,
    "-device", "virtio-blk-pci,drive=seed,addr=0x7",
    ...(spec.secretsDisk !== undefined ? [
      "-drive", `file=${spec.secretsDisk},if=none,id=secrets,format=raw,readonly=on`,
      "-device", "virtio-blk-pci,drive=secrets,addr=0x8",
    ] : []),
    "-netdev", `tap,id=lab0,ifname=${TAP},script=no,downscript=no`,
    "-device", `virtio-net-pci,netdev=lab0,mac=${VM_MAC}`,
    // The balloon's statistics tell the guest's memory use without a login or an agent.
    "-device", "virtio-balloon-pci,id=balloon0",
    "-device", "virtio-rng-pci",
    // Lab-only management channel (the VM has no login): the QEMU guest agent's port, used by
    // the benchmarks to read /proc in the guest; see guest-agent.ts. AWS instances use SSM.
    "-device", "virtio-serial-pci,id=vserial0",
    "-chardev", `socket,id=qga0,path=${qgaSocketPath()},server=on,wait=off`,
    "-device", "virtserialport,bus=vserial0.0,chardev=qga0,name=org.qemu.guest_agent.0",
    "-qmp", `unix:${qmpSocket()},server=on,wait=off`,
    "-pidfile", pidFile(),
    "-daemonize",
  ];
}

export function runningVm(): RunningVm | undefined {
  if (!existsSync(pidFile())) return undefined;
  const pid = Number(readFileSync(pidFile(), "utf8").trim());
  if (!isAlive(pid)) return undefined;
  const accelerator = existsSync(accelFile()) ? (JSON.parse(readFileSync(accelFile(), "utf8")) as Accelerator) : { kind: "tcg" as const, detail: "unknown (started before the accelerator was recorded)" };
  return { pid, serialLog: labPaths.serialLog(), qmpSocket: qmpSocket(), startedAt: statSync(pidFile()).mtimeMs, accelerator };
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Lines of the serial console worth showing while waiting: boot stages and the verdict. */
const PROGRESS = /Cloud-init v\.|cloud-init\[\d+\]: .*(running|finished|Failed|Traceback)|Reached target (Network|Multi-User|Cloud-init)|MAILFORT-|mailfort[-:]|Kernel panic|emergency mode/i;

// systemd colours its status lines on the serial console.
export const ANSI_COLOUR = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, "g");

export interface Readiness {
  readonly ready: boolean;
  readonly detail: string;
  readonly seconds: number;
  /** The guest kernel crashed (panic/oops) and qemu exited: the emulator's fault, worth a retry. */
  readonly guestCrashed?: boolean;
}

const GUEST_CRASH = /Kernel panic - not syncing.*|Oops: .*/;

/** Watch the serial log for `MAILFORT-READY` or `MAILFORT-FAILED <reason>`, printing stages. */
export async function waitReady(vm: RunningVm, timeoutMs: number, log: (l: string) => void): Promise<Readiness> {
  let shown = 0;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const text = existsSync(vm.serialLog) ? readFileSync(vm.serialLog, "utf8") : "";
    const lines = text.split(/\r?\n/);
    for (; shown < lines.length - 1; shown++) {
      const line = lines[shown] ?? "";
      if (PROGRESS.test(line)) log(`vm: ${line.replace(ANSI_COLOUR, "").trim().slice(0, 200)}`);
      const ready = /MAILFORT-READY\b(.*)/.exec(line);
      if (ready) return { ready: true, detail: line.trim(), seconds: (Date.now() - vm.startedAt) / 1000 };
      const failed = /MAILFORT-FAILED\b(.*)/.exec(line);
      if (failed) return { ready: false, detail: `the VM reported failure: ${(failed[1] ?? "").trim()}`, seconds: (Date.now() - vm.startedAt) / 1000 };
    }
    if (!isAlive(vm.pid)) {
      const crash = GUEST_CRASH.exec(text.replace(ANSI_COLOUR, ""));
      const seconds = (Date.now() - vm.startedAt) / 1000;
      if (crash) return { ready: false, guestCrashed: true, detail: `the guest kernel crashed: ${crash[0].trim().slice(0, 160)}; see ${vm.serialLog}`, seconds };
      return { ready: false, detail: `qemu exited before readiness; see ${vm.serialLog}`, seconds };
    }
    if (Date.now() > deadline) {
      const tail = lines.slice(-15).join("\n");
      return { ready: false, detail: `no MAILFORT-READY within ${Math.round(timeoutMs / 1000)} s; serial tail:\n${tail}`, seconds: (Date.now() - vm.startedAt) / 1000 };
    }
    await new Promise((r) => setTimeout(r, 2000));
  }
}

/** Memory the guest uses (total - free - caches), in MiB, from the balloon statistics. */
export async function guestMemoryUsedMb(vm: RunningVm): Promise<number | undefined> {
  const path = "/machine/peripheral/balloon0";
  await qmp(vm.qmpSocket, [{ execute: "qom-set", arguments: { path, property: "guest-stats-polling-interval", value: 2 } }]);
  await new Promise((r) => setTimeout(r, 5000));
  const [stats] = (await qmp(vm.qmpSocket, [{ execute: "qom-get", arguments: { path, property: "guest-stats" } }])) as [{ stats: Record<string, number> }];
  const s = stats?.stats ?? {};
  const total = s["stat-total-memory"];
  const avail = s["stat-available-memory"] ?? s["stat-free-memory"];
  if (total === undefined || avail === undefined || total < 0 || avail < 0) return undefined;
  return Math.round((total - avail) / 1024 / 1024);
}

/** ACPI power-down, then wait; SIGTERM to our own qemu only if the guest does not stop in time. */
export async function shutdownVm(vm: RunningVm, log: (l: string) => void, timeoutMs = 120_000): Promise<void> {
  if (!isAlive(vm.pid)) return;
  try {
    await qmp(vm.qmpSocket, [{ execute: "system_powerdown" }]);
    log("vm: ACPI power-down sent");
  } catch (e) {
    log(`vm: QMP power-down failed (${e instanceof Error ? e.message : String(e)})`);
  }
  const deadline = Date.now() + timeoutMs;
  while (isAlive(vm.pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 1000));
  if (isAlive(vm.pid)) {
    log(`vm: guest did not power off in ${timeoutMs / 1000} s; stopping qemu (pid ${vm.pid})`);
    process.kill(vm.pid, "SIGTERM");
    await new Promise((r) => setTimeout(r, 3000));
    if (isAlive(vm.pid)) process.kill(vm.pid, "SIGKILL");
  } else {
    log("vm: powered off cleanly");
  }
}
