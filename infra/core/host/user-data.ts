// cloud-init user data: one #cloud-config document, identical on AWS and in the lab. It carries
// only the bootstrap, never a secret, and does not grow with the stack: the start denial and
// debconf answers, the package list, the stack's env file (which pins the host bundle's digest),
// the secret fetch and the host-file installer. Every other host file comes from SSM in the host
// bundle (bundle.ts); keys, password hashes and credentials from the secret source.
import { dump } from "js-yaml";
import type { MailConfig } from "../../config";
import { portableGzip } from "./bundle";
import { type HostFile, type HostRendering, renderHost } from "./files";
import { hostPackages } from "./packages";

/** EC2 refuses user data over 16 KiB (before base64). */
export const USER_DATA_LIMIT_BYTES = 16_384;

export class UserDataTooLargeError extends Error {}

/** Throws (never truncates) when the user data is over AWS's raw limit; returns the size.
 * Give it the raw bytes EC2 stores (for renderUserData's output: the base64-decoded gzip). */
export function checkUserDataSize(raw: string | Buffer): number {
  const size = typeof raw === "string" ? Buffer.byteLength(raw, "utf8") : raw.length;
  if (size > USER_DATA_LIMIT_BYTES) {
    throw new UserDataTooLargeError(
      `user data is ${size} bytes, over EC2's limit of ${USER_DATA_LIMIT_BYTES} bytes (raw, before base64). ` +
      "Fix: the user data carries only the bootstrap (infra/core/host/files.ts BOOTSTRAP_*); a file added there " +
      "belongs in the host bundle instead, which comes from SSM and has no such limit.",
    );
  }
  return size;
}

interface WriteFile {
  path: string;
  permissions: string;
  owner: string;
  content: string;
}

/** The host's whole rendering: the bootstrap, the bundle, and the user data made of the first. */
export interface RenderedHost extends HostRendering {
  /** The readable #cloud-config document (what cloud-init runs once decompressed). */
  readonly cloudConfig: string;
  /** base64 of the gzip'd #cloud-config, as EC2's userDataBase64 takes it (size-checked). */
  readonly userDataBase64: string;
}

function cloudConfigOf(cfg: MailConfig, bootstrap: readonly HostFile[]): string {
  const doc = {
    // Until mailfort-boot has checked the configuration, no package may start a daemon with
    // Debian's defaults (e.g. Dovecot on plaintext 143): deny starts during the first boot.
    // And Postfix's package must not rewrite main.cf from its debconf defaults: mailfort writes it.
    bootcmd: [
      ["cloud-init-per", "instance", "mailfort-deny-starts", "sh", "-c",
        "printf '#!/bin/sh\\nexit 101\\n' > /usr/sbin/policy-rc.d && chmod 0755 /usr/sbin/policy-rc.d"],
      ["cloud-init-per", "instance", "mailfort-postfix-debconf", "sh", "-c",
        "echo 'postfix postfix/main_mailer_type select No configuration' | debconf-set-selections"],
      // Roundcube's database lives on the data volume, made by mailfort-boot: no dbconfig database.
      ...(cfg.features.webmail ? [["cloud-init-per", "instance", "mailfort-roundcube-debconf", "sh", "-c",
        "echo 'roundcube-core roundcube/dbconfig-install boolean false' | debconf-set-selections"]] : []),
    ],
    write_files: bootstrap.map((f): WriteFile => ({ path: f.path, permissions: f.mode, owner: f.owner, content: f.content })),
    package_update: true,
    packages: hostPackages(cfg),
    // After the packages (boto3 reads SSM): fetch and install the host bundle, then lift the start
    // denial and boot. One shell with && so that nothing starts when the bundle is refused
    // (mailfort-host-files then reports MAILFORT-FAILED itself).
    runcmd: [["sh", "-c", "/usr/local/sbin/mailfort-host-files install && rm -f /usr/sbin/policy-rc.d && exec /usr/local/sbin/mailfort-boot"]],
  };
  return `#cloud-config\n${dump(doc, { lineWidth: -1, noRefs: true })}`;
}

/**
 * Render everything once: bootstrap files, host bundle, and the user data for EC2 as base64 of
 * the gzip-compressed #cloud-config (the instance's `userDataBase64`; cloud-init detects and
 * decompresses gzip itself). An oversized user data is refused, never truncated.
 */
export function renderHostConfig(cfg: MailConfig): RenderedHost {
  const rendering = renderHost(cfg);
  const cloudConfig = cloudConfigOf(cfg, rendering.bootstrap);
  const gz = portableGzip(Buffer.from(cloudConfig, "utf8"));
  checkUserDataSize(gz);
  return { ...rendering, cloudConfig, userDataBase64: gz.toString("base64") };
}

/** The readable #cloud-config document (what cloud-init runs once decompressed). */
export function renderCloudConfig(cfg: MailConfig): string {
  return renderHostConfig(cfg).cloudConfig;
}

/** The user data for EC2: base64 of the gzip-compressed #cloud-config. */
export function renderUserData(cfg: MailConfig): string {
  return renderHostConfig(cfg).userDataBase64;
}
