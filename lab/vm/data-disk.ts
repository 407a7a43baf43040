// Look inside the data volume while the VM is off, without mounting it: a sparse raw copy, then
// blkid for the filesystem's identity (a reformat changes its UUID) and debugfs for what the
// Postfix queue holds. Used around a replacement to prove nothing was reformatted or lost.
import { rmSync } from "node:fs";
import { join } from "node:path";
import { run } from "../exec";
import { labPaths } from "../paths";

export interface DataDiskFacts {
  readonly uuid: string;
  readonly label: string;
  /** Files in the Postfix deferred queue (recursively, hashed subdirectories included). */
  readonly deferred: number;
}

export function inspectDataDisk(qcow2: string): DataDiskFacts {
  const raw = join(labPaths.vm(), "data-inspect.raw");
  rmSync(raw, { force: true });
  try {
    run("qemu-img", ["convert", "-O", "raw", qcow2, raw], { timeoutMs: 300_000 });
    const uuid = run("blkid", ["-p", "-s", "UUID", "-o", "value", raw], { allowFail: true }).stdout.trim();
    const label = run("blkid", ["-p", "-s", "LABEL", "-o", "value", raw], { allowFail: true }).stdout.trim();
    const deferred = countFiles(raw, "/postfix/deferred");
    return { uuid, label, deferred };
  } finally {
    rmSync(raw, { force: true });
  }
}

/** Regular files under a directory of an ext4 image, through debugfs (read-only). */
function countFiles(image: string, dir: string, depth = 0): number {
  const out = run("debugfs", ["-R", `ls -p ${dir}`, image], { allowFail: true }).stdout;
  let n = 0;
  for (const line of out.split("\n")) {
    // ls -p: /inode/mode/uid/gid/name/size/
    const f = line.split("/");
    const mode = f[2] ?? "";
    const name = f[5] ?? "";
    if (!name || name === "." || name === "..") continue;
    if (mode.startsWith("04") && depth < 3) n += countFiles(image, `${dir}/${name}`, depth + 1);
    else if (mode.startsWith("10")) n++;
  }
  return n;
}
