// A Debian 13 root in which the real daemons check mailfort's rendered configuration:
// the shared trixie root (lab/rootfs/build-rootfs.sh, cached), an overlay per stack on top of it,
// the user data's bootstrap written in as cloud-init would, and a secret-source seed (with the host
// bundle) from which the host's own installer lands every other file.
import { execFileSync, spawnSync } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import type { MailConfig } from "../../infra/config";
import { dkimSigningText } from "../../infra/core/dkim-signing";
import { parameterNames, localListValues, LOCAL_LISTS } from "../../infra/core/parameters";
import { type HostFile, checkerRootPackages, renderHost } from "../../infra/core/host";

const REPO = join(__dirname, "../..");

/** Why the checker tests cannot run here, or undefined when they can. */
export function checkerUnavailable(): string | undefined {
  if (process.getuid?.() !== 0) return "not root (debootstrap, chroot and overlay mounts need root)";
  if (spawnSync("sh", ["-c", "command -v debootstrap"]).status !== 0) return "debootstrap is not installed (apt-get install debootstrap)";
  return undefined;
}

/** Build (or reuse) the cached trixie root with every host package and the checkers. */
export function baseRoot(): string {
  const dir = mkdtempSync(join(tmpdir(), "mailfort-pkgs-"));
  const list = join(dir, "packages.txt");
  writeFileSync(list, `${checkerRootPackages().join("\n")}\n`);
  try {
    return execFileSync(join(REPO, "lab/rootfs/build-rootfs.sh"), [list], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"], timeout: 1_800_000 }).trim();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface CheckerRoot {
  readonly dir: string;
  /** Run a command inside the root (chroot, no network namespace unless asked). */
  run(argv: string[], opts?: { netns?: boolean; env?: Record<string, string> }): { status: number; stdout: string; stderr: string };
  dispose(): void;
}

/** Overlay the base root, write the bootstrap and a seed, and run the host's installer and secret apply. */
export function prepareRoot(base: string, cfg: MailConfig): CheckerRoot {
  const work = mkdtempSync(join(tmpdir(), `mailfort-check-${cfg.stack}-`));
  const [upper, wk, dir] = ["upper", "work", "root"].map((d) => join(work, d));
  for (const d of [upper, wk, dir]) mkdirSync(d);
  execFileSync("mount", ["-t", "overlay", "overlay", "-o", `lowerdir=${base},upperdir=${upper},workdir=${wk}`, dir]);
  const mounted = [dir];
  const run: CheckerRoot["run"] = (argv, opts = {}) => {
    const cmd = [...(opts.netns ? ["unshare", "-n"] : []), "chroot", dir, "/usr/bin/env", "-i", "PATH=/usr/sbin:/usr/bin:/sbin:/bin",
      ...Object.entries(opts.env ?? {}).map(([k, v]) => `${k}=${v}`), ...argv];
    const r = spawnSync(cmd[0], cmd.slice(1), { encoding: "utf8", timeout: 120_000 });
    return { status: r.status ?? -1, stdout: r.stdout ?? "", stderr: r.stderr ?? "" };
  };
  const dispose = () => {
    for (const m of mounted.reverse()) spawnSync("umount", ["-l", m]);
    rmSync(work, { recursive: true, force: true });
  };
  try {
    execFileSync("mount", ["-t", "proc", "proc", join(dir, "proc")]);
    mounted.push(join(dir, "proc"));
    const host = renderHost(cfg);
    writeBootstrap(dir, host.bootstrap);
    // What the user data's runcmd and mailfort-boot do before the daemons start: install the host
    // bundle from the secret source, remove Debian's default site, make the vmail user, then fetch
    // and apply the secrets, write the suspended senders' map and make the bootstrap certificate.
    writeSeed(join(dir, "seed"), cfg, host.bundle.chunks);
    const steps: string[][] = [
      ["mkdir", "-p", "/run/mailfort"],
      ["/usr/local/sbin/mailfort-host-files", "install"],
      ["rm", "-f", "/etc/nginx/sites-enabled/default"],
      ["groupadd", "-g", "5000", "vmail"],
      ["useradd", "-r", "-u", "5000", "-g", "vmail", "-M", "-s", "/usr/sbin/nologin", "vmail"],
      ["mkdir", "-p", "/srv/mailfort/dkim"],
      // unbound.service's ExecStartPre: install the root trust anchor from dns-root-data.
      ["/usr/libexec/unbound-helper", "root_trust_anchor_update"],
      ["/usr/local/sbin/mailfort-secrets", "fetch"],
      ["/usr/local/sbin/mailfort-secrets", "apply"],
      ["/usr/local/sbin/mailfort-containment", "render"],
      ["openssl", "req", "-new", "-x509", "-key", "/etc/ssl/mailfort/privkey.pem", "-out", "/etc/ssl/mailfort/fullchain.pem",
        "-days", "30", "-subj", `/CN=${cfg.hostname}`, "-addext", `subjectAltName=DNS:${cfg.hostname}`],
    ];
    for (const step of steps) {
      if (step[0] === "openssl" && cfg.tls.mode === "self-signed") continue; // the stack's own cert came from the seed
      const r = run(step, { env: { MAILFORT_SECRET_DIR: "/seed" } });
      if (r.status !== 0) throw new Error(`${step.join(" ")} failed in the checker root (${r.status}): ${r.stderr}${r.stdout}`);
    }
    return { dir, run, dispose };
  } catch (e) {
    dispose();
    throw e;
  }
}

/** What cloud-init's write_files does with the user data's bootstrap. */
export function writeBootstrap(root: string, files: readonly HostFile[]): void {
  for (const f of files) {
    const path = join(root, f.path);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, f.content);
    chmodSync(path, parseInt(f.mode, 8));
  }
}

/** Test password hashes, used nowhere real: BLF-CRYPT of "lab-alice-pass-1" for every mailbox, and
 * of "lab-alice-app-verify" for every declared app password (a different password, so a test can
 * tell which of the two Dovecot accepted). */
export const SEED_MAILBOX_PASSWORD = "lab-alice-pass-1";
export const SEED_APP_PASSWORD = "lab-alice-app-verify";
const TEST_HASH = "{BLF-CRYPT}$2b$10$7F3KnM4AkwlVFTgLk3vc2OPrJRpagN5eg0Bge88bHeHcoU0v2ziBy";
const TEST_APP_HASH = "{BLF-CRYPT}$2y$10$hYTotc0hw0c69N7F1Ih9u.9aHa2eBAN6JtjPRSBjdTbDdQxXDqkFq";

/** The secret-source tree, exactly as SSM names it (<seed>/mailfort/<stack>/...), with the host bundle. */
export function writeSeed(seed: string, cfg: MailConfig, bundle: readonly string[]): void {
  const names = parameterNames(cfg);
  const put = (name: string, value: string) => {
    const path = join(seed, name);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, value);
  };
  const pem = (type: "rsa" | "ec") => (type === "rsa"
    ? generateKeyPairSync("rsa", { modulusLength: 2048 }) : generateKeyPairSync("ec", { namedCurve: "prime256v1" }))
    .privateKey.export({ type: "pkcs8", format: "pem" }).toString();
  bundle.forEach((part, n) => put(names.hostBundlePart(n).name, part));
  for (const m of cfg.mailboxes) put(names.mailbox(m.address).name, JSON.stringify({ address: m.address, quotaMb: m.quotaMb, passwordHash: TEST_HASH }));
  for (const a of cfg.aliases) put(names.alias(a.from).name, JSON.stringify({ from: a.from, to: a.to }));
  const lists = localListValues(cfg);
  for (const l of LOCAL_LISTS) put(names.list(l).name, JSON.stringify(lists[l]));
  for (const d of cfg.domains.filter((x) => x.sendsMail)) put(names.dkimKey(d.name, d.dkimSelector).name, pem("rsa"));
  put(names.dkimSigning.name, dkimSigningText(cfg));
  const tlsKey = pem("ec");
  put(names.tlsKey.name, tlsKey);
  if (cfg.tls.mode === "self-signed") {
    const dir = mkdtempSync(join(tmpdir(), "mailfort-cert-"));
    writeFileSync(join(dir, "key.pem"), tlsKey);
    execFileSync("openssl", ["req", "-new", "-x509", "-key", join(dir, "key.pem"), "-out", join(dir, "cert.pem"), "-days", "30",
      "-subj", `/CN=${cfg.hostname}`, "-addext", `subjectAltName=DNS:${cfg.hostname}`], { stdio: "ignore" });
    put(names.tlsCert.name, execFileSync("cat", [join(dir, "cert.pem")], { encoding: "utf8" }));
    rmSync(dir, { recursive: true, force: true });
  }
  if (cfg.outbound.mode === "ses") {
    put(names.sesSmtp.name, JSON.stringify({ host: `email-smtp.${cfg.outbound.sesRegion ?? cfg.region}.amazonaws.com`, port: 587, username: "AKIAEXAMPLE", password: "c2VjcmV0" }));
  }
  if (cfg.features.webmail) put(names.webmailDesKey.name, "TestDesKey0123456789abcdefghijklmnopqrstuv");
  for (const a of cfg.auth.serviceAppPasswords) put(names.serviceAppPassword(a.address, a.name).name, JSON.stringify({ address: a.address, name: a.name, passwordHash: TEST_APP_HASH }));
  // rspamadm pw output for "lab-controller" (a test value).
  put(names.rspamdController.name, JSON.stringify("$2$8m1x6yjpyx3j4gqhb8ni5tqxqa6pdeqa$gfz6k4n4wp8d5dudzucbtqb8xikcx16u1tejxgwmxzkq7knq7e5y"));
}
