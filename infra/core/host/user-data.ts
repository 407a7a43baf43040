// cloud-init user data: one #cloud-config document, identical on AWS and in the lab. It carries
// configuration only, never a secret: keys, password hashes and credentials are fetched at boot
// from the secret source (SSM on AWS, a read-only seed disk in the lab).
import { gzipSync } from "node:zlib";
import { dump } from "js-yaml";
import type { MailConfig } from "../../config";
import { type HostFile, renderHostFiles } from "./files";
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
      "Fix: mailboxes, aliases and lists already come from SSM and do not count; what grows is per-domain " +
      "config (nginx, autoconfig, DKIM selectors): split the domains over two stacks, or move those files to SSM.",
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

/** The readable #cloud-config document (what cloud-init runs once decompressed). */
export function renderCloudConfig(cfg: MailConfig): string {
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
    write_files: renderHostFiles(cfg).map((f: HostFile): WriteFile => ({ path: f.path, permissions: f.mode, owner: f.owner, content: f.content })),
    package_update: true,
    packages: hostPackages(cfg),
    runcmd: [["rm", "-f", "/usr/sbin/policy-rc.d"], ["/usr/local/sbin/mailfort-boot"]],
  };
  return `#cloud-config\n${dump(doc, { lineWidth: -1, noRefs: true })}`;
}

/**
 * The user data for EC2, as base64 of the gzip-compressed #cloud-config: pass it as the
 * instance's `userDataBase64` (not `userData`, which must not carry gzip). cloud-init detects
 * and decompresses gzip itself. Compression is what makes the config fit AWS's 16 KiB; the
 * size is checked on the compressed bytes, and an oversized one is refused, never truncated.
 */
export function renderUserData(cfg: MailConfig): string {
  const gz = gzipSync(Buffer.from(renderCloudConfig(cfg), "utf8"), { level: 9 });
  checkUserDataSize(gz);
  return gz.toString("base64");
}
