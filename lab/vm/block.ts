// The lab's EBS operations on a running VM, through QMP: a point-in-time copy of the live data
// disk (what an EBS snapshot is: crash-consistent, taken while the server writes), and attaching
// or detaching a disk while the guest runs (aws ec2 attach-volume / detach-volume).
import { existsSync } from "node:fs";
import { run } from "../exec";
import { qmp } from "./qmp";
import type { RunningVm } from "./vm";

/** The data disk's block device in the VM (vm.ts: -drive id=data). */
const DATA_DRIVE = "data";

interface JobInfo { readonly id: string; readonly status: string; readonly error?: string }

/**
 * Copy the data disk as it is at this instant into `target` (qcow2), while the guest keeps
 * running: qemu's backup job copies every block and, before the guest overwrites one not yet
 * copied, that block's old contents first, so the copy is the disk at the job's start.
 */
export async function snapshotDataDisk(vm: RunningVm, target: string, sizeGb: number): Promise<void> {
  if (existsSync(target)) throw new Error(`${target} exists: a snapshot is never overwritten`);
  run("qemu-img", ["create", "-q", "-f", "qcow2", target, `${sizeGb}G`]);
  const node = "mfsnap";
  await qmp(vm.qmpSocket, [
    { execute: "blockdev-add", arguments: { driver: "qcow2", "node-name": node, file: { driver: "file", filename: target } } },
    { execute: "blockdev-backup", arguments: { "job-id": node, device: DATA_DRIVE, target: node, sync: "full", "auto-dismiss": false } },
  ]);
  const deadline = Date.now() + 600_000;
  for (;;) {
    const [jobs] = (await qmp(vm.qmpSocket, [{ execute: "query-jobs" }])) as [JobInfo[]];
    const job = jobs.find((j) => j.id === node);
    if (job === undefined) throw new Error("the backup job vanished before it concluded");
    if (job.status === "concluded") {
      await qmp(vm.qmpSocket, [{ execute: "job-dismiss", arguments: { id: node } }, { execute: "blockdev-del", arguments: { "node-name": node } }]);
      if (job.error !== undefined) throw new Error(`the backup job failed: ${job.error}`);
      return;
    }
    if (Date.now() > deadline) throw new Error(`the backup job is still ${job.status} after 600 s`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** Hot-plug a qcow2 as a virtio disk with this serial (/dev/disk/by-id/virtio-<serial> in the guest). */
export async function attachDisk(vm: RunningVm, file: string, serial: string, opts: { readOnly: boolean }): Promise<void> {
  await qmp(vm.qmpSocket, [
    { execute: "blockdev-add", arguments: { driver: "qcow2", "node-name": serial, "read-only": opts.readOnly, file: { driver: "file", filename: file, "read-only": opts.readOnly } } },
    { execute: "device_add", arguments: { driver: "virtio-blk-pci", id: `${serial}-dev`, drive: serial, serial } },
  ]);
}

/** Unplug it again: the guest acknowledges the eject (ACPI), then the block node is released. */
export async function detachDisk(vm: RunningVm, serial: string): Promise<void> {
  await qmp(vm.qmpSocket, [{ execute: "device_del", arguments: { id: `${serial}-dev` } }]);
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      // Refused ("in use") until the guest has let go of the device.
      await qmp(vm.qmpSocket, [{ execute: "blockdev-del", arguments: { "node-name": serial } }]);
      return;
    } catch (e) {
      if (Date.now() > deadline) throw new Error(`${serial} still attached 120 s after device_del: ${e instanceof Error ? e.message : String(e)}`);
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
}
