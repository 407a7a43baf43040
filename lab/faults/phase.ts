// The lab's induced-fault phase: set off the five faults of lab/faults/induce.ts side by side on
// the running server, evaluate every synthesized alarm against the emulated CloudWatch every
// 20 s (lab/aws/alarms.ts's evaluator) until each fault's alarm is in ALARM or the time is up,
// and judge (lab/faults/judge.ts): exactly the matching alarms, nothing else. The faults touch
// separate parts of the server (queue, login counters, DNS, certificate file, data volume), so
// they run at once: the slowest alarm (five one-minute periods) sets the phase's length.
import type { MailConfig } from "../../infra/config";
import type { CheckResult } from "../../verify/types";
import { alarmStates } from "../aws/report";
import type { LabAws } from "../aws/lab-aws";
import { FAILED_LOGINS, failedLogins, fillDataDisk, listServerOnDnsbl, loginsHow, pileUpQueue, shortLivedCertificate, undoFaults } from "./induce";
import { type AlarmSample, type InducedFault, allFired, judgeFaults } from "./judge";

/** After the last fault is in place: the slowest alarm needs 5 complete one-minute periods (and 5-minute ones end within 5). */
const WATCH_MS = 12 * 60_000;
const POLL_MS = 20_000;
const AUTH_PERIOD_S = 300;
/**
 * The guesser (five connections per protocol at once) needs under a minute under TCG, and the
 * host publishes its counts up to a minute later: start it only with this much of the auth
 * alarms' 5-minute period left, so all twenty failures count in one period (the alarm sums one).
 */
const AUTH_WINDOW_S = 150;

/** The planned alarm whose name ends in `-<id>` (ids as in infra/core/host-metrics.ts: data-disk, queue-deferred). */
export function plannedAlarm(names: readonly string[], id: string): string {
  const found = names.filter((n) => n.endsWith(`-${id}`));
  if (found.length !== 1) throw new Error(`the plan has ${found.length} alarms named *-${id}: ${found.join(", ") || "none"}`);
  return found[0] as string;
}

/** Seconds to wait so that AUTH_WINDOW_S of the current 5-minute period are left (0 if they are). */
export function authWindowWait(nowSeconds: number): number {
  const left = AUTH_PERIOD_S - (nowSeconds % AUTH_PERIOD_S);
  return left >= AUTH_WINDOW_S ? 0 : left + 5;
}

export async function faultPhase(cfg: MailConfig, aws: LabAws, instanceId: string, guessLogin: string, log: (l: string) => void): Promise<CheckResult[]> {
  const names = aws.plan.alarms.map((a) => a.name);
  const alarm = (id: string) => plannedAlarm(names, id);
  const started = Date.now();
  const at = () => (Date.now() - started) / 1000;
  const sample = async (): Promise<AlarmSample> => ({ at: at(), ...(await alarmStates(aws, instanceId)) });

  const baseline = await sample();
  const samples: AlarmSample[] = [];
  let polling = true;
  const poller = (async () => {
    while (polling) {
      await new Promise((r) => setTimeout(r, POLL_MS));
      // One failed evaluation is a gap in the timeline, not the end of the watch.
      try {
        samples.push(await sample());
      } catch (e) {
        log(`faults: alarms not evaluated this time: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
  })();

  const faults: InducedFault[] = [];
  const induce = async (f: Omit<InducedFault, "inducedAt" | "how">, how: () => Promise<string>): Promise<void> => {
    try {
      const done = await how();
      faults.push({ ...f, how: done, inducedAt: at() });
      log(`faults: ${f.id}: ${done}`);
    } catch (e) {
      faults.push({ ...f, how: "not induced", inducedAt: at(), error: e instanceof Error ? e.message : String(e) });
      log(`faults: ${f.id}: NOT INDUCED: ${e instanceof Error ? e.message : String(e)}`);
    }
  };
  try {
    await induce({ id: "data-disk-full", title: "a data volume filled past 80 % sets off the data-disk alarm", expect: [alarm("data-disk")], tolerate: [] }, fillDataDisk);
    await induce({ id: "dnsbl-listed", title: "the server's address on the lab DNSBL sets off the dnsbl-listed alarm", expect: [alarm("dnsbl-listed")], tolerate: [] }, () => listServerOnDnsbl(cfg, log));
    await induce({ id: "queue-pile-up", title: "undeliverable mail piling up in the queue sets off the queue-deferred alarm", expect: [alarm("queue-deferred")], tolerate: [alarm("deliveries-deferred")] }, () => pileUpQueue(cfg));
    // Before the wait for the auth alarms' period, not after the guesser: its alarm then runs out
    // beside theirs (the phase took 620 s with it last, 2026-12-03). Only the file changes, no
    // daemon reloads, and the guesser does not check certificates: its logins are not disturbed.
    await induce({ id: "cert-near-expiry", title: "a certificate 7 days from expiry sets off the cert-expiry alarm", expect: [alarm("cert-expiry")], tolerate: [] }, () => shortLivedCertificate(cfg));
    const wait = authWindowWait(Math.floor(Date.now() / 1000));
    if (wait > 0) log(`faults: waiting ${wait} s for a fresh 5-minute period before the ${FAILED_LOGINS} failed logins`);
    await new Promise((r) => setTimeout(r, wait * 1000));
    const guessStarted = at();
    const logins = await failedLogins(cfg, guessLogin).then((attempts) => ({ attempts, error: undefined }), (e: unknown) => ({ attempts: [], error: e instanceof Error ? e.message : String(e) }));
    for (const [proto, id, title] of [
      ["smtp", "smtp-auth-failures", `${FAILED_LOGINS} failed SMTP AUTH logins set off the smtp-auth-failures alarm`],
      ["imap", "imap-login-failures", `${FAILED_LOGINS} failed IMAP logins set off the imap-login-failures alarm`],
    ] as const) {
      const r = loginsHow(logins.attempts, proto, guessLogin);
      const error = logins.error ?? r.error;
      faults.push({ id: `${proto}-failed-logins`, title, expect: [alarm(id)], tolerate: [], how: r.how, inducedAt: guessStarted, ...(error !== undefined ? { error } : {}) });
      log(`faults: ${proto}-failed-logins: ${r.how}${error ? ` (${error})` : ""}`);
    }

    const deadline = Date.now() + WATCH_MS;
    while (Date.now() < deadline && !allFired(faults, samples)) await new Promise((r) => setTimeout(r, 5_000));
  } finally {
    polling = false;
    await poller.catch(() => undefined);
    await undoFaults().catch((e: unknown) => log(`faults: undo: ${e instanceof Error ? e.message : String(e)}`));
  }
  log(`faults: ${samples.length} evaluations over ${Math.round(at())} s`);
  return judgeFaults(faults, baseline, samples, names);
}
