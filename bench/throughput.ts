// Throughput in one lab VM boot, in interleaved rounds (so drift of the shared, noisy machine hits
// every target alike): (a) a bare Postfix in the guest that discards everything, on its own port,
// against (b) the configured server's inbound path on 25 (postscreen, Rspamd milter, LMTP into
// Dovecot) with Postfix's smtp-source; and (a') the same bare Postfix against (c) authenticated
// submission on 587 (STARTTLS, AUTH, Rspamd, DKIM signing, LMTP) with nodemailer, which can AUTH.
// A round's clock stops when the guest's queue is empty again: mail accepted but not yet delivered
// has not been through the whole path. CPU per systemd unit comes from the guest's cgroups.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { clientPassword, guestShell, labCredential, labDir, labHost, labPaths, repoRoot } from "../lab";
import { CGROUP_CPU_SCRIPT, type CommandCpu, PROC_CPU_SCRIPT, type UnitCpu, cpuDelta, parseCgroupCpu, parseProcCpu, processCpuDelta } from "./guest-proc";
import { BARE_DIR, BARE_MAIN_CF, BARE_MASTER_CF, BARE_SETUP, BARE_SPOOL } from "./bare-postfix";
import { BARE_PORT, BARE_TO, INBOUND_TO, SUBMIT_AS, benchMessage, runClient } from "./load-clients";
import { interleavedRounds, timeRound } from "./interleave";
import { round } from "./stats";
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

const NFT_COMMENT = "mailfort-bench-bare";

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
  const isBare = target === "bare" || target === "bare-auth-client";
  const spool = isBare ? BARE_SPOOL : "/var/spool/postfix";
  const messages = isBare ? o.bareMessages : o.messages;
  const cpuBefore = parseCgroupCpu(await guestShell(CGROUP_CPU_SCRIPT));
  // Per-process CPU is a detail: a failure to sample it must not cost the round.
  const sampleProcs = () => guestShell(PROC_CPU_SCRIPT).then(parseProcCpu, () => []);
  const procBefore = await sampleProcs();
  const client = {
    netns: labHost("sender").netns, host: mail, sessions: o.sessions, bodyBytes: o.bodyBytes, files, repo: repoRoot(),
    submission: { password: clientPassword(labCredential(SUBMIT_AS), o.appPasswords), ca: labPaths.caCert(), servername: o.mailHostname },
  };
  const timing = await timeRound(messages, () => runClient(target, messages, client), () => waitQueueEmpty(spool, 600_000));
  const procAfter = await sampleProcs();
  const cpuAfter = parseCgroupCpu(await guestShell(CGROUP_CPU_SCRIPT));
  return {
    target,
    round: roundNo,
    messages,
    ...timing,
    cpu: cpuDelta(cpuBefore, cpuAfter).slice(0, 12),
    processCpu: processCpuDelta(procBefore, procAfter).slice(0, 15),
  };
}

export function sumProcessCpu(rows: readonly RoundResult[]): CommandCpu[] {
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

export function sumCpu(rows: readonly RoundResult[]): UnitCpu[] {
  const byUnit = new Map<string, number>();
  for (const r of rows) for (const c of r.cpu) byUnit.set(c.unit, (byUnit.get(c.unit) ?? 0) + c.cpuSeconds);
  const total = [...byUnit.values()].reduce((a, b) => a + b, 0);
  return [...byUnit.entries()].map(([unit, s]) => ({ unit, cpuSeconds: round(s), share: total > 0 ? round(s / total, 3) : 0 })).sort((a, b) => b.cpuSeconds - a.cpuSeconds);
}

export async function runThroughput(o: ThroughputOptions, log: (l: string) => void): Promise<ThroughputResult> {
  const dir = join(labDir(), "bench");
  mkdirSync(dir, { recursive: true });
  const files = { bare: join(dir, "msg-bare.eml"), inbound: join(dir, "msg-inbound.eml") };
  writeFileSync(files.bare, benchMessage(o.bodyBytes, BARE_TO));
  writeFileSync(files.inbound, benchMessage(o.bodyBytes, INBOUND_TO));
  await startBarePostfix(log);
  let rounds: RoundResult[] = [];
  try {
    const warm = { ...o, messages: o.sessions, bareMessages: o.sessions };
    rounds = await interleavedRounds(o.targets, o.rounds, (t, i, warmUp) => oneRound(t, i, warmUp ? warm : o, files), (l) => log(`throughput: ${l}`));
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
    settings: { sessions: o.sessions, messages: o.messages, bareMessages: o.bareMessages, bodyBytes: o.bodyBytes, bareSetup: BARE_SETUP },
  };
}
