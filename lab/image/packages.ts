// The packages of the lab VM images. "preinstalled": what makes a bootable cloud VM (kernel,
// init, cloud-init, network) plus every package the host's user data installs, so the closed
// lab network needs no mirror at boot. "ec2": only what Debian's own EC2 image holds, so
// cloud-init installs the user data's packages at boot, as on every new EC2 instance, from the
// lab's Debian mirror (lab/mirror/).
import type { MailConfig } from "../../infra/config";
import { hostPackages } from "../../infra/core/host";

export type ImageVariant = "preinstalled" | "ec2";

/** What a Debian cloud VM needs that a container-style root lacks (and the lab's network rendering). */
const VM_PACKAGES = [
  "linux-image-amd64",
  "systemd-sysv",
  "udev",
  "dbus",
  "kmod",
  "e2fsprogs",
  "ifupdown",
  "isc-dhcp-client",
  "iproute2",
  "cloud-init",
  "cloud-guest-utils",
  "ca-certificates",
  "openssl",
  "procps",
  "less",
  "nano",
  // Lab-only management channel for the benchmarks (lab/vm/guest-agent.ts); starts by itself
  // when the VM has the org.qemu.guest_agent.0 port (udev rule + BindsTo in its unit).
  "qemu-guest-agent",
] as const;

/**
 * Debian's EC2 image (debian-cloud-images: the CLOUD and EC2 package classes) on the lab's
 * minimal root: its cloud kernel, cloud-init and the EC2 utilities, the AWS CLI, an SSH server
 * (mailfort-boot purges it), sudo, chrony, unattended upgrades. Plus what the lab's network
 * rendering needs (ifupdown, as for the other image), and the QEMU guest agent: the lab's stand-in
 * for the SSM agent, through which the restore's checks send the recovery commands
 * (`npm run restore -- recover` sends them as SSM Run Command on AWS) and count the mailboxes.
 * No mail daemon: ec2PreinstalledPackages says which of the user data's packages come with it.
 */
const EC2_PACKAGES = [
  "linux-image-cloud-amd64",
  "systemd-sysv", "udev", "dbus", "kmod", "e2fsprogs", "iproute2", "procps", "less", "nano", "ca-certificates", "openssl",
  "ifupdown", "isc-dhcp-client",
  "cloud-init", "cloud-guest-utils", "cloud-initramfs-growroot", "amazon-ec2-utils", "awscli",
  "openssh-server", "sudo", "chrony", "unattended-upgrades",
  "qemu-guest-agent",
] as const;

/**
 * What the "ec2" boot installs from the lab mirror, as cloud-init does on every new instance:
 * Postfix and nginx, two daemons Debian starts on install, each installed with its start denied
 * (the user data's policy-rc.d, written by bootcmd before the package step); Postfix also takes the
 * user data's debconf answer ("No configuration": mailfort writes main.cf itself). Proving that on
 * them proves the mechanism for every package the image already holds. The others come pre-installed: their
 * maintainer scripts cost the emulated CPU more than the proof is worth. Measured natively on the
 * ec2 image's root, 2026-12-03 (dpkg's lines timed; 25 s in all, 386 s at the replacement's boot
 * under TCG): Postfix's setup 11 s, Rspamd's unpack 6 s, fail2ban's and the MTA-STS resolver's
 * byte-compilation 5 s and 3 s, unbound's 3 s, Redis 2.5 s; nginx under a second. The replacement
 * boot took 934 s in the project's CI run of that day, 665 s on this machine.
 */
const INSTALLED_AT_EC2_BOOT = new Set(["postfix", "nginx"]);

/**
 * The rest of the user data's list comes pre-installed in the "ec2" image, with the daemons
 * mailfort-boot starts itself disabled (lab/image/customise.ts), as on the first boot's image:
 * Dovecot (dovecot-core runs ucf and ucfr on twenty configuration files, 278 s under TCG; the other
 * four dovecot packages 55 s), the webmail's PHP and Roundcube (ucf on some forty files, about 15
 * minutes), Rspamd, Redis, unbound, fail2ban, nftables, the MTA-STS resolver, certbot and the
 * libraries (Python's byte-compilation of certbot's, boto3's and dnspython's stacks, about 200 s;
 * Node.js). test/host/package-install.test.ts resolves the whole list from an empty system with
 * recommends on, as on EC2.
 */
export function ec2PreinstalledPackages(cfg: MailConfig): string[] {
  return hostPackages(cfg).filter((p) => !INSTALLED_AT_EC2_BOOT.has(p));
}

/** The image's packages: the VM's own and (preinstalled) the host's, the list the user data installs. */
export function imagePackages(cfg: MailConfig, variant: ImageVariant = "preinstalled"): readonly string[] {
  if (variant === "ec2") return [...new Set([...EC2_PACKAGES, ...ec2PreinstalledPackages(cfg)])].sort();
  return [...new Set([...VM_PACKAGES, ...hostPackages(cfg)])].sort();
}
