// The daemons of the native bench, started the way their Debian systemd units start them
// (ExecStart, User=), but inside the Debian 13 root (chroot) and the bench's server namespace,
// each in a cpuacct cgroup of its own so the bench can say which daemon the CPU went to
// (exited children included). Only processes started here are ever stopped, by their PID.
import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { BARE_DIR, BARE_SPOOL } from "../bare-postfix";

export interface DaemonSpec {
  /** Also the name of its cgroup and of its row in the CPU table. */
  readonly name: string;
  readonly argv: readonly string[];
  /** chroot --userspec: the unit's User=/Group=. */
  readonly user?: string;
  /** A daemon that forks into the background: its PID comes from this file in the root. */
  readonly pidFile?: string;
  /** How it is stopped when not by SIGTERM to its PID (inside the root, in its namespace). */
  readonly stop?: readonly string[];
  /** Ready when these TCP ports listen in the server namespace... */
  readonly ports: readonly number[];
  /** ...and, where given, this line is in this log file of the root. */
  readonly readyLog?: { readonly file: string; readonly pattern: RegExp; readonly what: string };
}

/** The mailfort server as its boot starts it (mailfort-boot: unbound, redis, rspamd, dovecot, postfix). */
export const MAILFORT_DAEMONS: readonly DaemonSpec[] = [
  { name: "unbound", argv: ["/usr/sbin/unbound", "-d", "-p"], ports: [53] },
  { name: "redis", argv: ["/usr/bin/redis-server", "/etc/redis/redis.conf", "--daemonize", "no"], user: "redis:redis", ports: [6379] },
  // Its proxy listens before the regex cache is compiled; until then it matches without
  // hyperscan (slower). The lab image warms that cache, so the bench waits for it here too.
  {
    name: "rspamd", argv: ["/usr/bin/rspamd", "-c", "/etc/rspamd/rspamd.conf", "-f"], user: "_rspamd:_rspamd", ports: [11332, 11334],
    readyLog: { file: "/var/log/rspamd/rspamd.log", pattern: /\(rspamd_proxy\).*full hyperscan database of \d+ regexps has been loaded/, what: "the proxy's hyperscan database loaded" },
  },
  { name: "dovecot", argv: ["/usr/sbin/dovecot", "-F"], ports: [993] },
  { name: "postfix", argv: ["/usr/sbin/postfix", "start"], pidFile: "/var/spool/postfix/pid/master.pid", stop: ["/usr/sbin/postfix", "stop"], ports: [25, 587] },
];

/** The bare Postfix (a, a'): its own configuration directory and queue, see bare-postfix.ts. */
export const BARE_DAEMON: DaemonSpec = {
  name: "postfix-bare", argv: ["/usr/sbin/postfix", "-c", BARE_DIR, "start"], pidFile: `${BARE_SPOOL}/pid/master.pid`,
  stop: ["/usr/sbin/postfix", "-c", BARE_DIR, "stop"], ports: [2525],
};

export const ROOT_PATH = "PATH=/usr/sbin:/usr/bin:/sbin:/bin";

/** argv that runs `argv` in the root and namespace, with a clean environment (as a unit would). */
export function inRootArgv(root: string, netns: string, argv: readonly string[], user?: string): string[] {
  return ["ip", "netns", "exec", netns, "chroot", ...(user ? [`--userspec=${user}`] : []), root, "/usr/bin/env", "-i", ROOT_PATH, "HOME=/root", ...argv];
}

/**
 * The launch argv: a shell that first moves itself into the daemon's cgroup (so every process
 * the daemon ever forks is counted, with no window before the move), then execs the daemon.
 */
export function launchArgv(spec: DaemonSpec, root: string, netns: string, cgroupProcs: string): string[] {
  return ["sh", "-c", 'echo $$ > "$1" && shift && exec "$@"', "mailfort-native-launch", cgroupProcs, ...inRootArgv(root, netns, spec.argv, spec.user)];
}

export interface RunningDaemon {
  readonly spec: DaemonSpec;
  readonly pid: number;
  /** What the daemon printed (its last few KiB), for an error message. */
  output(): string;
}

/** Start a daemon; for a forking one, wait for its PID file. */
export async function startDaemon(spec: DaemonSpec, root: string, netns: string, cgroupProcs: string): Promise<RunningDaemon> {
  const argv = launchArgv(spec, root, netns, cgroupProcs);
  const child = spawn(argv[0] as string, argv.slice(1), { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  const keep = (d: Buffer) => void (out = (out + d.toString()).slice(-4000));
  child.stdout.on("data", keep);
  child.stderr.on("data", keep);
  if (spec.pidFile === undefined) {
    if (child.pid === undefined) throw new Error(`native bench: ${spec.name} did not start: ${out}`);
    return { spec, pid: child.pid, output: () => out };
  }
  const code = await new Promise<number>((resolve) => child.on("close", (c) => resolve(c ?? -1)));
  const file = join(root, spec.pidFile);
  if (code !== 0 || !existsSync(file)) throw new Error(`native bench: ${spec.argv.join(" ")} failed (exit ${code}): ${out.trim()}`);
  return { spec, pid: Number(readFileSync(file, "utf8").trim()), output: () => out };
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** Stop one daemon this bench started: its own stop command, else SIGTERM; SIGKILL after 30 s. */
export async function stopDaemon(d: RunningDaemon, root: string, netns: string): Promise<void> {
  if (!alive(d.pid)) return;
  if (d.spec.stop) {
    const argv = inRootArgv(root, netns, d.spec.stop);
    await new Promise<void>((resolve) => spawn(argv[0] as string, argv.slice(1), { stdio: "ignore" }).on("close", () => resolve()));
  } else {
    process.kill(d.pid, "SIGTERM");
  }
  for (let i = 0; i < 300 && alive(d.pid); i++) await new Promise((r) => setTimeout(r, 100));
  if (alive(d.pid)) process.kill(d.pid, "SIGKILL");
}
