// Guessing on the webmail is banned like guessing on IMAP and SMTP: wrong passwords on the sign-in
// form, and (with the right password) wrong codes at the second step, each from an address of its
// own, until fail2ban's roundcube-auth jail closes 443 to that address within the usual limits.
import { targetAddress } from "../dns-client";
import { sourceAddress } from "../source-address";
import { type Check, type VerifyTarget, fail, skip } from "../types";
import { WebClient, passwordLogin, requestToken } from "../webmail/http";
import { portState } from "./auth";
import { BAN_TIMING, type BanTiming, banVerdict, shutStreak, sleep } from "../ban-watch";

/** Failures until maxRetry, then watch 443 until it stays shut for this address. */
async function untilBanned(t: VerifyTarget, slot: number, what: string, attempt: (c: WebClient) => Promise<boolean>, timing: BanTiming = BAN_TIMING): Promise<string> {
  const from = sourceAddress(t, slot) ?? skip("needs --source-address values (the ban takes the address)");
  const address = await targetAddress(t);
  const probe = () => portState(address, 443, 4000, from);
  const maxRetry = t.bruteForce?.maxRetry ?? 5;
  const started = Date.now();
  let failures = 0;
  let dropped = 0;
  let last = Date.now();
  let bannedAfterMs: number | undefined;
  while (failures < maxRetry && Date.now() - started < timing.guessingBudgetMs) {
    let refused: boolean;
    try {
      refused = await attempt(new WebClient(t, address, from));
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      if (failures === 0) return fail(`inconclusive: the webmail did not answer ${from} (${message}); already banned?`);
      // 443 stays shut: the ban came early. Still answering: a busy moment, not a ban; guess on.
      const since = await shutStreak(probe, timing);
      if (since !== undefined) {
        bannedAfterMs = since - last;
        break;
      }
      dropped++;
      await sleep(timing.droppedWaitMs);
      continue;
    }
    if (!refused) fail(`${what}: a guess was accepted`);
    failures++;
    last = Date.now();
  }
  const seen = `${failures} ${what} from ${from}${dropped ? ` (${dropped} attempts dropped while 443 still answered)` : ""}`;
  return banVerdict(probe, last, bannedAfterMs, { seen, shut: "(443 no longer answers it)", stillOpen: "and 443 still answers it" }, timing);
}

export const webmailBruteForceChecks: Check[] = [
  {
    id: "webmail-bruteforce-login",
    title: `repeated wrong passwords on the webmail's sign-in get the address banned from 443 within ${BAN_TIMING.banWithinMs / 1000} s`,
    timeoutMs: 360_000,
    run: (t) => {
      const victim = t.webmailAccounts?.[0]?.address ?? skip("needs a webmail account");
      return untilBanned(t, 13, "wrong webmail passwords", async (c) => (await passwordLogin(c, victim, `guess-${Date.now()}`)).status === 401);
    },
  },
  {
    id: "webmail-bruteforce-totp",
    title: `with the right password, repeated wrong second-factor codes get the address banned from 443 within ${BAN_TIMING.banWithinMs / 1000} s`,
    timeoutMs: 360_000,
    run: (t) => {
      const a = t.webmailAccounts?.[1] ?? t.webmailAccounts?.[0] ?? skip("needs a webmail account");
      return untilBanned(t, 14, "wrong second-factor codes", async (c) => {
        const login = await passwordLogin(c, a.address, a.password);
        if (login.status !== 302) fail(`the right password answered ${login.status} (locked out by the account's rate limit?)`);
        const page = await c.get(String(login.headers.location).replace(/^https:\/\/[^/]+/, ""));
        const r = await c.post("/?_task=login&_action=mailfort-totp", { _token: requestToken(page.body), _code: "000000" });
        return r.status === 200 && /mailfort-totp-error/.test(r.body);
      });
    },
  },
];

export const webmailOthersUnaffectedCheck: Check = {
  id: "webmail-others-unaffected",
  title: "while the webmail guessers are banned, another client still gets the sign-in page",
  run: async (t) => {
    const address = await targetAddress(t);
    // A ban drops this client's packets, so the TCP connect itself is the test of the ban. The page
    // may then be slow (PHP-FPM starts a worker; in CI's lab the VM was busy with testssl and the
    // other suites: "no answer in 30 s" once, 2026-12-03), which is not a ban: asked up to 3 times.
    const state = await portState(address, 443, 15_000);
    if (state !== "open") fail(`443 does not accept this client's connection (${state}): banned with the guessers?`);
    const errors: string[] = [];
    for (let attempt = 1; attempt <= 3; attempt++) {
      try {
        const r = await new WebClient(t, address).get("/");
        if (r.status !== 200 || !/id="rcmloginuser"/.test(r.body)) fail(`the sign-in page answered ${r.status}`);
        return `443 serves the sign-in page to this client${errors.length ? ` (after ${errors.join("; ")})` : ""}`;
      } catch (e) {
        const message = e instanceof Error ? e.message : String(e);
        if (!/no answer in/.test(message)) throw e;
        errors.push(`attempt ${attempt}: ${message}`);
      }
    }
    return fail(`443 accepts the connection but never served the sign-in page: ${errors.join("; ")}`);
  },
};
