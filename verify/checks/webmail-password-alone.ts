// A password alone opens no mail: a script signs in with the mailbox password (what a thief with
// a phished password can do) and, without the second factor, asks for everything the webmail can
// give: pages, AJAX actions, message sources, attachments, downloads, contacts, settings, app
// passwords and the login form's own actions. Every answer must be one of the three the choke
// point gives: the second-factor page, a redirect to it, or a bare 403 for AJAX. A response that is
// anything else (or carries mail) fails the check, naming the request.
import { targetAddress } from "../dns-client";
import { type Check, type VerifyTarget, fail, skip } from "../types";
import { type HttpReply, WebClient, passwordLogin, requestToken } from "../webmail/http";
import { base32Decode, totp } from "../webmail/totp";

const MAIL = "_task=mail&_mbox=INBOX";

/** [method, path, form] — the webmail's surface, as Roundcube 1.6 routes it. */
const REQUESTS: ReadonlyArray<readonly [string, string, Record<string, string>?]> = [
  ["GET", "/"], ["GET", `/?${MAIL}`], ["GET", "/?_task=mail&_action=compose"],
  ["GET", `/?${MAIL}&_action=list&_remote=1`], ["GET", `/?${MAIL}&_action=refresh&_remote=1`], ["GET", "/?_task=mail&_action=getunread&_remote=1"],
  ["GET", `/?${MAIL}&_action=search&_q=a&_remote=1`], ["GET", `/?${MAIL}&_uid=1&_action=show`], ["GET", `/?${MAIL}&_uid=1&_action=preview&_framed=1`],
  ["GET", `/?${MAIL}&_uid=1&_action=viewsource`], ["GET", `/?${MAIL}&_uid=1&_action=print`], ["GET", `/?${MAIL}&_uid=1&_part=1&_action=get&_download=1`],
  ["GET", `/?${MAIL}&_uid=1&_action=get&_mimeclass=image`], ["GET", `/?${MAIL}&_uid=*&_action=export`], ["GET", "/?_task=mail&_action=folder-size&_remote=1&_mbox=INBOX"],
  ["GET", "/?_task=addressbook"], ["GET", "/?_task=addressbook&_action=export&_source=0"], ["GET", "/?_task=addressbook&_action=list&_source=0&_remote=1"],
  ["GET", "/?_task=settings"], ["GET", "/?_task=settings&_action=folders"], ["GET", "/?_task=settings&_action=identities"],
  ["GET", "/?_task=settings&_action=plugin.mailfort-app-passwords"], ["POST", "/?_task=settings&_action=plugin.mailfort-app-passwords-create", { _name: "thief" }],
  ["POST", "/?_task=utils&_action=save-pref&_remote=1", { _name: "list_cols", _value: "x" }], ["GET", "/?_task=utils&_action=modcss&_u=x"],
  ["GET", "/?_task=mail&_action=keep-alive&_remote=1"], ["GET", "/?_task=login&_action=plugin.mailfort_totp"], ["GET", "/?_task=cli"],
];

type Verdict = "second-factor page" | "redirect to it" | "403 for AJAX";

function judge(r: HttpReply): Verdict | string {
  const location = String(r.headers.location ?? "");
  if (r.status === 302 && /_action=mailfort-totp/.test(location)) return "redirect to it";
  if (r.status === 403 && r.body === '{"error":"second factor required"}') return "403 for AJAX";
  // The page itself, and nothing of the mail view in it.
  if (r.status === 200 && /id="mailfort-totp-form"/.test(r.body) && !/messagelist|add_message_row|"messagecount"|mailboxlist/.test(r.body)) return "second-factor page";
  return `${r.status}${location ? ` -> ${location}` : ""}: ${r.body.replace(/\s+/g, " ").slice(0, 160)}`;
}

export const passwordAloneCheck: Check = {
  id: "webmail-password-alone-no-mail",
  title: "with the mailbox password alone, no request of the webmail (pages, AJAX, downloads, contacts, settings) gives anything but the second-factor step",
  timeoutMs: 180_000,
  run: async (t: VerifyTarget) => {
    const a = t.webmailAccounts?.[1] ?? t.webmailAccounts?.[0] ?? skip("needs a webmail account (--webmail-account)");
    const c = new WebClient(t, await targetAddress(t));
    const login = await passwordLogin(c, a.address, a.password);
    if (login.status !== 302 || !/_action=mailfort-totp/.test(String(login.headers.location))) fail(`the password sign-in answered ${login.status} ${String(login.headers.location ?? "")}: not the second step`);
    const page = await c.get(String(login.headers.location).replace(/^https:\/\/[^/]+/, ""));
    const token = requestToken(page.body);
    const seen = new Map<string, number>();
    const bad: string[] = [];
    for (const [method, path, form] of REQUESTS) {
      // Roundcube's AJAX calls carry the request token in a header; a thief's script would too.
      const r = method === "POST" ? await c.post(path, { _token: token, ...(form ?? {}) }) : await c.get(path.includes("_remote=1") ? `${path}&_token=${token}` : path);
      const v = judge(r);
      if (v === "second-factor page" || v === "redirect to it" || v === "403 for AJAX") seen.set(v, (seen.get(v) ?? 0) + 1);
      else bad.push(`${method} ${path} -> ${v}`);
    }
    if (bad.length > 0) fail(`${bad.length} request(s) got past the second step:\n${bad.join("\n")}`);
    const control = await afterSecondFactor(c, page.body, token);
    return `${REQUESTS.length} requests with a password-only session: ${[...seen].map(([v, n]) => `${n} ${v}`).join(", ")}; control: ${control}`;
  },
};

/**
 * The control that makes the check able to fail: the same client enrols (the account has no
 * second factor yet) and then the message list does answer, so the probes above would have seen mail.
 */
async function afterSecondFactor(c: WebClient, page: string, token: string): Promise<string> {
  const key = /id="mailfort-totp-secret">([A-Z2-7 ]+)</.exec(page)?.[1];
  if (!key) return "skipped (the account is already enrolled; its key is not shown again)";
  const done = await c.post("/?_task=login&_action=mailfort-totp", { _token: token, _code: totp(base32Decode(key), Date.now() / 1000) });
  if (done.status !== 200 || !/mailfort-recovery-codes/.test(done.body)) fail(`control: enrolment with the right code answered ${done.status}: ${done.body.slice(0, 160)}`);
  const list = await c.get(`/?${MAIL}&_action=list&_remote=1&_token=${requestToken(done.body)}`);
  if (list.status !== 200 || !/add_message_row|"messagecount"/.test(list.body)) fail(`control: after the second factor the list still answers ${list.status}: ${list.body.slice(0, 160)}`);
  return "after enrolling the code, the same session's list request returns the mailbox";
}
