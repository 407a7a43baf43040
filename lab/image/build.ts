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
import { hostPackages } from "../../infra/core/host";
import { type ImageVariant, imagePackages } from "./packages";
import { customiseRoot } from "./customise";
import { buildRepo } from "./repo";

export interface LabImage {
  readonly variant: ImageVariant;
  readonly dir: string;
  /** The "ec2" image's Debian repository (lab/image/repo.ts): what cloud-init installs at boot. */
  readonly repoDir?: string;
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

/**
 * The lab VM image of a variant: "preinstalled" (the mail packages in the image) or "ec2" (only
 * what Debian's EC2 image holds, plus the repository cloud-init installs the rest from at boot).
 */
export async function buildImage(cfg: MailConfig, log: (l: string) => void, variant: ImageVariant = "preinstalled"): Promise<LabImage> {
  const started = Date.now();
  const packages = imagePackages(cfg, variant);
  const repoPackages = variant === "ec2" ? hostPackages(cfg) : [];
  log(`image (${variant}): ${packages.length} packages${repoPackages.length ? `, a repository for the user data's ${repoPackages.length}` : ""}`);
  mkdirSync(labDir(), { recursive: true });
  const packageFile = join(labDir(), `image-packages-${variant}.txt`);
  writeFileSync(packageFile, `${packages.join("\n")}\n`);
  const root = await buildRoot(packageFile, log);
  if (!root || !existsSync(root)) throw new Error(`the root builder printed no root path (got "${root}")`);

  const hash = createHash("sha256")
    .update(root)
    .update(fileHash(__filename))
    .update(fileHash(join(__dirname, "customise.ts")))
    .update(fileHash(join(__dirname, "repo.ts")))
    .update(`${variant} ${repoPackages.join(" ")}`)
    .digest("hex")
    .slice(0, 16);
  const imagesDir = join(cacheDir(), "lab-image");
  const dir = join(imagesDir, hash);
  const image = (buildSeconds: number, cached: boolean): LabImage => ({
    variant,
    dir,
    ...(variant === "ec2" ? { repoDir: join(dir, "repo") } : {}),
    rootDisk: join(dir, "root.raw"),
    kernel: join(dir, "vmlinuz"),
    initrd: join(dir, "initrd.img"),
    hash,
    buildSeconds,
    cached,
  });
  if (existsSync(join(dir, ".complete"))) {
    log(`image (${variant}): reusing ${dir} (cached)`);
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
    if (variant === "ec2") {
      const repo = buildRepo(staging, repoPackages, join(tmp, "repo"));
      log(`image: repository of ${repo.debs} packages (${repo.megabytes} MiB) for the user data's ${repoPackages.length}`);
    }
    customiseRoot(staging);
    const boot = readdirSync(join(staging, "boot"));
    const kernel = boot.filter((f) => f.startsWith("vmlinuz-")).sort().pop();
    const initrd = boot.filter((f) => f.startsWith("initrd.img-")).sort().pop();
    if (!kernel || !initrd) throw new Error(`no kernel/initrd in ${staging}/boot (found: ${boot.join(", ")}); is a linux-image package in the package list?`);
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
