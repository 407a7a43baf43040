// The packages of the lab VM image: what makes a bootable cloud VM (kernel, init, cloud-init,
// network), plus every package the host's user data would install, pre-installed so the
// closed lab network never needs a mirror at boot.
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { MailConfig } from "../../infra/config";

/** What a Debian cloud VM needs that a container-style root lacks. */
export const VM_PACKAGES = [
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
 * The host's packages until `hostPackages(cfg)` from infra/core/host exists: the mail stack of
 * ARCHITECTURE.md (Postfix, Dovecot 2.4, Rspamd + Redis, unbound, fail2ban, nftables, nginx,
 * certbot, unattended-upgrades).
 */
export const FALLBACK_HOST_PACKAGES = [
  "postfix",
  "postfix-pcre",
  "dovecot-core",
  "dovecot-imapd",
  "dovecot-pop3d",
  "dovecot-lmtpd",
  "dovecot-sieve",
  "dovecot-managesieved",
  "rspamd",
  "redis-server",
  "unbound",
  "fail2ban",
  "python3-systemd",
  "nftables",
  "nginx",
  "certbot",
  "unattended-upgrades",
  "chrony",
] as const;

type HostPackagesFn = (cfg: MailConfig) => readonly string[];

/** `hostPackages` from the host core when it is there (looked up at run time, not compile time). */
function hostPackagesFn(): HostPackagesFn | undefined {
  const dir = join(__dirname, "..", "..", "infra", "core", "host");
  if (!existsSync(join(dir, "index.ts")) && !existsSync(join(dir, "packages.ts"))) return undefined;
  for (const mod of [dir, join(dir, "packages")]) {
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const m = require(mod) as { hostPackages?: HostPackagesFn };
      if (typeof m.hostPackages === "function") return m.hostPackages;
    } catch {
      // not this module; try the next
    }
  }
  return undefined;
}

export interface ImagePackages {
  readonly packages: readonly string[];
  /** Where the host packages came from: the host core, or the fallback list above. */
  readonly hostSource: "hostPackages" | "fallback";
}

export function imagePackages(cfg: MailConfig): ImagePackages {
  const fn = hostPackagesFn();
  const host = fn ? fn(cfg) : FALLBACK_HOST_PACKAGES;
  const packages = [...new Set([...VM_PACKAGES, ...host])].sort();
  return { packages, hostSource: fn ? "hostPackages" : "fallback" };
}
