// Run a long-lived process from the emulator root: in the lab host's network namespace, in a
// mount namespace of its own where the root is bound read-only (the cache stays pristine) with
// fresh /proc, /tmp and /run, the emulator's code at /opt and the lab's state directory at /mnt.
// The mounts vanish with the process; nothing is left to unmount.
import { spawn, spawnSync } from "node:child_process";
import { closeSync, openSync } from "node:fs";
import { join, relative } from "node:path";

export interface ChrootSpec {
  readonly root: string;
  readonly netns: string;
  /** Host directory bound read-write at /mnt in the root. */
  readonly stateDir: string;
  /** Host directory bound read-only at /opt in the root. */
  readonly codeDir: string;
  readonly argv: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
  /** stdout and stderr of the process go here. */
  readonly logFile: string;
}

/** The path a host file under stateDir has inside the root. */
export function inRoot(spec: Pick<ChrootSpec, "stateDir">, hostPath: string): string {
  const rel = relative(spec.stateDir, hostPath);
  if (rel.startsWith("..")) throw new Error(`${hostPath} is not under the emulator's state directory ${spec.stateDir}`);
  return join("/mnt", rel);
}

const q = (s: string) => `'${s.replace(/'/g, "'\\''")}'`;

/** The shell script run inside the new mount namespace (exec keeps one pid to the end). */
export function chrootScript(spec: ChrootSpec): string {
  const r = q(spec.root);
  const env = Object.entries({ PATH: "/usr/sbin:/usr/bin:/sbin:/bin", HOME: "/tmp", LANG: "C.UTF-8", ...spec.env }).map(([k, v]) => q(`${k}=${v}`));
  return [
    "set -e",
    `mount --bind ${r} ${r}`,
    `mount -o remount,bind,ro ${r}`,
    `mount -t proc proc ${r}/proc`,
    `mount -t tmpfs -o mode=1777 tmpfs ${r}/tmp`,
    `mount -t tmpfs tmpfs ${r}/run`,
    `mount --bind ${q(spec.codeDir)} ${r}/opt`,
    `mount -o remount,bind,ro ${r}/opt`,
    `mount --bind ${q(spec.stateDir)} ${r}/mnt`,
    `exec chroot ${r} /usr/bin/env -i ${env.join(" ")} ${spec.argv.map(q).join(" ")}`,
  ].join("\n");
}

/** Start the process detached; resolves its pid (the same pid through every exec). */
export function spawnInRoot(spec: ChrootSpec): number {
  const out = openSync(spec.logFile, "a");
  try {
    const child = spawn("ip", ["netns", "exec", spec.netns, "unshare", "--mount", "--propagation", "private", "sh", "-c", chrootScript(spec)], {
      detached: true,
      stdio: ["ignore", out, out],
    });
    child.unref();
    if (child.pid === undefined) throw new Error(`could not start ${spec.argv[0]} in the emulator root`);
    return child.pid;
  } finally {
    closeSync(out);
  }
}

/** Run a short command the same way and wait for it (the lab's probes and negative controls). */
export function runInRoot(spec: Omit<ChrootSpec, "logFile">, timeoutMs = 120_000): { status: number; stdout: string; stderr: string } {
  const r = spawnSync("ip", ["netns", "exec", spec.netns, "unshare", "--mount", "--propagation", "private", "sh", "-c", chrootScript({ ...spec, logFile: "" })], { encoding: "utf8", timeout: timeoutMs });
  return { status: r.status ?? -1, stdout: r.stdout ?? "", stderr: (r.stderr ?? "") + (r.error ? String(r.error) : "") };
}
