// The webmail end to end without the VM: the checker root's Dovecot, PHP-FPM, nginx and Postfix
// run in a namespace of their own (webmail-stack.ts), and verify's own webmail checks drive them
// from this host as an outside client: Debian's Chromium through enrolment to the inbox, a script
// with the password alone against the whole HTTP surface, app passwords over real IMAP and SMTP.
// The lines Roundcube logged for a wrong password and a wrong code then go through fail2ban-regex.
// The lab runs the same checks against the VM, with fail2ban banning for real.
import { existsSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { passwordAloneCheck } from "../../verify/checks/webmail-password-alone";
import { webmailHttpsCheck } from "../../verify/checks/webmail-https";
import { webmailAppPasswordCheck, webmailEnrolCheck, webmailReplaceCheck, webmailSessionCheck } from "../../verify/checks/webmail";
import type { VerifyTarget } from "../../verify/types";
import { CHROMIUM } from "../../verify/webmail/browser";
import { WebClient, passwordLogin, requestToken } from "../../verify/webmail/http";
import { type CheckerRoot, SEED_MAILBOX_PASSWORD, baseRoot, checkerUnavailable, prepareRoot } from "./checker-root";
import { SERVER_ADDRESS, type WebmailStack, startWebmailStack } from "./webmail-stack";
import { loadStack } from "./stacks";

const unavailable = checkerUnavailable() ?? (existsSync(CHROMIUM) ? undefined : `no ${CHROMIUM} (apt-get install chromium; .ci/apt-packages lists it)`);
if (unavailable && process.env.CI === "true") throw new Error(`webmail end-to-end tests cannot run in CI: ${unavailable}`);

const ALICE = { address: "alice@mailfort.test", password: SEED_MAILBOX_PASSWORD };
const BOB = { address: "bob@mailfort.test", password: SEED_MAILBOX_PASSWORD };
// Nobody enrols Carol before the session check does (the password-alone control enrols Bob).
const CAROL = { address: "carol@second.test", password: SEED_MAILBOX_PASSWORD };
const CAROL_STATE = join(tmpdir(), `mailfort-webmail-e2e-carol-${process.pid}.json`);

describe.skipIf(Boolean(unavailable))("the webmail end to end (checker root in a namespace, Chromium outside)", () => {
  let root: CheckerRoot;
  let stack: WebmailStack;
  let t: VerifyTarget;
  beforeAll(async () => {
    const lab = loadStack("lab");
    root = prepareRoot(baseRoot(), { ...lab, auth: { ...lab.auth, appPasswords: true } });
    for (const step of [
      ["install", "-d", "-o", "www-data", "-g", "www-data", "-m", "0750", "/srv/mailfort/webmail", "/srv/mailfort/webmail/app-passwords"],
      ["/usr/local/sbin/mailfort-boot", "webmail-database"],
    ]) expect(root.run(step).status).toBe(0);
    stack = await startWebmailStack(root);
    // The message the browser must find and open (delivered as Dovecot's LMTP would store it).
    writeFileSync(join(root.dir, "tmp/message.eml"), "From: someone@remote.test\r\nTo: alice@mailfort.test\r\nSubject: Hello from the lab\r\nMessage-ID: <e2e@remote.test>\r\n\r\nThe body.\r\n");
    expect(root.run(["sh", "-c", "doveadm save -u alice@mailfort.test < /tmp/message.eml && doveadm save -u bob@mailfort.test < /tmp/message.eml"]).status).toBe(0);
    t = {
      host: "mail.mailfort.test", address: SERVER_ADDRESS, domains: ["mailfort.test"], caPem: root.run(["cat", "/etc/ssl/mailfort/fullchain.pem"]).stdout,
      mailboxes: [], externalRecipient: "someone@remote.test", heloName: "client.remote.test",
      webmailAccounts: [ALICE, BOB], appPasswords: true,
      webmailStateFile: join(tmpdir(), `mailfort-webmail-e2e-${process.pid}.json`), screenshotDir: join(tmpdir(), `mailfort-webmail-e2e-${process.pid}`),
    };
  }, 30 * 60_000);
  afterAll(() => {
    stack?.stop();
    root?.dispose();
    // The enrolled keys and codes of this run; the screenshots stay for a look.
    for (const f of [t?.webmailStateFile, CAROL_STATE]) if (f) rmSync(f, { force: true });
  });

  it("webmail-https: redirect, headers, cookies, nothing but the entry point reachable", async () => {
    expect(await webmailHttpsCheck.run(t)).toMatch(/non-public paths answer 404/);
  }, 120_000);

  it("webmail-totp-enrol-browser: forced enrolment, then the inbox and the message, in Chromium", async () => {
    expect(await webmailEnrolCheck.run(t)).toMatch(/opened "Hello from the lab"/);
    expect(existsSync(join(t.screenshotDir ?? "", "webmail-inbox.png"))).toBe(true);
  }, 300_000);

  it("webmail-password-alone-no-mail: the password alone opens nothing, and the control sees the mailbox after the code", async () => {
    expect(await passwordAloneCheck.run(t)).toMatch(/^28 requests with a password-only session: \d+ redirect to it, \d+ 403 for AJAX; control: after enrolling the code/);
  }, 300_000);

  it("webmail-app-passwords: IMAP and SMTP refuse the mailbox password, take an app password, refuse it revoked", async () => {
    expect(await webmailAppPasswordCheck.run(t)).toMatch(/refused after revocation/);
  }, 400_000);

  it("webmail-replace-kept (same instance here): TOTP without re-enrolment, a recovery code, the kept app password", async () => {
    expect(await webmailReplaceCheck.run(t)).toMatch(/recovery code signs in; the app password made before still opens IMAP/);
  }, 400_000);

  it("webmail-session-hold on an account nobody enrolled yet (the benchmark's case): enrols, then keeps the mail view loaded", async () => {
    const fresh: VerifyTarget = { ...t, webmailAccounts: [CAROL], webmailStateFile: CAROL_STATE };
    expect(await webmailSessionCheck.run(fresh)).toMatch(/^signed in with the second factor \(enrolled first\); the inbox loaded \d+ times/);
    // The state it left lets the next session sign in without enrolling again.
    expect(await webmailSessionCheck.run(fresh)).toMatch(/^signed in with the second factor; the inbox loaded/);
  }, 400_000);

  it("fail2ban-regex: the roundcube-auth jail counts the wrong password and the wrong code Roundcube logged, not the sign-ins", async () => {
    const c = new WebClient(t, SERVER_ADDRESS);
    expect((await passwordLogin(c, ALICE.address, "wrong-password")).status).toBe(401);
    const ok = await passwordLogin(c, BOB.address, BOB.password);
    const page = await c.get(String(ok.headers.location).replace(/^https:\/\/[^/]+/, ""));
    await c.post("/?_task=login&_action=mailfort-totp", { _token: requestToken(page.body), _code: "000000" });
    // As the journal hands them to fail2ban: "<host> roundcube[pid]: <message>".
    const lines = stack.syslog().filter((l) => /roundcube: .*(Failed|Successful) /.test(l))
      .map((l) => l.replace(/^<\d+>([A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d) roundcube:/, "$1 mail roundcube[812]:"));
    writeFileSync(join(root.dir, "tmp/roundcube.log"), `${lines.join("\n")}\n`);
    const failed = lines.filter((l) => / Failed /.test(l)).length;
    expect(failed).toBeGreaterThanOrEqual(2);
    expect(lines.some((l) => /Failed second factor for bob@mailfort\.test from 10\.99\.15\.1 /.test(l))).toBe(true);
    const r = root.run(["fail2ban-regex", "/tmp/roundcube.log", "/etc/fail2ban/filter.d/roundcube-auth.conf"]);
    expect(r.stdout).toContain(`Lines: ${lines.length} lines, 0 ignored, ${failed} matched, ${lines.length - failed} missed`);
  }, 120_000);
});
