// Brute force: repeated failed logins from one address get it banned (fail2ban) within a stated
// time, while another client keeps working. Two jails, two checks, both from this client's own
// address: password guessing on SMTP AUTH (587; the postfix-sasl jail bans the submission
// ports) and on IMAP (993; the dovecot jail bans the mail-reading ports). The SMTP check runs
// first: its ban leaves 993 open for the IMAP one. "Others unaffected" runs afterwards from
// the sender.
import { BAN_TIMING, type BanTiming, type PortProbe, banVerdict, shutStreak, sleep } from "../ban-watch";
import { targetAddress } from "../dns-client";
import { SmtpProbe, ehlo } from "../smtp-probe";
import { rfc5322, sendMail } from "../submit";
import { type Check, type VerifyTarget, fail } from "../types";
import { imapLogin, portState } from "./auth";

export type Attempt = "refused" | "accepted" | "slow-down" | "gone";
export interface AttemptResult {
  readonly outcome: Attempt;
  readonly detail: string;
}

/** One protocol's password guessing, as the checks and their tests drive it. */
export interface Guesser {
  readonly service: string;
  readonly port: number;
  readonly maxRetry: number;
  readonly attempt: (guess: string) => Promise<AttemptResult>;
  /** A TCP connect to the port from this client: open, or shut (a ban, or a busy moment). */
  readonly probe: PortProbe;
}

export interface GuessTiming extends BanTiming {
  /** After a 4xx (anvil's limits, or an answer that came too late): wait before the next guess. */
  readonly slowDownWaitMs: number;
}

export const GUESS_TIMING: GuessTiming = { ...BAN_TIMING, slowDownWaitMs: 10_000 };

async function smtpAttempt(t: VerifyTarget, victim: string, guess: string): Promise<AttemptResult> {
  const r = await sendMail(t, { port: 587, auth: { address: victim, password: guess }, from: victim, to: [victim], message: rfc5322({ from: victim, to: victim, subject: "x", body: "x" }) });
  if (r.ok) return { outcome: "accepted", detail: r.response };
  if (r.code === 535) return { outcome: "refused", detail: r.response };
  // 421/454: anvil's connection or auth rate limit, or an answer from Dovecot that came after
  // Postfix's 10 s; fail2ban rightly counts neither as a failed login. Try again later.
  if (r.code >= 400 && r.code < 500) return { outcome: "slow-down", detail: r.response };
  return { outcome: "gone", detail: `${r.code} ${r.response}` };
}

async function imapAttempt(t: VerifyTarget, victim: string, guess: string): Promise<AttemptResult> {
  try {
    const client = await imapLogin(t, { address: victim, password: guess });
    await client.logout();
    return { outcome: "accepted", detail: "logged in" };
  } catch (e) {
    const err = e as Error & { authenticationFailed?: boolean; code?: string };
    if (err.authenticationFailed) return { outcome: "refused", detail: err.message };
    return { outcome: "gone", detail: err.code ?? err.message };
  }
}

async function guesser(t: VerifyTarget, service: string, port: number, attempt: typeof smtpAttempt): Promise<Guesser> {
  const victim = t.mailboxes[0]?.address ?? `postmaster@${t.domains[0]}`;
  const address = await targetAddress(t);
  return { service, port, maxRetry: t.bruteForce?.maxRetry ?? 5, attempt: (guess) => attempt(t, victim, guess), probe: () => portState(address, port, 4000) };
}

/**
 * Guess until the jail has seen maxRetry failures, then wait for the port to stay shut. An
 * attempt that dies without a verdict ends the guessing only when the port then stays shut (the
 * ban came early); a busy server's dropped attempt is noted and the guessing goes on.
 */
export async function guessUntilBanned(g: Guesser, timing: GuessTiming = GUESS_TIMING): Promise<string> {
  const started = Date.now();
  let failures = 0;
  let slowDowns = 0;
  let dropped = 0;
  let lastOther = "";
  let lastSlowDown = "";
  let lastFailure = Date.now();
  /** Set when the ban came while guessing: from the last failure to the shut streak's start. */
  let bannedAfterMs: number | undefined;
  while (failures < g.maxRetry && Date.now() - started < timing.guessingBudgetMs) {
    const { outcome, detail } = await g.attempt(`guess-${failures}-${slowDowns}-${dropped}`);
    if (outcome === "accepted") fail(`${g.service}: a guessed password was accepted (${detail})`);
    if (outcome === "refused") {
      failures++;
      lastFailure = Date.now();
    } else if (outcome === "slow-down") {
      slowDowns++;
      lastSlowDown = detail;
      await sleep(timing.slowDownWaitMs);
    } else if (failures === 0) {
      fail(`inconclusive: ${g.service} on ${g.port} did not take a login (${detail}); is this client already banned?`);
    } else {
      // No verdict: the ban came early (the port stays shut), or a busy moment (it answers again).
      const since = await shutStreak(g.probe, timing);
      if (since !== undefined) {
        bannedAfterMs = since - lastFailure;
        break;
      }
      dropped++;
      lastOther = detail;
      await sleep(timing.droppedWaitMs);
    }
  }
  if (failures === 0) fail(`inconclusive: no ${g.service} login was refused within ${timing.guessingBudgetMs / 1000} s`);
  const extras = [slowDowns ? `${slowDowns} slow-down replies, last: ${lastSlowDown.trim().slice(0, 160)}` : "", dropped ? `${dropped} attempts dropped without a verdict while ${g.port} still answered, last: ${lastOther}` : ""].filter(Boolean);
  const seen = `${failures} failed ${g.service} logins${extras.length ? ` (${extras.join("; ")})` : ""}`;
  return banVerdict(g.probe, lastFailure, bannedAfterMs, { seen, shut: `(${g.port} no longer answers this client)`, stillOpen: `${g.port} still answers this client` }, timing);
}

export const bruteForceChecks: Check[] = [
  {
    id: "bruteforce-ban-smtp",
    title: `repeated failed SMTP AUTH logins get this client banned from 587 within ${BAN_TIMING.banWithinMs / 1000} s`,
    // Up to 180 s of guessing on a busy server, the 90 s watch and its confirming probes.
    timeoutMs: 360_000,
    run: async (t) => guessUntilBanned(await guesser(t, "SMTP AUTH", 587, smtpAttempt)),
  },
  {
    id: "bruteforce-ban-imap",
    title: `repeated failed IMAP logins get this client banned from 993 within ${BAN_TIMING.banWithinMs / 1000} s`,
    // Up to 180 s of guessing on a busy server, the 90 s watch and its confirming probes.
    timeoutMs: 360_000,
    run: async (t) => guessUntilBanned(await guesser(t, "IMAP", 993, imapAttempt)),
  },
];

export const othersUnaffectedCheck: Check = {
  id: "bruteforce-others-unaffected",
  title: "while the attacker is banned, another client still gets service",
  run: async (t) => {
    const { probe, greeting } = await SmtpProbe.open({ host: t.host, address: await targetAddress(t), port: 587 });
    try {
      if (greeting.code !== 220) fail(`greeting: ${greeting.text}`);
      const { reply } = await ehlo(probe, t.heloName);
      if (reply.code !== 250) fail(`EHLO: ${reply.text}`);
      const imap = await portState(await targetAddress(t), 993, 8000);
      if (imap !== "open") fail(`993 is ${imap} for this client`);
      return `587 greets and answers EHLO (${greeting.text.split("\n")[0]}); 993 is open`;
    } finally {
      probe.close();
    }
  },
};
