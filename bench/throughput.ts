// Throughput in one lab VM boot, in interleaved rounds (so drift of the shared, noisy machine hits
// every target alike): (a) a bare Postfix in the guest that discards everything, on its own port,
// against (b) the configured server's inbound path on 25 (postscreen, Rspamd milter, LMTP into
// Dovecot) with Postfix's smtp-source; and (a') the same bare Postfix against (c) authenticated
// submission on 587 (STARTTLS, AUTH, Rspamd, DKIM signing, LMTP) with nodemailer, which can AUTH.
// A round's clock stops when the guest's queue is empty again: mail accepted but not yet delivered
// has not been through the whole path. CPU per systemd unit comes from the guest's cgroups.
import { spawn } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { clientPassword, guestShell, labCredential, labDir, labHost, labPaths, repoRoot } from "../lab";
import { CGROUP_CPU_SCRIPT, type CommandCpu, PROC_CPU_SCRIPT, type UnitCpu, cpuDelta, parseCgroupCpu, parseProcCpu, processCpuDelta } from "./guest-proc";
import type { LoadResult } from "./smtp-load";
import { rate, round } from "./stats";
import type { Target } from "./targets";

export interface RoundResult {
  readonly target: Target;
  readonly round: number;
  readonly messages: number;
  /** Client finished (every message accepted with 250). */
  readonly acceptSeconds: number;
  /** Guest queue empty again (every message delivered or discarded). */
  readonly totalSeconds: number;
  readonly messagesPerSecond: number;
  readonly cpu: readonly UnitCpu[];
  /** CPU per long-lived process (unit: command), e.g. Dovecot's lmtp against its auth. */
  readonly processCpu?: readonly CommandCpu[];
  readonly error?: string;
}

/** What was measured; the figures (medians, ratios) are computed from it by throughput-figures.ts. */
export interface ThroughputResult {
  readonly rounds: readonly RoundResult[];
  /** CPU seconds per unit over all rounds of a target, largest first. */
  readonly cpuByTarget: Partial<Record<Target, readonly UnitCpu[]>>;
  /** The same per long-lived process (unit: command). */
  readonly processCpuByTarget?: Partial<Record<Target, readonly CommandCpu[]>>;
  /** Deferred deliveries the main Postfix logged during the bench, with a sample of the reasons. */
  readonly deferrals?: { readonly count: number; readonly sample: readonly string[] };
  readonly settings: { readonly sessions: number; readonly messages: number; readonly bareMessages?: number; readonly bodyBytes: number; readonly bareSetup: string };
}

const BARE_PORT = 2525;
const BARE_DIR = "/etc/postfix-bench";
const BARE_SPOOL = "/var/spool/postfix-bench";
const FROM = "bench@remote.test";
const INBOUND_TO = "alice@mailfort.test";
const SUBMIT_AS = "alice@mailfort.test";
const SUBMIT_TO = "bob@mailfort.test";
const NFT_COMMENT = "mailfort-bench-bare";

/** The bare instance: Debian's Postfix defaults, no milter, no TLS, no limits; every message to discard(8). */
const BARE_MAIN_CF = [
  "# mailfort bench: a bare Postfix that accepts from the lab and discards (the MTA's own limit on this VM).",
  "compatibility_level = 3.6",
  `queue_directory = ${BARE_SPOOL}`,
  "data_directory = /var/lib/postfix-bench",
  "syslog_name = postfix-bench",
  "myhostname = bare.mailfort.test",
  "mydestination =",
  "inet_interfaces = all",
  "inet_protocols = ipv4",
  "mynetworks = 127.0.0.0/8 10.77.0.0/24",
  "smtpd_relay_restrictions = permit_mynetworks, reject",
  "default_transport = discard",
  "relay_transport = discard",
  "local_transport = discard",
  "virtual_transport = discard",
  "alias_maps =",
  "alias_database =",
  "local_recipient_maps =",
  "",
].join("\n");

const BARE_MASTER_CF = [
  `${BARE_PORT}      inet  n       -       n       -       -       smtpd`,
  "pickup    unix  n       -       n       60      1       pickup",
  "cleanup   unix  n       -       n       -       0       cleanup",
  "qmgr      unix  n       -       n       300     1       qmgr",
  "rewrite   unix  -       -       n       -       -       trivial-rewrite",
  "bounce    unix  -       -       n       -       0       bounce",
  "defer     unix  -       -       n       -       0       bounce",
  "trace     unix  -       -       n       -       0       bounce",
  "verify    unix  -       -       n       -       1       verify",
  "flush     unix  n       -       n       1000?   0       flush",
  "proxymap  unix  -       -       n       -       -       proxymap",
  "showq     unix  n       -       n       -       -       showq",
  "error     unix  -       -       n       -       -       error",
  "retry     unix  -       -       n       -       -       error",
  "discard   unix  -       -       n       -       -       discard",
  "anvil     unix  -       -       n       -       1       anvil",
  "scache    unix  -       -       n       -       1       scache",
  "",
].join("\n");

/** Write the bare instance, open its port in the guest firewall (bench only), start it in its own scope. */
async function startBarePostfix(log: (l: string) => void): Promise<void> {
  const script = [
    "set -e",
    `mkdir -p ${BARE_DIR} ${BARE_SPOOL} /var/lib/postfix-bench`,
    `cat > ${BARE_DIR}/main.cf <<'EOF_MAIN'\n${BARE_MAIN_CF}EOF_MAIN`,
    `cat > ${BARE_DIR}/master.cf <<'EOF_MASTER'\n${BARE_MASTER_CF}EOF_MASTER`,
    "chown postfix /var/lib/postfix-bench",
    `postfix -c ${BARE_DIR} check`,
    `nft insert rule inet mailfort input tcp dport ${BARE_PORT} accept comment '"${NFT_COMMENT}"'`,
    `systemd-run --quiet --scope --unit=mailfort-bench-bare postfix -c ${BARE_DIR} start`,
    `for i in $(seq 1 30); do ss -ltn | grep -q ':${BARE_PORT} ' && exit 0; sleep 1; done; echo 'bare postfix not listening' >&2; exit 1`,
  ].join("\n");
  await guestShell(script, { timeoutMs: 120_000 });
  log(`throughput: bare Postfix listening on ${labHost("mail").address}:${BARE_PORT} (scope mailfort-bench-bare; firewall opened for the bench only)`);
}

async function stopBarePostfix(): Promise<void> {
  await guestShell(
    [`postfix -c ${BARE_DIR} stop || true`, `h=$(nft -a list chain inet mailfort input | sed -n 's/.*${NFT_COMMENT}.*# handle \\([0-9]*\\).*/\\1/p')`, '[ -z "$h" ] || nft delete rule inet mailfort input handle "$h"'].join("\n"),
    { timeoutMs: 60_000 },
  ).catch(() => undefined);
}

function queueCountScript(spool: string): string {
  return `find ${["incoming", "active", "deferred", "maildrop", "hold"].map((d) => `${spool}/${d}`).join(" ")} -type f 2>/dev/null | wc -l`;
}

/**
 * Wait in the guest until the queue is empty, polling there (cheaper than one guest-agent call per
 * poll); resolves to the host time it became empty: the guest reports how long after the start
 * of its script, so the two clocks need not agree.
 */
async function waitQueueEmpty(spool: string, timeoutMs: number): Promise<number> {
  const hostStart = Date.now();
  const limit = Math.ceil(timeoutMs / 2000) + 20;
  const script = [
    "t0=$(date +%s%N)",
    `i=0; while [ "$(${queueCountScript(spool)})" -gt 0 ]; do i=$((i+1)); [ $i -gt ${limit} ] && { echo "$(${queueCountScript(spool)}) message(s) still queued in ${spool}" >&2; exit 1; }; [ $i -lt 20 ] && sleep 0.5 || sleep 2; done`,
    'echo $(( ($(date +%s%N) - t0) / 1000000 ))',
  ].join("\n");
  const ms = Number((await guestShell(script, { timeoutMs: timeoutMs + 60_000 })).trim());
  return hostStart + ms;
}

function runCommand(cmd: string, args: readonly string[], timeoutMs: number): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, [...args], { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill("SIGTERM"), timeoutMs);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
  });
}

/** A plain, well-formed message (from a domain whose SPF allows the sender host): nothing for Rspamd to reject. */
function benchMessage(bodyBytes: number, to: string): string {
  const line = "The quick brown fox jumps over the lazy dog, again and again.";
  const body: string[] = [];
  for (let n = 0; n < bodyBytes; n += line.length + 1) body.push(line);
  return [`From: Bench <${FROM}>`, `To: <${to}>`, "Subject: mailfort throughput bench", `Date: ${new Date().toUTCString().replace("GMT", "+0000")}`, `Message-ID: <bench-${Date.now()}@remote.test>`, "MIME-Version: 1.0", "Content-Type: text/plain; charset=us-ascii", "", ...body, ""].join("\n");
}

export interface ThroughputOptions {
  readonly rounds: number;
  readonly messages: number;
  /** Messages per round for the bare targets (a, a'): more, so their rounds are not over in a second. */
  readonly bareMessages: number;
  readonly sessions: number;
  readonly bodyBytes: number;
  readonly targets: readonly Target[];
  readonly mailHostname: string;
  /** The stack requires app passwords from mail clients (auth.appPasswords). */
  readonly appPasswords: boolean;
}

async function oneRound(target: Target, roundNo: number, o: ThroughputOptions, files: { bare: string; inbound: string }): Promise<RoundResult> {
  const mail = labHost("mail").address;
  const sender = labHost("sender").netns;
  const isBare = target === "bare" || target === "bare-auth-client";
  const spool = isBare ? BARE_SPOOL : "/var/spool/postfix";
  const messages = isBare ? o.bareMessages : o.messages;
  const cpuBefore = parseCgroupCpu(await guestShell(CGROUP_CPU_SCRIPT));
  // Per-process CPU is a detail: a failure to sample it must not cost the round.
  const sampleProcs = () => guestShell(PROC_CPU_SCRIPT).then(parseProcCpu, () => []);
  const procBefore = await sampleProcs();
  // t0: when the client's first connection starts (for the node client, its own clock: tsx's
  // start-up on the host is not part of the mail path).
  let t0 = Date.now();
  let error: string | undefined;
  let accepted = t0;
  if (target === "bare" || target === "inbound") {
    const port = target === "bare" ? BARE_PORT : 25;
    const to = target === "bare" ? "nobody@discard.test" : INBOUND_TO;
    const r = await runCommand("ip", ["netns", "exec", sender, "smtp-source", "-d", "-s", String(o.sessions), "-m", String(messages), "-F", target === "bare" ? files.bare : files.inbound, "-f", FROM, "-t", to, "-M", "sender.remote.test", `${mail}:${port}`], 900_000);
    accepted = Date.now();
    if (r.code !== 0) error = `smtp-source exit ${r.code}: ${(r.stderr || r.stdout).trim().slice(0, 300)}`;
  } else {
    const tsx = join(repoRoot(), "node_modules", ".bin", "tsx");
    const common = ["--host", mail, "--count", String(messages), "--concurrency", String(o.sessions), "--size", String(o.bodyBytes)];
    const extra =
      target === "submission"
        ? ["--port", "587", "--from", SUBMIT_AS, "--to", SUBMIT_TO, "--user", SUBMIT_AS, "--pass", clientPassword(labCredential(SUBMIT_AS), o.appPasswords), "--ca", labPaths.caCert(), "--servername", o.mailHostname]
        : ["--port", String(BARE_PORT), "--from", FROM, "--to", "nobody@discard.test"];
    // The client's own clock (it excludes tsx's start-up); the queue drain is timed here after it.
    const r = await runCommand("ip", ["netns", "exec", sender, tsx, join(repoRoot(), "bench", "smtp-load.ts"), ...common, ...extra], 900_000);
    const line = r.stdout.trim().split("\n").pop() ?? "";
    try {
      const res = JSON.parse(line) as LoadResult;
      accepted = Date.now();
      t0 = accepted - res.seconds * 1000;
      if (res.failed > 0 || res.sent !== messages) error = `${res.failed} of ${messages} refused: ${res.firstError ?? "?"}`;
    } catch {
      accepted = Date.now();
      error = `load client: ${(r.stderr || r.stdout).trim().slice(0, 300)}`;
    }
  }
  let done = Date.now();
  try {
    done = await waitQueueEmpty(spool, 600_000);
  } catch (e) {
    error ??= e instanceof Error ? e.message : String(e);
  }
  const procAfter = await sampleProcs();
  const cpuAfter = parseCgroupCpu(await guestShell(CGROUP_CPU_SCRIPT));
  const acceptSeconds = (accepted - t0) / 1000;
  const totalSeconds = Math.max(acceptSeconds, (done - t0) / 1000);
  return {
    target,
    round: roundNo,
    messages,
    acceptSeconds: round(acceptSeconds),
    totalSeconds: round(totalSeconds),
    messagesPerSecond: round(rate(messages, totalSeconds)),
    cpu: cpuDelta(cpuBefore, cpuAfter).slice(0, 12),
    processCpu: processCpuDelta(procBefore, procAfter).slice(0, 15),
    ...(error !== undefined ? { error } : {}),
  };
}

function sumProcessCpu(rows: readonly RoundResult[]): CommandCpu[] {
  const by = new Map<string, number>();
  for (const r of rows) for (const c of r.processCpu ?? []) by.set(c.name, (by.get(c.name) ?? 0) + c.cpuSeconds);
  return [...by.entries()].map(([name, s]) => ({ name, cpuSeconds: round(s) })).sort((a, b) => b.cpuSeconds - a.cpuSeconds).slice(0, 12);
}

/** Deferred deliveries in the main Postfix's log since the bench started (a round that waits minutes for the queue is one of these). */
async function deferrals(): Promise<{ count: number; sample: string[] }> {
  const out = await guestShell("journalctl --no-pager -o cat -t postfix/lmtp -t postfix/smtp -t postfix/qmgr -t postfix/error --since '-2h' | grep 'status=deferred' || true", { timeoutMs: 120_000 }).catch((e: unknown) => `journalctl failed: ${String(e)}`);
  const lines = out.split("\n").filter((l) => l.includes("status=deferred"));
  const reasons = [...new Set(lines.map((l) => l.replace(/^[0-9A-F]+: /, "").replace(/to=<[^>]*>, /, "").replace(/delay=[^ ]+ delays=[^ ]+ /, "")))];
  return { count: lines.length, sample: reasons.slice(0, 5) };
}

function sumCpu(rows: readonly RoundResult[]): UnitCpu[] {
  const byUnit = new Map<string, number>();
  for (const r of rows) for (const c of r.cpu) byUnit.set(c.unit, (byUnit.get(c.unit) ?? 0) + c.cpuSeconds);
  const total = [...byUnit.values()].reduce((a, b) => a + b, 0);
  return [...byUnit.entries()].map(([unit, s]) => ({ unit, cpuSeconds: round(s), share: total > 0 ? round(s / total, 3) : 0 })).sort((a, b) => b.cpuSeconds - a.cpuSeconds);
}

export async function runThroughput(o: ThroughputOptions, log: (l: string) => void): Promise<ThroughputResult> {
  const dir = join(labDir(), "bench");
  mkdirSync(dir, { recursive: true });
  const files = { bare: join(dir, "msg-bare.eml"), inbound: join(dir, "msg-inbound.eml") };
  writeFileSync(files.bare, benchMessage(o.bodyBytes, "nobody@discard.test"));
  writeFileSync(files.inbound, benchMessage(o.bodyBytes, INBOUND_TO));
  await startBarePostfix(log);
  const rounds: RoundResult[] = [];
  try {
    // One warm-up message per target, not counted: first connections pay cold caches (postscreen's
    // first-contact test, TLS session cache, Rspamd maps, the node client's module load).
    for (const t of o.targets) {
      const r = await oneRound(t, 0, { ...o, messages: o.sessions, bareMessages: o.sessions }, files);
      log(`throughput: warm-up ${t}: ${r.error ?? "ok"}`);
    }
    for (let i = 1; i <= o.rounds; i++) {
      for (const t of o.targets) {
        const r = await oneRound(t, i, o, files);
        rounds.push(r);
        const top = r.cpu.slice(0, 3).map((c) => `${c.unit} ${c.cpuSeconds}s`).join(", ");
        log(`throughput: round ${i} ${t}: ${r.messages} msgs, accepted in ${r.acceptSeconds} s, queue empty at ${r.totalSeconds} s = ${r.messagesPerSecond} msg/s${r.error ? ` ERROR ${r.error}` : ""} [cpu: ${top}]`);
      }
    }
  } finally {
    await stopBarePostfix();
  }
  const deferred = await deferrals();
  if (deferred.count > 0) log(`throughput: ${deferred.count} deferred deliveries in the main Postfix: ${deferred.sample.join(" | ")}`);
  const cpuByTarget: Partial<Record<Target, readonly UnitCpu[]>> = {};
  const processCpuByTarget: Partial<Record<Target, readonly CommandCpu[]>> = {};
  for (const t of o.targets) {
    cpuByTarget[t] = sumCpu(rounds.filter((r) => r.target === t));
    processCpuByTarget[t] = sumProcessCpu(rounds.filter((r) => r.target === t));
  }
  return {
    rounds,
    cpuByTarget,
    processCpuByTarget,
    deferrals: deferred,
    settings: { sessions: o.sessions, messages: o.messages, bareMessages: o.bareMessages, bodyBytes: o.bodyBytes, bareSetup: `postfix -c ${BARE_DIR} (discard transport, port ${BARE_PORT}, no milter/TLS/limits)` },
  };
}
