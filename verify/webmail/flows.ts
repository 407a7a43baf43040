// What a person does in the webmail, as browser steps: sign in with the mailbox password, enrol
// the authenticator (reading the key the page shows, as a person types it into an app), give the
// code, open a message, make and revoke app passwords. Each step waits for the page it expects
// and says what it saw instead when the server answers otherwise.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import type { Page } from "playwright-core";
import { fail, skip, type Mailbox, type VerifyTarget } from "../types";
import { base32Decode, freshCode } from "./totp";

/** What the webmail checks enrolled, kept for later runs (the replacement boot). */
export interface WebmailState {
  readonly address: string;
  readonly totpSecret: string;
  lastStep: number;
  recoveryCodes: string[];
  /** An app password left in place, for the replacement check. */
  keptAppPassword?: string;
}

export function loadState(t: VerifyTarget): WebmailState {
  const file = t.webmailStateFile ?? skip("no --webmail-state file given");
  try {
    return JSON.parse(readFileSync(file, "utf8")) as WebmailState;
  } catch {
    return fail(`no webmail state in ${file}: the client group's enrolment check has not run`);
  }
}

/** The saved state, or nothing when no check has enrolled yet (a fresh server). */
export function savedState(t: VerifyTarget): WebmailState | undefined {
  const file = t.webmailStateFile ?? skip("no --webmail-state file given");
  return existsSync(file) ? loadState(t) : undefined;
}

export function saveState(t: VerifyTarget, state: WebmailState): void {
  if (t.webmailStateFile) writeFileSync(t.webmailStateFile, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
}

export const origin = (t: VerifyTarget) => `https://${t.host}`;

/** The login form, the password, and where the server sends the browser next. */
export async function signIn(page: Page, t: VerifyTarget, account: Mailbox): Promise<string> {
  await page.goto(`${origin(t)}/`);
  await page.fill("#rcmloginuser", account.address);
  await page.fill("#rcmloginpwd", account.password);
  await Promise.all([page.waitForNavigation({ waitUntil: "load" }), page.click("#rcmloginsubmit")]);
  return page.url();
}

/** First sign-in: the page must show the QR code and the key; the code from the key enrols. */
export async function enrol(page: Page, address: string): Promise<WebmailState> {
  if (!(await page.locator("#mailfort-totp-secret").count())) fail(`no enrolment page after the password (at ${page.url()})`);
  if (!(await page.locator("#mailfort-totp-qr svg rect").count())) fail("the enrolment page shows no QR code");
  const secret = ((await page.textContent("#mailfort-totp-secret")) ?? "").replace(/\s+/g, "");
  const { code, step } = await freshCode(base32Decode(secret), undefined);
  await submitCode(page, code);
  const codes = (await page.locator("#mailfort-recovery-codes code").allTextContents()).map((c) => c.trim());
  if (codes.length !== 10) fail(`after enrolment: ${codes.length} recovery codes shown, expected 10 (page: ${await pageText(page)})`);
  await Promise.all([page.waitForNavigation({ waitUntil: "load" }), page.click("#mailfort-totp-continue")]);
  return { address, totpSecret: secret, lastStep: step, recoveryCodes: codes };
}

/** The second step of a later sign-in: a code for a time step not used before. */
export async function secondFactor(page: Page, state: WebmailState): Promise<void> {
  if (!(await page.locator("#mailfort-totp-code").count())) fail(`no code form after the password (at ${page.url()})`);
  if (await page.locator("#mailfort-totp-secret").count()) fail("the server asks to enrol again: the enrolled second factor was lost");
  const { code, step } = await freshCode(base32Decode(state.totpSecret), state.lastStep);
  state.lastStep = step;
  await submitCode(page, code);
}

export async function submitCode(page: Page, code: string): Promise<void> {
  await page.fill("#mailfort-totp-code", code);
  await Promise.all([page.waitForNavigation({ waitUntil: "load" }), page.click("#mailfort-totp-submit")]);
}

/** The inbox as the mail view lists it: uid and subject per row. */
export async function inboxRows(page: Page, t: VerifyTarget): Promise<Array<{ uid: string; subject: string }>> {
  if (!/_task=mail/.test(page.url())) await page.goto(`${origin(t)}/?_task=mail&_mbox=INBOX`);
  if (!(await page.waitForSelector("#messagelist tbody tr", { timeout: 30_000 }).then(() => true, () => false))) fail(`no message list at ${page.url()}: ${await pageText(page)}`);
  const rows = page.locator("#messagelist tbody tr");
  const out: Array<{ uid: string; subject: string }> = [];
  for (let i = 0; i < (await rows.count()); i++) {
    const row = rows.nth(i);
    // Roundcube's row id is "rcmrow" and the uid in base64url (html_identifier).
    const id = ((await row.getAttribute("id")) ?? "").replace(/^rcmrow/, "");
    out.push({ uid: Buffer.from(id, "base64url").toString("utf8"), subject: ((await row.locator("span.subject a, td.subject a").first().textContent()) ?? "").trim() });
  }
  return out;
}

/** The mail view with its message list (which may be empty), or a failure naming what came instead. */
export async function mailView(page: Page, t: VerifyTarget): Promise<void> {
  await page.goto(`${origin(t)}/?_task=mail&_mbox=INBOX`);
  if (!/_task=mail/.test(page.url())) fail(`asked for the inbox, the browser is at ${page.url()}`);
  if (!(await page.waitForSelector("#messagelist", { state: "attached", timeout: 30_000 }).then(() => true, () => false))) fail(`no message list at ${page.url()}: ${await pageText(page)}`);
}

export async function pageText(page: Page): Promise<string> {
  return ((await page.textContent("body").catch(() => "")) ?? "").replace(/\s+/g, " ").trim().slice(0, 300);
}

/** Settings > App passwords: make one for a device; the page shows it once. */
export async function createAppPassword(page: Page, t: VerifyTarget, device: string): Promise<string> {
  await page.goto(`${origin(t)}/?_task=settings&_action=plugin.mailfort-app-passwords`);
  await page.fill("#mailfort-app-password-name", device);
  await Promise.all([page.waitForNavigation({ waitUntil: "load" }), page.click("#mailfort-app-password-create button[type=submit]")]);
  const shown = ((await page.textContent("#mailfort-app-password-new").catch(() => null)) ?? "").trim();
  if (!/^[a-z2-9]{4}(-[a-z2-9]{4}){4}$/.test(shown)) fail(`no new app password shown after creating one: ${await pageText(page)}`);
  return shown;
}

/** The row of an app password in the list: its last-use column. */
export async function lastUsed(page: Page, t: VerifyTarget, id: string): Promise<string> {
  await page.goto(`${origin(t)}/?_task=settings&_action=plugin.mailfort-app-passwords`);
  return ((await page.textContent(`#mailfort-app-passwords-list tr[data-id="${id}"] td.last-used`).catch(() => null)) ?? "").trim();
}

export async function revokeAppPassword(page: Page, t: VerifyTarget, id: string): Promise<void> {
  await page.goto(`${origin(t)}/?_task=settings&_action=plugin.mailfort-app-passwords`);
  await Promise.all([page.waitForNavigation({ waitUntil: "load" }), page.click(`button[data-id="${id}"]`)]);
  if (await page.locator(`#mailfort-app-passwords-list tr[data-id="${id}"]`).count()) fail(`app password ${id} is still listed after revoking it`);
}
