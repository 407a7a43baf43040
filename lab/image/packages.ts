// The packages of the lab VM images. "preinstalled": what makes a bootable cloud VM (kernel,
// init, cloud-init, network) plus every package the host's user data installs, so the closed
// lab network needs no mirror at boot. "ec2": only what Debian's own EC2 image holds, so
// cloud-init installs the user data's packages at boot, as on every new EC2 instance, from the
// lab's Debian mirror (lab/mirror/).
import type { MailConfig } from "../../infra/config";
import { hostPackages, webmailPackages } from "../../infra/core/host";

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
 * No mail package (the webmail's, see imagePackages, aside).
 */
const EC2_PACKAGES = [
  "linux-image-cloud-amd64",
  "systemd-sysv", "udev", "dbus", "kmod", "e2fsprogs", "iproute2", "procps", "less", "nano", "ca-certificates", "openssl",
  "ifupdown", "isc-dhcp-client",
  "cloud-init", "cloud-guest-utils", "cloud-initramfs-growroot", "amazon-ec2-utils", "awscli",
  "openssh-server", "sudo", "chrony", "unattended-upgrades",
  "qemu-guest-agent",
] as const;

/** The image's packages: the VM's own and (preinstalled) the host's, the list the user data installs. */
export function imagePackages(cfg: MailConfig, variant: ImageVariant = "preinstalled"): readonly string[] {
  // The webmail's PHP and Roundcube come pre-installed in the "ec2" image too: their maintainer
  // scripts run ucf on about forty configuration files (one per PHP module), each a debconf start
  // of 20 s under the lab's emulated CPU (0.5 s natively): 15 minutes more of the replacement's
  // boot, past the lab's budget. cloud-init still installs the whole mail stack at that boot.
  if (variant === "ec2") return [...new Set([...EC2_PACKAGES, ...webmailPackages(cfg)])].sort();
  return [...new Set([...VM_PACKAGES, ...hostPackages(cfg)])].sort();
}
