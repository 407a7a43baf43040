// The native bench's server: the Debian 13 root the host checkers build (test/host/checker-root:
// the same cached trixie root, an overlay per run, mailfort's rendered host files installed by the
// host's own installer from a seeded secret source), plus what mailfort-boot would do next on a
// real host and what the lab's DNS gives the VM. Nothing in configs/ or the rendering changes:
// the bench-only files below are the bare Postfix and a resolver answer for the lab names.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { MailConfig } from "../../infra/config";
import { type CheckerRoot, baseRoot, prepareRoot } from "../../test/host/checker-root";
import { BARE_DIR, BARE_MAIN_CF, BARE_MASTER_CF, BARE_SPOOL } from "../bare-postfix";
import type { NativeNet } from "./net";

/**
 * What the lab DNS answers for the bench's client (lab/dns/zones.ts: remote.test with SPF for the
 * sender, its PTR), as unbound local data; every other name is NXDOMAIN at once (the lab DNS
 * refuses names it does not serve), so the DNSBL and RBL lookups cost a round trip to unbound, as in the lab.
 */
export function benchResolverConf(net: NativeNet): string {
  const rev = net.senderAddress.split(".").reverse().join(".");
  return [
    "# mailfort NATIVE BENCH ONLY: the closed bench namespace has no upstream; answer the lab names locally.",
    "server:",
    '  module-config: "iterator"',
    '  local-zone: "." static',
    '  local-zone: "test." nodefault',
    '  local-zone: "10.in-addr.arpa." nodefault',
    '  local-data: "remote.test. 300 IN MX 10 mx.remote.test."',
    `  local-data: "remote.test. 300 IN TXT \\"v=spf1 ip4:${net.senderAddress} -all\\""`,
    '  local-data: "_dmarc.remote.test. 300 IN TXT \\"v=DMARC1; p=none\\""',
    `  local-data: "sender.remote.test. 300 IN A ${net.senderAddress}"`,
    `  local-data: "${rev}.in-addr.arpa. 300 IN PTR sender.remote.test."`,
    "",
  ].join("\n");
}

/** Shell run in the root after the installer: mailfort-boot's steps that matter without systemd. */
export function bootStepsScript(cfg: MailConfig): string {
  return [
    "set -e",
    ". /etc/mailfort/mailfort.env",
    // mailfort-boot move_state: the mail store on the data volume (here: the overlay, on disk).
    'install -d -o vmail -g vmail -m 0750 "$MAILFORT_DATA_DIR/mail"',
    'install -d -o root -g _rspamd -m 0750 "$MAILFORT_DATA_DIR/dkim"',
    // The units' RuntimeDirectory=.
    "install -d -o _rspamd -g _rspamd -m 0755 /run/rspamd",
    "install -d -o redis -g redis -m 2755 /run/redis",
    // configure_resolver and start_services.
    "printf 'nameserver 127.0.0.1\\n' >/etc/resolv.conf",
    `echo ${cfg.hostname} >/etc/mailname`,
    // move_state's queue step, the product's own (private/ for Dovecot's sockets; postfix check makes the rest).
    "/usr/local/sbin/mailfort-boot postfix-owners",
    // The bare instance's directories (its files are written from the host).
    `mkdir -p ${BARE_SPOOL} /var/lib/postfix-bench`,
    "chown postfix /var/lib/postfix-bench",
    `postfix -c ${BARE_DIR} check`,
    "postfix check",
  ].join("\n");
}

export interface NativeRoot {
  /** The cached Debian 13 root the overlay sits on. */
  readonly base: string;
  readonly root: CheckerRoot;
  /** The server's TLS certificate (self-signed for cfg.hostname): the client's CA. */
  readonly certFile: string;
  /** The mail store as the build machine sees it (Dovecot's mail_home root). */
  readonly mailStore: string;
  /** Unmount the mail store and the root, remove both. */
  dispose(): void;
}

/**
 * The mail store on a plain directory of the machine's own file system (bind-mounted), not on
 * the overlay: on a host it is the ext4 data volume, and overlayfs would charge Dovecot alone
 * for copy-up and lookups the real server never pays.
 */
function mountMailStore(root: string): { store: string; unmount: () => void } {
  const store = mkdtempSync(join(tmpdir(), "mailfort-native-mail-"));
  const target = join(root, "srv/mailfort/mail");
  mkdirSync(target, { recursive: true });
  execFileSync("mount", ["--bind", store, target]);
  const unmount = () => {
    spawnSync("umount", [target]);
    rmSync(store, { recursive: true, force: true });
  };
  return { store, unmount };
}

export function prepareNativeRoot(cfg: MailConfig, net: NativeNet, log: (l: string) => void): NativeRoot {
  const base = baseRoot();
  log(`native: Debian 13 root ${base}; overlay and mailfort's installer (the host checkers' preparation)`);
  const root = prepareRoot(base, cfg);
  let unmountStore = () => undefined as void;
  try {
    const mail = mountMailStore(root.dir);
    unmountStore = mail.unmount;
    mkdirSync(join(root.dir, BARE_DIR), { recursive: true });
    writeFileSync(join(root.dir, BARE_DIR, "main.cf"), BARE_MAIN_CF);
    writeFileSync(join(root.dir, BARE_DIR, "master.cf"), BARE_MASTER_CF);
    writeFileSync(join(root.dir, "etc/unbound/unbound.conf.d/zz-mailfort-bench.conf"), benchResolverConf(net));
    const r = root.run(["bash", "-c", bootStepsScript(cfg)]);
    if (r.status !== 0) throw new Error(`native bench: boot steps failed in the root (${r.status}): ${r.stderr}${r.stdout}`);
    const dispose = () => {
      unmountStore();
      root.dispose();
    };
    return { base, root, certFile: join(root.dir, "etc/ssl/mailfort/fullchain.pem"), mailStore: mail.store, dispose };
  } catch (e) {
    unmountStore();
    root.dispose();
    throw e;
  }
}
