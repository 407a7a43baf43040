// The native throughput bench: the targets of the VM bench (a, b, a', c), measured with the same
// clients, rounds and rendered configuration, but on the build machine's own CPU - the Debian 13
// root in network namespaces of this run, no VM (TCG emulates Rspamd's SIMD worst, so VM ratios
// say little about a real CPU). A round's clock stops when the queue in the root is empty again.
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { basename, join } from "node:path";
import type { MailConfig } from "../../infra/config";
import { clientPassword, labCredential, labStackConfig, labStackFile, repoRoot } from "../../lab";
import { BARE_SETUP, BARE_SPOOL } from "../bare-postfix";
import { cpuDelta, processCpuDelta } from "../guest-proc";
import { interleavedRounds, timeRound } from "../interleave";
import { benchStackText } from "../lab-session";
import { BARE_TO, type ClientSetup, INBOUND_TO, SUBMIT_AS, SUBMIT_TO, benchMessage, runClient } from "../load-clients";
import type { Target } from "../targets";
import { type RoundResult, type ThroughputOptions, type ThroughputResult, sumCpu, sumProcessCpu } from "../throughput";
import { BARE_DAEMON } from "./daemons";
import { type Profile, perfAvailable, profileWhile } from "./profile";
import { type ServerProcesses, abortStart, startServer, stopServer } from "./server";

const QUEUE_DIRS = ["incoming", "active", "deferred", "maildrop", "hold"];

/** The VM bench's rounds and targets; only the server's name is the VM's own. */
export type NativeOptions = Omit<ThroughputOptions, "mailHostname" | "appPasswords">;

/** Messages in a Postfix queue (every queue file is one message). */
export function queuedMessages(spool: string): number {
  let n = 0;
  const walk = (dir: string): void => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      if (e.isDirectory()) walk(join(dir, e.name));
      else n++;
    }
  };
  for (const d of QUEUE_DIRS) walk(join(spool, d));
  return n;
}

/** Messages delivered into a mailbox of the store (<domain>/<user>/Maildir/{new,cur}), by "user@domain". */
export function deliveredMessages(store: string): Map<string, number> {
  const out = new Map<string, number>();
  const dirs = (d: string) => {
    try {
      return readdirSync(d, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name);
    } catch {
      return [];
    }
  };
  for (const domain of dirs(store)) {
    for (const user of dirs(join(store, domain))) {
      const n = ["new", "cur"].reduce((sum, sub) => sum + filesIn(join(store, domain, user, "Maildir", sub)), 0);
      out.set(`${user}@${domain}`, n);
    }
  }
  return out;
}

function filesIn(dir: string): number {
  try {
    return readdirSync(dir).length;
  } catch {
    return 0;
  }
}

async function waitQueueEmpty(spool: string, timeoutMs: number): Promise<number> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    if (queuedMessages(spool) === 0) return Date.now();
    if (Date.now() > until) throw new Error(`${queuedMessages(spool)} message(s) still queued in ${spool} after ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The lab stack with the VM bench's limits override: the same configuration the VM bench boots. */
export function nativeBenchConfig(dir: string): MailConfig {
  const file = join(dir, "Pulumi.lab.yaml");
  writeFileSync(file, benchStackText(readFileSync(labStackFile(), "utf8")));
  return labStackConfig(file);
}

async function oneRound(s: ServerProcesses, client: ClientSetup, target: Target, roundNo: number, messages: number): Promise<RoundResult> {
  const bare = target === "bare" || target === "bare-auth-client";
  const spool = join(s.rootDir, bare ? BARE_SPOOL : "/var/spool/postfix");
  const before = s.cpu.usage();
  const procsBefore = s.cpu.processes();
  const timing = await timeRound(messages, () => runClient(target, messages, client), () => waitQueueEmpty(spool, 600_000));
  return {
    target, round: roundNo, messages, ...timing,
    cpu: cpuDelta(before, s.cpu.usage()), processCpu: processCpuDelta(procsBefore, s.cpu.processes()).slice(0, 15),
  };
}

export interface NativeThroughputResult extends ThroughputResult {
  /** Where it ran (the root, the CPU, what is left out), for the report. */
  readonly where: string;
  /** Messages the paths should have delivered (warm-ups and rounds) against those found in the mailboxes. */
  readonly delivered?: { readonly expected: number; readonly found: number };
  /** perf profiles of one extra round of the paths (absent without perf). */
  readonly profiles?: readonly Profile[];
  readonly profileNote?: string;
}

/** One extra, uncounted round of each path under perf (the server's processes, not the bare Postfix). */
async function profilePaths(s: ServerProcesses, client: ClientSetup, o: NativeOptions, dir: string, log: (l: string) => void): Promise<Profile[]> {
  const out: Profile[] = [];
  for (const target of o.targets.filter((t): t is "inbound" | "submission" => t === "inbound" || t === "submission")) {
    const pids = [...new Set(s.cpu.processes().filter((p) => p.unit !== BARE_DAEMON.name).map((p) => p.pid))];
    const p = await profileWhile(pids, join(dir, `perf-${target}.data`), async () => {
      const r = await oneRound(s, client, target, 0, o.messages);
      if (r.error !== undefined) throw new Error(`profiled ${target} round: ${r.error}`);
    });
    log(`native: profile of ${target}: ${p.rows.slice(0, 4).map((x) => `${x.command} ${x.object} ${x.percent}%`).join(", ")}`);
    out.push({ target, messages: o.messages, ...p });
  }
  return out;
}

export async function runNativeThroughput(o: NativeOptions, log: (l: string) => void): Promise<NativeThroughputResult> {
  const work = mkdtempSync(join(tmpdir(), "mailfort-native-bench-"));
  const files = { bare: join(work, "msg-bare.eml"), inbound: join(work, "msg-inbound.eml") };
  writeFileSync(files.bare, benchMessage(o.bodyBytes, BARE_TO));
  writeFileSync(files.inbound, benchMessage(o.bodyBytes, INBOUND_TO));
  const cfg = nativeBenchConfig(work);
  let server: ServerProcesses | undefined;
  // Ctrl-C mid-run: stop the daemons and remove the mounts, groups and namespaces all the same.
  const interrupted = (signal: NodeJS.Signals) => {
    log(`native: ${signal}: tearing down before exit`);
    void (server ? stopServer(server, log) : abortStart(log)).finally(() => {
      rmSync(work, { recursive: true, force: true });
      process.exit(130);
    });
  };
  process.once("SIGINT", interrupted);
  process.once("SIGTERM", interrupted);
  try {
    server = await startServer(cfg, process.pid.toString(36), log);
    const client: ClientSetup = {
      netns: server.net.sender, host: server.net.serverAddress, sessions: o.sessions, bodyBytes: o.bodyBytes, files, repo: repoRoot(),
      submission: { password: clientPassword(labCredential(SUBMIT_AS), cfg.auth.appPasswords), ca: server.certFile, servername: cfg.hostname },
    };
    const s = server;
    const rounds = await interleavedRounds(o.targets, o.rounds, (t, i, warmUp) => {
      const bare = t === "bare" || t === "bare-auth-client";
      return oneRound(s, client, t, i, warmUp ? o.sessions : bare ? o.bareMessages : o.messages);
    }, (l) => log(`native: ${l}`));
    // The figures count only if the paths delivered: a drained queue could also mean bounces.
    const mailboxes = deliveredMessages(s.native.mailStore);
    const expected = [...rounds, ...o.targets.map((t) => ({ target: t, messages: o.sessions, error: undefined }))]
      .filter((r) => (r.target === "inbound" || r.target === "submission") && r.error === undefined).reduce((n, r) => n + r.messages, 0);
    const delivered = { expected, found: (mailboxes.get(INBOUND_TO) ?? 0) + (mailboxes.get(SUBMIT_TO) ?? 0) };
    log(`native: ${delivered.found} of ${delivered.expected} messages of the counted rounds and warm-ups found in ${INBOUND_TO}'s and ${SUBMIT_TO}'s mailboxes`);
    let profiles: Profile[] | undefined;
    let profileNote: string | undefined;
    if (perfAvailable()) {
      profiles = await profilePaths(s, client, o, work, log).catch((e: unknown) => {
        profileNote = `perf profile failed: ${e instanceof Error ? e.message : String(e)}`;
        return undefined;
      });
    } else {
      profileNote = "perf is not installed on this machine: no profile below the per-daemon CPU (apt-get install linux-perf)";
    }
    const cpuByTarget: Partial<Record<Target, ReturnType<typeof sumCpu>>> = {};
    const processCpuByTarget: Partial<Record<Target, ReturnType<typeof sumProcessCpu>>> = {};
    for (const t of o.targets) {
      cpuByTarget[t] = sumCpu(rounds.filter((r) => r.target === t));
      processCpuByTarget[t] = sumProcessCpu(rounds.filter((r) => r.target === t));
    }
    const where = `Debian 13 root ${basename(s.native.base)} (the host checkers' cached trixie root) with mailfort's rendered lab-stack files, ` +
      `on this machine's CPU (${cpus().length} cores, ${cpus()[0]?.model ?? "?"}, load ${loadavg()[0]?.toFixed(2) ?? "?"} at the end), in two network namespaces of its own (no VM); ` +
      "the mail store on a plain directory of the machine's ext4 (like the data volume), the rest on the root's overlay; " +
      "no journald or fail2ban (no systemd in the root: Postfix and Dovecot find no syslog socket, Rspamd logs to its file), no nftables.";
    return {
      where, delivered, rounds, cpuByTarget, processCpuByTarget, ...(profiles ? { profiles } : {}), ...(profileNote ? { profileNote } : {}),
      settings: { sessions: o.sessions, messages: o.messages, bareMessages: o.bareMessages, bodyBytes: o.bodyBytes, bareSetup: BARE_SETUP },
    };
  } finally {
    process.off("SIGINT", interrupted);
    process.off("SIGTERM", interrupted);
    if (server) await stopServer(server, log);
    rmSync(work, { recursive: true, force: true });
  }
}
