// Build (or reuse) the lab VM image: the Debian 13 root from lab/rootfs/build-rootfs.sh with the
// VM and host packages, turned into a bootable ext4 disk image plus the kernel and initrd for a
// direct kernel boot. Cached under $MAILFORT_CACHE/lab-image/<hash>, where <hash> covers the
// root (itself hashed by its package list and builder) and this file's customisations; a
// second run reuses it. An image appears under its final name only when complete.
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { MailConfig } from "../../infra/config";
import { run } from "../exec";
import { cacheDir, labDir } from "../paths";
import { repoRoot } from "../stack";
import { imagePackages } from "./packages";
import { customiseRoot } from "./customise";

export interface LabImage {
  readonly dir: string;
  readonly rootDisk: string;
  readonly kernel: string;
  readonly initrd: string;
  readonly hash: string;
  /** Seconds spent building now (0 when reused from the cache). */
  readonly buildSeconds: number;
  readonly cached: boolean;
}

/** Run the shared root builder, streaming its progress lines; resolves to the root's path. */
function buildRoot(packageFile: string, log: (l: string) => void): Promise<string> {
  const script = join(repoRoot(), "lab", "rootfs", "build-rootfs.sh");
  return new Promise((resolve, reject) => {
    const child = spawn("bash", [script, packageFile], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let tail: string[] = [];
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => {
      for (const line of d.toString().split("\n")) {
        if (!line.trim()) continue;
        tail = [...tail.slice(-30), line];
        // Only the milestones: debootstrap's and apt's per-package lines would drown the log.
        if (/^build-rootfs:|^I: (Retrieving|Validating|Extracting|Installing|Configuring) (Release|Packages|the base|core|base)|^Setting up (linux-image|cloud-init|postfix |dovecot-core|rspamd)/.test(line)) log(`image: ${line.trim()}`);
      }
    });
    child.on("close", (code) => {
      if (code === 0) resolve(out.trim().split("\n").pop() ?? "");
      else reject(new Error(`lab/rootfs/build-rootfs.sh failed (exit ${code}):\n${tail.join("\n")}`));
    });
  });
}

function fileHash(path: string): string {
  return createHash("sha256").update(readFileSync(path)).digest("hex");
}

export async function buildImage(cfg: MailConfig, log: (l: string) => void): Promise<LabImage> {
  const started = Date.now();
  const packages = imagePackages(cfg);
  log(`image: ${packages.length} packages`);
  mkdirSync(labDir(), { recursive: true });
  const packageFile = join(labDir(), "image-packages.txt");
  writeFileSync(packageFile, `${packages.join("\n")}\n`);
  const root = await buildRoot(packageFile, log);
  if (!root || !existsSync(root)) throw new Error(`the root builder printed no root path (got "${root}")`);

  const hash = createHash("sha256")
    .update(root)
    .update(fileHash(__filename))
    .update(fileHash(join(__dirname, "customise.ts")))
    .digest("hex")
    .slice(0, 16);
  const imagesDir = join(cacheDir(), "lab-image");
  const dir = join(imagesDir, hash);
  const image = (buildSeconds: number, cached: boolean): LabImage => ({
    dir,
    rootDisk: join(dir, "root.raw"),
    kernel: join(dir, "vmlinuz"),
    initrd: join(dir, "initrd.img"),
    hash,
    buildSeconds,
    cached,
  });
  if (existsSync(join(dir, ".complete"))) {
    log(`image: reusing ${dir} (cached)`);
    return image(0, true);
  }

  mkdirSync(imagesDir, { recursive: true });
  const tmp = join(imagesDir, `.build-${hash}-${process.pid}`);
  rmSync(tmp, { recursive: true, force: true });
  const staging = join(tmp, "root");
  mkdirSync(tmp, { recursive: true });
  try {
    log(`image: copying root ${root}`);
    // cp -a keeps device nodes, owners, modes, hard links and xattrs that a root needs.
    run("cp", ["-a", "--one-file-system", root, staging], { timeoutMs: 600_000 });
    customiseRoot(staging);
    const boot = readdirSync(join(staging, "boot"));
    const kernel = boot.filter((f) => f.startsWith("vmlinuz-")).sort().pop();
    const initrd = boot.filter((f) => f.startsWith("initrd.img-")).sort().pop();
    if (!kernel || !initrd) throw new Error(`no kernel/initrd in ${staging}/boot (found: ${boot.join(", ")}); is linux-image-amd64 in the package list?`);
    cpSync(join(staging, "boot", kernel), join(tmp, "vmlinuz"));
    cpSync(join(staging, "boot", initrd), join(tmp, "initrd.img"));
    const usedMb = Number(run("du", ["-sm", "--one-file-system", staging]).stdout.split(/\s/)[0]);
    const sizeMb = Math.ceil(usedMb * 1.3) + 1536;
    log(`image: making ext4 root disk (${sizeMb} MiB, ${usedMb} MiB used)`);
    run("mkfs.ext4", ["-q", "-F", "-L", "mfroot", "-d", staging, join(tmp, "root.raw"), `${sizeMb}M`], { timeoutMs: 600_000 });
    rmSync(staging, { recursive: true, force: true });
    writeFileSync(join(tmp, ".complete"), `${new Date().toISOString()}\nroot ${root}\n`);
    rmSync(dir, { recursive: true, force: true });
    renameSync(tmp, dir);
  } catch (err) {
    rmSync(tmp, { recursive: true, force: true });
    throw err;
  }
  const seconds = Math.round((Date.now() - started) / 1000);
  log(`image: built ${dir} in ${seconds} s`);
  return image(seconds, false);
}
