// The restore, in the lab, folded into the replacement boot: a snapshot of the live data disk
// (a point-in-time copy, as EBS takes it), more mail after it, then the replacement instance
// boots on a volume made from that snapshot (its user data as `pulumi up` with
// dataVolume.restoreFrom renders it) while the old disk is kept; the old disk is hot-plugged
// read-only and the later mail recovered with the very commands an operator sends through SSM.
// Mailboxes are measured with configs/bin/mailfort-mailcount inside the guest (message count and
// a hash of the messages' bytes per mailbox): before the snapshot, on the restored server, on the
// old volume and after the recovery.
import { createHash } from "node:crypto";
import { createReadStream, readFileSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { recoverParameters } from "../restore/recover-commands";
import type { CheckResult } from "../verify/contract";
import { run } from "./exec";
import { labPaths } from "./paths";
import { repoRoot } from "./stack";
import { attachDisk, detachDisk, snapshotDataDisk } from "./vm/block";
import { guestExec, guestShell } from "./vm/guest-agent";
import type { RunningVm } from "./vm/vm";

/** The snapshot id the lab's restore names (any well-formed id: the synth cannot look it up). */
export const LAB_RESTORE_SNAPSHOT = "snap-0a1b2c3d4e5f60718";
const PREVIOUS_SERIAL = "mailfort-previous";
const PREVIOUS_DEVICE = `/dev/disk/by-id/virtio-${PREVIOUS_SERIAL}`;
const MAILCOUNT = "/run/mailfort-mailcount";

/** Per mailbox: "<messages> <sha256 of its messages>". */
export type MailboxCounts = Record<string, string>;

export interface LabSnapshot {
  readonly file: string;
  /** The guest's clock when the copy was taken, seconds since the epoch (what EBS's StartTime is). */
  readonly takenAt: number;
  readonly mailboxes: MailboxCounts;
}

const snapshotFile = () => join(labPaths.vm(), "snapshot.qcow2");
const previousDisk = () => join(labPaths.vm(), "previous.qcow2");

async function installMailcount(): Promise<void> {
  const script = readFileSync(join(repoRoot(), "configs", "bin", "mailfort-mailcount"), "utf8");
  await guestShell(`cat > ${MAILCOUNT}`, { input: script });
}

/** The mailboxes under a data directory in the guest, counted and hashed. */
async function countMail(dir: string): Promise<MailboxCounts> {
  // Run by its interpreter: the guest mounts /run noexec (the first lab run of the restore was
  // refused with "Permission denied"), and the lab leaves nothing of its own on the guest's disk.
  const out = await guestShell(`bash ${MAILCOUNT} --hash ${dir}`, { timeoutMs: 300_000 });
  return Object.fromEntries(out.split("\n").filter((l) => l.startsWith("mailbox ")).map((l) => {
    const [, address, n, sum] = l.split(" ");
    return [address ?? "", `${n} ${sum}`];
  }));
}

const same = (a: MailboxCounts, b: MailboxCounts) => JSON.stringify(Object.entries(a).sort()) === JSON.stringify(Object.entries(b).sort());
const show = (m: MailboxCounts) => Object.entries(m).sort().map(([a, v]) => `${a} ${v.split(" ")[0]} (${v.split(" ")[1]?.slice(0, 12) ?? ""})`).join(", ");

/**
 * Snapshot the data disk while the server runs. Counted before and after the copy: equal counts
 * mean nothing was delivered meanwhile, so the copy holds exactly what was counted.
 */
export async function takeLabSnapshot(vm: RunningVm, sizeGb: number, log: (l: string) => void): Promise<{ snapshot: LabSnapshot; result: CheckResult }> {
  const started = Date.now();
  await installMailcount();
  for (let attempt = 1; ; attempt++) {
    rmSync(snapshotFile(), { force: true });
    const before = await countMail("/srv/mailfort");
    const takenAt = Number((await guestShell("date +%s")).trim());
    await snapshotDataDisk(vm, snapshotFile(), sizeGb);
    const after = await countMail("/srv/mailfort");
    if (same(before, after) || attempt === 3) {
      log(`restore: snapshot of the live data disk at ${new Date(takenAt * 1000).toISOString()} (guest clock): ${show(before)}`);
      return {
        snapshot: { file: snapshotFile(), takenAt, mailboxes: before },
        result: {
          id: "restore-snapshot-live", title: "a point-in-time copy of the live data volume is taken while the server runs (what an EBS snapshot is)",
          status: same(before, after) && Object.keys(before).length > 0 ? "pass" : "fail",
          detail: same(before, after) ? `${Object.keys(before).length} mailboxes: ${show(before)}` : `mail kept arriving during the copy (${show(before)} vs ${show(after)})`,
          seconds: Math.round((Date.now() - started) / 1000),
        },
      };
    }
    log(`restore: mail arrived during the copy; taking it again (${attempt})`);
  }
}

/** The old instance is gone: its disk becomes the previous volume, and a new one is made from the snapshot. */
export function makeRestoredDisk(): { previousSha256: Promise<string> } {
  rmSync(previousDisk(), { force: true });
  renameSync(labPaths.dataDisk(), previousDisk());
  // Copy-on-write over the snapshot: the snapshot itself stays as taken, as EBS keeps it.
  run("qemu-img", ["create", "-q", "-f", "qcow2", "-F", "qcow2", "-b", snapshotFile(), labPaths.dataDisk()]);
  return { previousSha256: sha256(previousDisk()) };
}

function sha256(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const h = createHash("sha256");
    createReadStream(file).on("data", (d) => h.update(d)).on("error", reject).on("end", () => resolve(h.digest("hex")));
  });
}

/** The restore's user data must differ from the first boot's by the line that names the snapshot, nothing else. */
export function userDataDifference(first: Buffer, restoring: Buffer): CheckResult {
  const lines = (b: Buffer) => new Set(gunzipSync(b).toString("utf8").split("\n").map((l) => l.trim()));
  const [a, b] = [lines(first), lines(restoring)];
  const added = [...b].filter((l) => !a.has(l));
  const removed = [...a].filter((l) => !b.has(l));
  const ok = removed.length === 0 && added.length === 1 && added[0] === `MAILFORT_RESTORED_FROM=${LAB_RESTORE_SNAPSHOT}`;
  return {
    id: "restore-user-data", title: "the restoring stack's user data differs by the line naming the snapshot alone (the change that replaces the instance)",
    status: ok ? "pass" : "fail", detail: `added ${JSON.stringify(added)}, removed ${JSON.stringify(removed)}`, seconds: 0,
  };
}

const result = (id: string, title: string, ok: boolean, detail: string, started: number): CheckResult =>
  ({ id, title, status: ok ? "pass" : "fail", detail, seconds: Math.round((Date.now() - started) / 1000) });

/**
 * On the restored server: the mail of the snapshot byte for byte; then the old volume attached
 * read-only, the later mail recovered with the SSM commands `npm run restore -- recover` writes,
 * the mailboxes now the old volume's byte for byte; the old volume detached with the server's
 * own volume still mounted and the services up; the old disk not changed by a single bit.
 */
export async function checkRestored(vm: RunningVm, snap: LabSnapshot, previousSha256: Promise<string>, log: (l: string) => void): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  let started = Date.now();
  await installMailcount();
  const restored = await countMail("/srv/mailfort");
  results.push(result("restore-mail-byte-for-byte", "the restored server holds the snapshot's mail: message count and hash per mailbox as counted before the snapshot",
    same(restored, snap.mailboxes), `before the snapshot ${show(snap.mailboxes)}; restored ${show(restored)}`, started));

  started = Date.now();
  const before = await previousSha256;
  await attachDisk(vm, previousDisk(), PREVIOUS_SERIAL, { readOnly: true });
  await guestShell(`for i in $(seq 60); do [ -b ${PREVIOUS_DEVICE} ] && exit 0; sleep 1; done; exit 1`, { timeoutMs: 90_000 });
  const params = recoverParameters({ region: "lab", instanceId: "i-lab", previousVolumeId: "vol-lab", since: new Date(snap.takenAt * 1000).toISOString(), device: PREVIOUS_DEVICE });
  const recovery = await guestExec(["/bin/bash", "-s"], { input: `${params.commands.join("\n")}\n`, timeoutMs: 600_000 });
  log(`restore: ${recovery.stdout.trim().replace(/\n/g, "; ")}`);
  results.push(result("restore-recover-ran", "mailfort-recover, sent as the SSM Run Command of `npm run restore -- recover`, runs on the restored server against the previous volume",
    recovery.exitCode === 0, `exit ${recovery.exitCode}: ${(recovery.stdout + recovery.stderr).trim().replace(/\n/g, "; ").slice(0, 600)}`, started));

  started = Date.now();
  await guestShell(`mkdir -p /run/mailfort-old && { mount -o ro ${PREVIOUS_DEVICE} /run/mailfort-old || mount -o ro,noload ${PREVIOUS_DEVICE} /run/mailfort-old; }`);
  const old = await countMail("/run/mailfort-old");
  await guestShell("umount /run/mailfort-old");
  const recovered = await countMail("/srv/mailfort");
  results.push(result("restore-late-mail-byte-for-byte", "after the recovery every mailbox holds what the previous volume held: the snapshot's mail and the later mail, byte for byte",
    same(recovered, old) && !same(old, snap.mailboxes), `previous volume ${show(old)}; recovered ${show(recovered)}`, started));

  started = Date.now();
  await detachDisk(vm, PREVIOUS_SERIAL);
  const mounted = (await guestExec(["findmnt", "-no", "SOURCE", "/srv/mailfort"])).stdout.trim();
  const active = (await guestExec(["systemctl", "is-active", "postfix", "dovecot", "rspamd", "redis-server"])).stdout.trim().split("\n");
  const after = await sha256(previousDisk());
  results.push(result("restore-previous-detached", "the previous volume detaches again; the server keeps its own volume mounted and its services running; the previous volume is unchanged",
    /virtio-mailfort-data|\/dev\/vdb/.test(mounted) && active.every((s) => s === "active") && after === before,
    `/srv/mailfort from ${mounted}; services ${active.join(",")}; previous disk sha256 ${before.slice(0, 12)} before, ${after.slice(0, 12)} after`, started));
  return results;
}
