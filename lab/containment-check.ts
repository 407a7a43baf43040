// lab-containment: a hijacked lab mailbox sends in a loop from the sender, one submission session
// a message, and is suspended by the server itself (mailfort-containment, every minute, from the
// journal) once it has submitted more than limits.outboundPerUserPerHour x containment.limitFactor
// messages; the remote MX has received no more than that; another mailbox still sends; and
// `mailfort-containment lift`, run on the guest as an operator would, lets the first send again
// (Rspamd's hourly limit still applies: after the loop it may hold the message, never refuse it).
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import type { MailConfig } from "../infra/config";
import type { CheckResult } from "../verify/contract";
import { CONTAINMENT_SLOTS, sourceAddress } from "../verify/source-address";
import { token } from "../verify/submit";
import { type LabCredential, clientPassword } from "./credentials";
import { LAB_HOSTNAMES } from "./dns/zones";
import { run } from "./exec";
import { labPaths } from "./paths";
import { REMOTE_MAILBOX, labHost } from "./topology";
import type { AlarmWait } from "./aws/report";
import { guestShell } from "./vm/guest-agent";

export const CONTAINMENT_CHECK = {
  id: "lab-containment",
  title: "a hijacked mailbox sending in a loop is suspended after at most limit x factor messages, the remote MX gets no more, another mailbox still sends, and mailfort-containment lift lets it send again",
} as const;

const SUSPENDED_LIST = "/var/lib/mailfort/suspended-senders";
/**
 * Seconds between the loop's sessions: 12 a minute. Each held message is a failure to fail2ban,
 * spread over the loop's seven addresses; at this pace the threshold and the detector's minute
 * come before any address reaches maxRetry (at 2.5 s the loop was banned first).
 */
const PAUSE_SECONDS = 5;
/** The detector runs every minute; allow two runs' worth of sessions past the threshold. */
const LATENCY_SECONDS = 150;

/** How many sessions the loop may open: past the threshold, enough for the detector's latency. */
export function loopAttempts(threshold: number): number {
  return Math.floor(threshold) + 1 + Math.ceil(LATENCY_SECONDS / PAUSE_SECONDS);
}

/** One submission attempt, as lab/containment/send-loop.py prints it. */
export interface Attempt {
  readonly n: number;
  readonly stage: string;
  readonly code: number;
  readonly text: string;
  /** The local address the session left from. */
  readonly source?: string;
}

export interface ContainmentEvidence {
  readonly login: string;
  readonly otherLogin: string;
  /** limits.outboundPerUserPerHour x containment.limitFactor. */
  readonly threshold: number;
  readonly loop: readonly Attempt[];
  /** The loop's messages in the remote MX's maildir once delivery settled. */
  readonly delivered: number;
  /** Whether the login was on the guest's suspended list right after the loop. */
  readonly listed: boolean;
  readonly other: Attempt | undefined;
  readonly afterLift: Attempt | undefined;
  readonly listedAfterLift: boolean;
  /** The suspended-senders alarm while the login was suspended (ALARM), and after the lift (OK). */
  readonly alarmFired: AlarmWait;
  readonly alarmCleared: AlarmWait;
}

/** How the check watches the suspended-senders alarm (the emulated CloudWatch, lab/aws/report.ts). */
export interface ContainmentAlarm {
  readonly fired: () => Promise<AlarmWait>;
  readonly cleared: () => Promise<AlarmWait>;
}

export const isSuspension = (a: Attempt): boolean => a.code >= 500 && a.code < 600 && /suspended/i.test(a.text);

/** Pass or fail, with what was seen; pure, so it is tested without a VM. */
export function judgeContainment(e: ContainmentEvidence): { status: "pass" | "fail"; detail: string } {
  const problems: string[] = [];
  const at = e.loop.findIndex(isSuspension);
  const accepted = e.loop.filter((a) => a.stage === "data" && a.code === 250).length;
  // The loop stops at loopAttempts(threshold): not suspended by then is not suspended in time.
  if (at < 0) problems.push(`${e.login} was not suspended within ${e.loop.length} attempts (threshold ${e.threshold}, then ${LATENCY_SECONDS} s of sessions for the detector's latency); last reply ${JSON.stringify(e.loop.at(-1) ?? "none")}`);
  const refusedOtherwise = e.loop.find((a) => a.code >= 500 && !isSuspension(a));
  if (refusedOtherwise) problems.push(`attempt ${refusedOtherwise.n} was refused for another reason (${refusedOtherwise.code} ${refusedOtherwise.text}): the loop must be plain mail`);
  if (accepted > e.threshold) problems.push(`${accepted} messages were accepted, more than ${e.threshold}`);
  if (e.delivered > e.threshold) problems.push(`the remote MX received ${e.delivered} of the loop's messages, more than ${e.threshold}`);
  if (!e.listed) problems.push(`${e.login} is not on ${SUSPENDED_LIST} after the loop`);
  if (e.other?.stage !== "data" || e.other.code !== 250) problems.push(`${e.otherLogin} could not send while ${e.login} was suspended: ${JSON.stringify(e.other ?? "no attempt")}`);
  const lifted = e.afterLift;
  if (!lifted || isSuspension(lifted)) problems.push(`after mailfort-containment lift, ${e.login} is still refused: ${JSON.stringify(lifted ?? "no attempt")}`);
  else if (!(lifted.stage === "data" && lifted.code === 250) && !(lifted.code >= 400 && lifted.code < 500 && /rate ?limit/i.test(lifted.text))) {
    problems.push(`after the lift ${e.login}'s message got ${lifted.stage} ${lifted.code} ${lifted.text}: neither accepted nor held by the hourly limit`);
  }
  if (e.listedAfterLift) problems.push(`${e.login} is still on ${SUSPENDED_LIST} after the lift`);
  if (!e.alarmFired.reached) problems.push(`the suspended-senders alarm did not fire while ${e.login} was suspended: ${e.alarmFired.detail}`);
  if (!e.alarmCleared.reached) problems.push(`the suspended-senders alarm did not clear after the lift: ${e.alarmCleared.detail}`);
  if (problems.length > 0) return { status: "fail", detail: problems.join("; ") };
  const suspension = e.loop[at] as Attempt;
  return {
    status: "pass",
    detail: `${e.login}: ${accepted} accepted, suspended at attempt ${at + 1} (${suspension.code} ${suspension.text.split("\n")[0]}); remote MX got ${e.delivered} (at most ${e.threshold}); ${e.otherLogin}: accepted; alarm in ALARM ${e.alarmFired.seconds} s after the loop, OK ${e.alarmCleared.seconds} s after the lift; after the lift: ${lifted?.code} at ${lifted?.stage}`,
  };
}

/** Run send-loop.py in the sender's namespace. */
function sendLoop(cfg: MailConfig, who: LabCredential, count: number, slots: readonly number[], tok: string): Attempt[] {
  const sender = labHost("sender");
  const request = {
    address: labHost("mail").address, port: 587, hostname: cfg.hostname, ca: labPaths.caCert(), helo: LAB_HOSTNAMES.sender,
    sources: slots.map((slot) => sourceAddress({ sourceAddresses: sender.probeAddresses }, slot) ?? sender.address),
    login: who.address, password: clientPassword(who, cfg.auth.appPasswords), from: who.address, to: REMOTE_MAILBOX,
    count, pauseSeconds: PAUSE_SECONDS, token: tok, body: `Cheap watches, today only. ${tok}`,
  };
  const r = run("python3", ["-B", join(__dirname, "containment", "send-loop.py")], {
    netns: sender.netns, input: JSON.stringify(request), timeoutMs: count * (PAUSE_SECONDS + 60) * 1000,
  });
  return r.stdout.trim().split("\n").filter((l) => l !== "").map((l) => JSON.parse(l) as Attempt);
}

/** Messages in the remote MX's maildir that carry `tok`. */
function remoteCount(tok: string): number {
  let n = 0;
  for (const sub of ["new", "cur"]) {
    const dir = join(labPaths.remoteMaildir(), sub);
    if (!existsSync(dir)) continue;
    n += readdirSync(dir).filter((f) => readFileSync(join(dir, f), "utf8").includes(tok)).length;
  }
  return n;
}

/** Wait until the remote count has not changed for 20 s (at most 2 minutes): queued mail lands. */
async function settledRemoteCount(tok: string): Promise<number> {
  let last = remoteCount(tok);
  let stableSince = Date.now();
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline && Date.now() - stableSince < 20_000) {
    await new Promise((r) => setTimeout(r, 2_000));
    const now = remoteCount(tok);
    if (now !== last) { last = now; stableSince = Date.now(); }
  }
  return last;
}

async function listed(login: string): Promise<boolean> {
  return (await guestShell(`cat ${SUSPENDED_LIST} 2>/dev/null || true`)).split("\n").includes(login);
}

/**
 * `spammer`: a mailbox whose hourly limit no other check needs afterwards (its limit is used up
 * for an hour); `other`: any other mailbox of the stack.
 */
export async function containmentCheck(cfg: MailConfig, spammer: LabCredential, other: LabCredential, alarm: ContainmentAlarm, log: (l: string) => void): Promise<CheckResult> {
  const started = Date.now();
  const threshold = cfg.limits.outboundPerUserPerHour * cfg.containment.limitFactor;
  const tok = token("containment");
  const result = (status: "pass" | "fail", detail: string): CheckResult => ({ ...CONTAINMENT_CHECK, status, detail, seconds: Math.round((Date.now() - started) / 1000) });
  if (!cfg.containment.enabled) return result("fail", "containment.enabled is false in the lab stack: nothing would suspend the loop");
  try {
    log(`containment: ${spammer.address} sends in a loop (threshold ${threshold})`);
    const loop = sendLoop(cfg, spammer, loopAttempts(threshold), CONTAINMENT_SLOTS.loop, tok);
    const delivered = await settledRemoteCount(tok);
    const wasListed = await listed(spammer.address);
    const [otherAttempt] = sendLoop(cfg, other, 1, [CONTAINMENT_SLOTS.other], token("containment-other"));
    // The operator is paged: the host publishes the list's length every minute.
    const alarmFired = await alarm.fired();
    log(`containment: suspended-senders alarm ${alarmFired.detail}`);
    await guestShell(`mailfort-containment lift ${spammer.address}`);
    const [afterLift] = sendLoop(cfg, spammer, 1, [CONTAINMENT_SLOTS.afterLift], token("containment-lifted"));
    const listedAfterLift = await listed(spammer.address);
    // Back to OK before the checks after this one (aws-alarms-healthy wants every alarm OK).
    const alarmCleared = await alarm.cleared();
    const judged = judgeContainment({
      login: spammer.address, otherLogin: other.address, threshold, loop, delivered, listed: wasListed,
      other: otherAttempt, afterLift, listedAfterLift, alarmFired, alarmCleared,
    });
    return result(judged.status, judged.detail);
  } catch (e) {
    return result("fail", e instanceof Error ? e.message : String(e));
  } finally {
    // Whatever happened, the mailbox must not stay suspended for the checks after this one.
    await guestShell(`mailfort-containment lift ${spammer.address} >/dev/null 2>&1 || true`).catch(() => undefined);
  }
}
