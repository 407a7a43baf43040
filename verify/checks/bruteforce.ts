// Brute force: repeated failed logins from one address get it banned (fail2ban) within a stated
// time, while another client keeps working. Two jails, two checks, both from this client's own
// address: password guessing on SMTP AUTH (587; the postfix-sasl jail bans the submission
// ports) and on IMAP (993; the dovecot jail bans the mail-reading ports). The SMTP check runs
// first: its ban leaves 993 open for the IMAP one. "Others unaffected" runs afterwards from
// the sender.
import { targetAddress } from "../dns-client";
import { SmtpProbe, ehlo } from "../smtp-probe";
import { rfc5322, sendMail } from "../submit";
import { type Check, type VerifyTarget, fail } from "../types";
import { imapLogin, portState } from "./auth";

/** How long after the last failed login the ban must be in force. */
const BAN_WITHIN_SECONDS = 90;
/** How long the guessing may take: anvil's per-minute limits may ask a client to slow down. */
const GUESSING_BUDGET_MS = 180_000;

type Attempt = "refused" | "accepted" | "slow-down" | "gone";

interface Jail {
  readonly service: string;
  readonly port: number;
  readonly attempt: (t: VerifyTarget, victim: string, guess: string) => Promise<{ outcome: Attempt; detail: string }>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const smtpAuth: Jail = {
  service: "SMTP AUTH",
  port: 587,
  attempt: async (t, victim, guess) => {
    const r = await sendMail(t, { port: 587, auth: { address: victim, password: guess }, from: victim, to: [victim], message: rfc5322({ from: victim, to: victim, subject: "x", body: "x" }) });
    if (r.ok) return { outcome: "accepted", detail: r.response };
    if (r.code === 535) return { outcome: "refused", detail: r.response };
    // 421/454: anvil's connection or auth rate limit, or the server is busy; try again later.
    if (r.code >= 400 && r.code < 500) return { outcome: "slow-down", detail: r.response };
    return { outcome: "gone", detail: `${r.code} ${r.response}` };
  },
};

const imap: Jail = {
  service: "IMAP",
  port: 993,
  attempt: async (t, victim, guess) => {
    try {
      const client = await imapLogin(t, { address: victim, password: guess });
      await client.logout();
      return { outcome: "accepted", detail: "logged in" };
    } catch (e) {
      const err = e as Error & { authenticationFailed?: boolean; code?: string };
      if (err.authenticationFailed) return { outcome: "refused", detail: err.message };
      return { outcome: "gone", detail: err.code ?? err.message };
    }
  },
};

/** Guess until the jail has seen maxRetry failures, then wait for the port to close. */
async function guessUntilBanned(t: VerifyTarget, jail: Jail): Promise<string> {
  const victim = t.mailboxes[0]?.address ?? `postmaster@${t.domains[0]}`;
  const maxRetry = t.bruteForce?.maxRetry ?? 5;
  const address = await targetAddress(t);
  const started = Date.now();
  let failures = 0;
  let slowDowns = 0;
  let dropped = 0;
  let lastOther = "";
  let lastSlowDown = "";
  let lastFailure = Date.now();
  while (failures < maxRetry && Date.now() - started < GUESSING_BUDGET_MS) {
    const { outcome, detail } = await jail.attempt(t, victim, `guess-${failures}-${slowDowns}`);
    if (outcome === "accepted") fail(`${jail.service}: a guessed password was accepted (${detail})`);
    if (outcome === "refused") {
      failures++;
      lastFailure = Date.now();
    } else if (outcome === "slow-down") {
      slowDowns++;
      lastSlowDown = detail;
      await sleep(10_000);
    } else if (failures === 0) {
      fail(`inconclusive: ${jail.service} on ${jail.port} did not take a login (${detail}); is this client already banned?`);
    } else if ((await portState(address, jail.port, 4000)) !== "open") {
      break; // the port stopped answering: the ban is in force (the wait below confirms it)
    } else {
      // The attempt died without a verdict (a timeout on a busy host, a dropped connection) but
      // the port still answers: that is no ban, so keep guessing rather than wait for one.
      dropped++;
      lastOther = detail;
      await sleep(2000);
    }
  }
  if (failures === 0) fail(`inconclusive: no ${jail.service} login was refused within ${GUESSING_BUDGET_MS / 1000} s`);
  const extras = [slowDowns ? `${slowDowns} slow-down replies, last: ${lastSlowDown.trim().slice(0, 160)}` : "", dropped ? `${dropped} attempts dropped without a verdict, last: ${lastOther}` : ""].filter(Boolean);
  const what = `${failures} failed ${jail.service} logins${extras.length ? ` (${extras.join("; ")})` : ""}`;
  while (Date.now() - lastFailure < BAN_WITHIN_SECONDS * 1000) {
    if ((await portState(address, jail.port, 4000)) !== "open") return `${what}, banned ${((Date.now() - lastFailure) / 1000).toFixed(0)} s after the last one (${jail.port} no longer answers this client)`;
    await sleep(3000);
  }
  return fail(`${what}, ${jail.port} still answers this client ${BAN_WITHIN_SECONDS} s after the last one`);
}

export const bruteForceChecks: Check[] = [
  {
    id: "bruteforce-ban-smtp",
    title: `repeated failed SMTP AUTH logins get this client banned from 587 within ${BAN_WITHIN_SECONDS} s`,
    run: (t) => guessUntilBanned(t, smtpAuth),
  },
  {
    id: "bruteforce-ban-imap",
    title: `repeated failed IMAP logins get this client banned from 993 within ${BAN_WITHIN_SECONDS} s`,
    run: (t) => guessUntilBanned(t, imap),
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
