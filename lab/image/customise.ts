// What turns the shared build root into a bootable lab VM: services may start, the root is
// found by label, cloud-init reads only the NoCloud seed, and the network is rendered with
// ifupdown. Hashed into the image's cache key: editing this file builds a new image.
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { run } from "../exec";
import { labHost } from "../topology";

/**
 * The daemons mailfort-boot configures and then starts itself (configs/bin/mailfort-boot
 * start_services). Debian enables a daemon when its package is installed, so an image with them
 * pre-installed would start the stock ones at boot, before mailfort-boot has written their
 * configuration, and they would take the CPU the boot needs (Rspamd compiling its stock rules).
 * On EC2 cloud-init installs them with starts denied and mailfort-boot starts them first: the
 * same here. mailfort-boot enables them again.
 */
const STARTED_BY_MAILFORT_BOOT = ["unbound.service", "redis-server.service", "rspamd.service", "dovecot.service", "dovecot.socket", "postfix.service", "php8.4-fpm.service", "nginx.service", "fail2ban.service"] as const;

export function customiseRoot(root: string): void {
  warmRspamdCaches(root);
  // The builder forbids services in its root; in the VM they must start.
  rmSync(join(root, "usr/sbin/policy-rc.d"), { force: true });
  writeFileSync(join(root, "etc/fstab"), "# the lab VM's root disk (mkfs.ext4 -L mfroot)\nLABEL=mfroot / ext4 defaults,errors=remount-ro 0 1\n");
  mkdirSync(join(root, "etc/cloud/cloud.cfg.d"), { recursive: true });
  writeFileSync(
    join(root, "etc/cloud/cloud.cfg.d/90-mailfort-lab.cfg"),
    [
      "# mailfort lab: the seed disk (label cidata) is the only datasource; there is no metadata",
      "# service on the closed lab network, so do not wait for one.",
      "datasource_list: [NoCloud, None]",
      "system_info:",
      "  network:",
      "    renderers: [eni]",
      "",
    ].join("\n"),
  );
  mkdirSync(join(root, "etc/network/interfaces.d"), { recursive: true });
  writeFileSync(join(root, "etc/network/interfaces"), "# cloud-init writes the lab NIC to interfaces.d\nsource /etc/network/interfaces.d/*\n\nauto lo\niface lo inet loopback\n");
  writeFileSync(join(root, "etc/hostname"), "localhost\n");
  // The closed lab network's only mirror is the lab's own (the "ec2" image's packages): a
  // missing file should fail at once rather than be retried.
  writeFileSync(join(root, "etc/apt/apt.conf.d/99mailfort-lab-offline"), '// mailfort lab: the only mirror is the lab\'s; fail fast\nAcquire::Retries "0";\n');
  // The resolver DHCP gives an EC2 instance (the VPC's): the lab DNS. The "ec2" image needs it
  // before cloud-init's package step (deb.debian.org); the vendor data sets it again later.
  rmSync(join(root, "etc/resolv.conf"), { force: true });
  writeFileSync(join(root, "etc/resolv.conf"), `# mailfort lab: the lab DNS, as DHCP names the VPC resolver on EC2\nnameserver ${labHost("dns").address}\n`);
  // Debian's cloud images ship without package lists (cloud-init's apt-get update fetches them on
  // the instance): the builder's 88 MB of lists would make every apt run of the boot parse them
  // under the emulated CPU, a minute of the first boot for an install that finds everything there.
  emptyPackageLists(root);
  // A machine-id per boot: the overlay is fresh each boot, systemd makes one when it is empty.
  writeFileSync(join(root, "etc/machine-id"), "");
  const installed = STARTED_BY_MAILFORT_BOOT.filter((unit) => existsSync(join(root, "usr/lib/systemd/system", unit)));
  if (installed.length > 0) run("systemctl", ["--root", root, "disable", "--quiet", ...installed]);
}

function emptyPackageLists(root: string): void {
  const lists = join(root, "var/lib/apt/lists");
  if (existsSync(lists)) for (const f of readdirSync(lists)) if (f !== "partial" && f !== "lock") rmSync(join(lists, f), { recursive: true, force: true });
  for (const bin of ["pkgcache.bin", "srcpkgcache.bin"]) rmSync(join(root, "var/cache/apt", bin), { force: true });
}

/**
 * A baked image's Rspamd caches: before its workers listen, Rspamd's main process compiles its
 * multipatterns with hyperscan and keeps them in /var/lib/rspamd (*.hsmp), named by a hash of
 * the patterns and the CPU's hyperscan platform. The big one is the public-suffix list its URL
 * detection matches first of all (~9,800 suffixes, a 43 MB database): natively ~11 s, under the
 * lab's emulated CPU it held port 11332 closed for 3-7 minutes of every first boot. An image with
 * the packages pre-installed is what an operator bakes into an AMI, so the lab bakes as a baking
 * host would: `rspamadm configtest` (the whole configuration, offline) leaves the small
 * multipatterns, and `rspamd_url.init` with the configured url_tld file the suffix list, which
 * configtest skips. The suffix list's file name covers the CPU's hyperscan platform, and the VM's
 * CPU is not always this machine's: under TCG it is qemu's `max` model (on an AVX2-only AMD build
 * machine the VM computed the same name; on an AVX-512 Xeon it did not, and compiled 43 MB for
 * 181 s at its first boot), under KVM it is this machine's own. So the list is baked twice: natively
 * (KVM's `-cpu host`) and under qemu's user-mode emulator with `-cpu max` (TCG's), which computes
 * the very file the VM would (checked: same name, same 43,190,872 bytes; ~75 s of CPU). Most of
 * the small multipatterns have the same names either way. mailfort-boot seeds the
 * data volume's Rspamd directory from these; Rspamd recompiles any whose content or CPU does not
 * match, so a stale cache costs time, never correctness. The "ec2" image holds Rspamd too (lab/image/
 * packages.ts), baked the same way; its boot (the replacement) also finds the first server's caches
 * on the data volume, as on AWS.
 */
function warmRspamdCaches(root: string): void {
  if (!existsSync(join(root, "usr/bin/rspamadm"))) return;
  const caches = () => readdirSync(join(root, "var/lib/rspamd")).filter((f) => f.endsWith(".hsmp"));
  // No network: the stock configuration names Rspamd's public fuzzy servers; fail their lookups at once.
  const rspamadm = (...args: string[]) => run("unshare", ["--net", "chroot", root, "/usr/bin/rspamadm", ...args], { timeoutMs: 600_000 });
  rspamadm("configtest");
  const before = caches().length;
  if (before === 0) throw new Error("rspamadm configtest left no hyperscan multipattern cache (*.hsmp) in /var/lib/rspamd: is Rspamd built with hyperscan here?");
  const tld = (JSON.parse(rspamadm("configdump", "-j", "options").stdout) as { url_tld?: unknown }).url_tld;
  if (typeof tld !== "string" || !/^\/[\w./-]+$/.test(tld)) throw new Error(`rspamadm configdump names no usable url_tld file (got ${JSON.stringify(tld)})`);
  const init = `require("rspamd_url").init("${tld}")`;
  rspamadm("lua", "-e", init);
  if (caches().length <= before) throw new Error(`rspamd_url.init("${tld}") left no new hyperscan cache in /var/lib/rspamd: the public-suffix list would compile at every first boot`);
  // The TCG VM's platform: the same call on qemu's max CPU model (the static user-mode emulator,
  // copied into the root for the call: the chroot cannot see the host's /usr/bin).
  const emulator = join(root, TCG_CPU_EMULATOR_IN_ROOT);
  copyFileSync(QEMU_USER_STATIC, emulator);
  try {
    run("unshare", ["--net", "chroot", root, `/${TCG_CPU_EMULATOR_IN_ROOT}`, "-cpu", "max", "/usr/bin/rspamadm", "lua", "-e", init], { timeoutMs: 1_800_000 });
  } finally {
    rmSync(emulator, { force: true });
  }
  // No new file: this machine's platform is qemu max's, and one set serves both. More than the
  // suffix list's can appear: on an AVX-512 machine one of configtest's small multipatterns also
  // gets another name on qemu's max CPU (seen: two new files).
}

/** qemu-user-static (.ci/apt-packages): runs one program on an emulated CPU model, no VM. */
const QEMU_USER_STATIC = "/usr/bin/qemu-x86_64-static";
const TCG_CPU_EMULATOR_IN_ROOT = "mailfort-qemu-x86_64-static";
