// The packages of the lab VM image: what makes a bootable cloud VM (kernel, init, cloud-init,
// network), plus every package the host's user data would install, pre-installed so the
// closed lab network never needs a mirror at boot.
import type { MailConfig } from "../../infra/config";
import { hostPackages } from "../../infra/core/host";

/** What a Debian cloud VM needs that a container-style root lacks. */
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

/** The image's packages: the VM's own and the host's (the same list the user data installs). */
export function imagePackages(cfg: MailConfig): readonly string[] {
  return [...new Set([...VM_PACKAGES, ...hostPackages(cfg)])].sort();
}
