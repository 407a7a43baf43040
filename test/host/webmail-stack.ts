// The webmail's server side running for real, without the VM: Dovecot, PHP-FPM, nginx (and
// Postfix's submission) from the Debian 13 checker root, chrooted into it, inside a network
// namespace of its own joined to this host by one veth pair (10.99.15.0/24, nothing routed
// beyond). Clients (verify's checks, Chromium) run on this host and reach it as an outside
// client would. Syslog lines (Roundcube's, Dovecot's) are captured from the root's /dev/log.
import { type ChildProcess, execFileSync, spawn, spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { CheckerRoot } from "./checker-root";

export const WEBMAIL_NETNS = "mfhost-webmail";
export const HOST_SIDE = { link: "mfw-host", address: "10.99.15.1" } as const;
export const SERVER_ADDRESS = "10.99.15.10";

export interface WebmailStack {
  /** Syslog lines so far (RFC 3164 as the daemons sent them, minus the priority). */
  syslog(): string[];
  stop(): void;
}

const sh = (argv: string[]) => execFileSync(argv[0] ?? "", argv.slice(1), { stdio: ["ignore", "pipe", "pipe"] });

/** Remove what a previous run may have left (this test's own namespace and link only). */
function cleanup(): void {
  spawnSync("ip", ["netns", "del", WEBMAIL_NETNS]);
  spawnSync("ip", ["link", "del", HOST_SIDE.link]);
}

export async function startWebmailStack(root: CheckerRoot): Promise<WebmailStack> {
  cleanup();
  sh(["ip", "netns", "add", WEBMAIL_NETNS]);
  sh(["ip", "link", "add", HOST_SIDE.link, "type", "veth", "peer", "name", "mfw-server"]);
  sh(["ip", "link", "set", "mfw-server", "netns", WEBMAIL_NETNS]);
  sh(["ip", "addr", "add", `${HOST_SIDE.address}/24`, "dev", HOST_SIDE.link]);
  sh(["ip", "link", "set", HOST_SIDE.link, "up"]);
  for (const argv of [["ip", "link", "set", "lo", "up"], ["ip", "addr", "add", `${SERVER_ADDRESS}/24`, "dev", "mfw-server"], ["ip", "link", "set", "mfw-server", "up"]]) {
    sh(["ip", "netns", "exec", WEBMAIL_NETNS, ...argv]);
  }
  for (const step of [
    ["mkdir", "-p", "/var/spool/postfix/private", "/run/php", "/run/dovecot", "/var/log/nginx", "/var/lib/nginx"],
    ["install", "-d", "-o", "vmail", "-g", "vmail", "-m", "0750", "/srv/mailfort/mail"],
    ["chown", "postfix", "/var/spool/postfix/private"],
    // Rspamd is not run here (its checks live elsewhere); without it Postfix's milter would
    // answer every client "try again later". This copy of main.cf only, never the rendered one.
    ["postconf", "-e", "smtpd_milters=", "non_smtpd_milters="],
  ]) {
    const r = root.run(step);
    if (r.status !== 0) throw new Error(`${step.join(" ")}: ${r.stderr}`);
  }
  const logFile = join(root.dir, "tmp/syslog.txt");
  const children: ChildProcess[] = [];
  const start = (argv: string[]) => {
    const child = spawn("ip", ["netns", "exec", WEBMAIL_NETNS, "chroot", root.dir, ...argv], { stdio: ["ignore", "ignore", "pipe"] });
    let err = "";
    child.stderr?.on("data", (d: Buffer) => (err = (err + d.toString()).slice(-2000)));
    child.on("exit", (code) => { if (code !== 0 && code !== null) process.stderr.write(`webmail stack: ${argv.join(" ")} exited ${code}: ${err}\n`); });
    children.push(child);
  };
  // A syslog socket inside the root, writing each message as a line (what journald would store).
  start(["python3", "-c", [
    "import socket, os",
    "p = '/dev/log'",
    "os.path.exists(p) and os.unlink(p)",
    "s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM); s.bind(p); os.chmod(p, 0o666)",
    "f = open('/tmp/syslog.txt', 'a', buffering=1)",
    "while True: f.write(s.recv(65536).decode('utf-8', 'replace').rstrip('\\n').replace('\\n', ' ') + '\\n')",
  ].join("\n")]);
  await waitFor(() => existsSync(join(root.dir, "dev/log")), "the syslog socket");
  start(["/usr/sbin/dovecot", "-F"]);
  start(["/usr/sbin/php-fpm8.4", "--nodaemonize", "--fpm-config", "/etc/php/8.4/fpm/php-fpm.conf"]);
  start(["/usr/sbin/nginx", "-g", "daemon off;"]);
  start(["/usr/sbin/postfix", "start-fg"]);
  await waitFor(() => root.run(["test", "-S", "/run/php/php8.4-fpm.sock"]).status === 0 && root.run(["test", "-S", "/run/dovecot/auth-client"]).status === 0, "php-fpm and dovecot");
  return {
    syslog: () => (existsSync(logFile) ? readFileSync(logFile, "utf8").split("\n").filter(Boolean) : []),
    stop: () => {
      for (const c of children.reverse()) c.kill("SIGTERM");
      root.run(["/usr/sbin/postfix", "stop"]);
      cleanup();
    },
  };
}

async function waitFor(ready: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (ready()) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`webmail stack: ${what} did not come up within 20 s`);
}
