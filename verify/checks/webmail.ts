// The webmail from outside, in a real browser and as a script: served over TLS only with its
// headers; a password alone opens no mail through any request (pages, AJAX, downloads, settings,
// addressbook); the second factor is enrolled and then required; app passwords are the only
// passwords IMAP and SMTP AUTH take from outside, and stop working when revoked.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { targetAddress } from "../dns-client";
import { rfc5322, sendMail } from "../submit";
import { type Check, type Mailbox, type VerifyTarget, fail, skip } from "../types";
import { openBrowser } from "../webmail/browser";
import { createAppPassword, enrol, inboxRows, lastUsed, loadState, mailView, origin, pageText, revokeAppPassword, saveState, savedState, secondFactor, signIn } from "../webmail/flows";
import { APP_PASSWORD_SLOTS, sourceAddress } from "../source-address";
import { imapLogin } from "./auth";

const account = (t: VerifyTarget, i: number): Mailbox => t.webmailAccounts?.[i] ?? skip(`needs ${i + 1} webmail account(s) (--webmail-account address:mailbox-password)`);

async function imapWorks(t: VerifyTarget, m: Mailbox, localAddress?: string): Promise<boolean> {
  try {
    const c = await imapLogin(t, m, localAddress);
    await c.logout();
    return true;
  } catch (e) {
    if ((e as { authenticationFailed?: boolean }).authenticationFailed) return false;
    throw e;
  }
}

async function smtpWorks(t: VerifyTarget, m: Mailbox, localAddress?: string): Promise<boolean> {
  const r = await sendMail(t, { port: 587, auth: m, from: m.address, to: [m.address], localAddress, message: rfc5322({ from: m.address, to: m.address, subject: "app password check", body: "x" }) });
  if (!r.ok && r.code !== 535) fail(`SMTP AUTH answered neither success nor 535: ${r.code} ${r.response}`);
  return r.ok;
}

/** The enrolment and inbox check's browser session, screenshots into the report. */
async function withBrowser<T>(t: VerifyTarget, run: (page: import("playwright-core").Page) => Promise<T>): Promise<T> {
  const b = await openBrowser(t, await targetAddress(t));
  try {
    const page = await b.context.newPage();
    return await run(page);
  } finally {
    await b.close();
  }
}

function screenshot(t: VerifyTarget, name: string): string | undefined {
  if (!t.screenshotDir) return undefined;
  mkdirSync(t.screenshotDir, { recursive: true });
  return join(t.screenshotDir, name);
}

export const webmailEnrolCheck: Check = {
  id: "webmail-totp-enrol-browser",
  title: "in Chromium: the mailbox password leads to a forced TOTP enrolment (QR code and key), then the inbox, where the delivered message opens",
  timeoutMs: 240_000,
  run: (t) => withBrowser(t, async (page) => {
    const a = account(t, 0);
    const after = await signIn(page, t, a);
    if (!/_action=mailfort-totp/.test(after)) fail(`after the password the browser is at ${after}, not at the second step`);
    const state = await enrol(page, a.address);
    // Kept at once: the checks after this one sign in with this factor, whatever happens below.
    saveState(t, state);
    const rows = await inboxRows(page, t);
    const first = rows[0] ?? fail("the inbox is empty: the lab delivered nothing to read");
    await page.goto(`${origin(t)}/?_task=mail&_mbox=INBOX&_uid=${first.uid}&_action=show`);
    const subject = ((await page.textContent("h2.subject, .subject").catch(() => null)) ?? "").trim();
    if (!subject.includes(first.subject)) fail(`the message page shows ${JSON.stringify(subject)}, the list said ${JSON.stringify(first.subject)}: ${await pageText(page)}`);
    const shot = screenshot(t, "webmail-message.png");
    if (shot) await page.screenshot({ path: shot, fullPage: true });
    await page.goto(`${origin(t)}/?_task=mail&_mbox=INBOX`);
    await inboxRows(page, t);
    const inbox = screenshot(t, "webmail-inbox.png");
    if (inbox) await page.screenshot({ path: inbox, fullPage: true });
    return `enrolled ${a.address} (10 recovery codes shown once), inbox lists ${rows.length} message(s), opened "${first.subject}"${inbox ? `; screenshots ${inbox}, ${shot}` : ""}`;
  }),
};

export const webmailAppPasswordCheck: Check = {
  id: "webmail-app-passwords",
  title: "IMAP and SMTP AUTH from outside refuse the mailbox password, take an app password made in the webmail (its use listed), and refuse it once revoked",
  timeoutMs: 300_000,
  run: (t) => withBrowser(t, async (page) => {
    if (!t.appPasswords) skip("app passwords are off for this server (auth.appPasswords)");
    const a = account(t, 0);
    const state = loadState(t);
    await signIn(page, t, a);
    await secondFactor(page, state);
    saveState(t, state);
    // Each refused pair from its own --source-address slot: with the client group's other wrong
    // passwords, one address would reach fail2ban's maxRetry (an SMTP AUTH refusal is logged by
    // Postfix and by Dovecot's auth) and be banned before the last attempt.
    const [first, second] = [sourceAddress(t, APP_PASSWORD_SLOTS[0]), sourceAddress(t, APP_PASSWORD_SLOTS[1])];
    const main = { imap: await imapWorks(t, a, first), smtp: await smtpWorks(t, a, first) };
    if (main.imap || main.smtp) fail(`the mailbox password still works from outside: IMAP ${main.imap}, SMTP ${main.smtp}`);
    const device = await createAppPassword(page, t, "verify laptop");
    const app = { address: a.address, password: device };
    const withApp = { imap: await imapWorks(t, app, second), smtp: await smtpWorks(t, app, second) };
    if (!withApp.imap || !withApp.smtp) fail(`a fresh app password was refused: IMAP ${withApp.imap}, SMTP ${withApp.smtp}`);
    const used = await lastUsed(page, t, device.slice(0, 4));
    if (!used || used === "never") fail(`the app password's last use is not listed after IMAP and SMTP used it (${JSON.stringify(used)})`);
    await revokeAppPassword(page, t, device.slice(0, 4));
    const revoked = { imap: await imapWorks(t, app, second), smtp: await smtpWorks(t, app, second) };
    if (revoked.imap || revoked.smtp) fail(`a revoked app password still works: IMAP ${revoked.imap}, SMTP ${revoked.smtp}`);
    state.keptAppPassword = await createAppPassword(page, t, "kept for the replacement");
    saveState(t, state);
    return `mailbox password refused by IMAP and SMTP; app password ${device.slice(0, 4)}-… accepted by both (last used ${used}), refused after revocation; another kept for the replacement check`;
  }),
};

export const webmailReplaceCheck: Check = {
  id: "webmail-replace-kept",
  title: "after replacement: the enrolled second factor, the recovery codes and the app passwords still work",
  timeoutMs: 240_000,
  run: async (t) => {
    const a = account(t, 0);
    const state = loadState(t);
    const detail = await withBrowser(t, async (page) => {
      await signIn(page, t, a);
      await secondFactor(page, state);
      await inboxRows(page, t);
      return "TOTP sign-in lands in the inbox without re-enrolment";
    });
    const code = state.recoveryCodes.shift() ?? fail("no recovery code left in the saved state");
    await withBrowser(t, async (page) => {
      await signIn(page, t, a);
      await page.fill("#mailfort-totp-code", code);
      await Promise.all([page.waitForNavigation({ waitUntil: "load" }), page.click("#mailfort-totp-submit")]);
      await inboxRows(page, t);
    });
    saveState(t, state);
    if (state.keptAppPassword && !(await imapWorks(t, { address: a.address, password: state.keptAppPassword }))) fail("the app password made before the replacement is refused");
    return `${detail}; a recovery code signs in; ${state.keptAppPassword ? "the app password made before still opens IMAP" : "no app password was kept"}`;
  },
};

/** How long the measured session stays open (the lab reads the webmail's memory meanwhile). */
export const SESSION_HOLD_SECONDS = 40;

export const webmailSessionCheck: Check = {
  id: "webmail-session-hold",
  title: `one signed-in webmail session, busy for ${SESSION_HOLD_SECONDS} s (the lab measures the webmail's memory meanwhile)`,
  timeoutMs: 240_000,
  run: (t) => withBrowser(t, async (page) => {
    const a = account(t, 0);
    // After the client group the account is enrolled; on a fresh server (the benchmark) it enrols here.
    const saved = savedState(t);
    await signIn(page, t, a);
    const state = saved ?? (await enrol(page, a.address));
    if (saved) await secondFactor(page, saved);
    saveState(t, state);
    const until = Date.now() + SESSION_HOLD_SECONDS * 1000;
    let views = 0;
    while (Date.now() < until) {
      await mailView(page, t);
      views++;
      await page.waitForTimeout(2000);
    }
    return `signed in with the second factor${saved ? "" : " (enrolled first)"}; the inbox loaded ${views} times in ${SESSION_HOLD_SECONDS} s`;
  }),
};
