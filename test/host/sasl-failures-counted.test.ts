// Every failed SMTP AUTH must leave a line fail2ban counts. With the real Postfix and Dovecot in
// the Debian 13 root (lab stack, a network namespace), a guesser from one address tries wrong
// passwords on 587; Debian's own fail2ban filter for the postfix-sasl jail (fail2ban-regex, the
// filter the host's jail uses) must match one line per failure. The control: with Dovecot's auth
// penalty back on, its delays outlast Postfix's SASL wait, Postfix logs "Connection lost to
// authentication server", which the filter skips, and fewer failures count.
import { appendFileSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CheckerRoot, baseRoot, checkerUnavailable, prepareRoot } from "./checker-root";
import { loadStack } from "./stacks";

const unavailable = checkerUnavailable();
if (unavailable) console.warn(`SKIPPING SASL failure host tests: ${unavailable}`);

const SERVER = "10.9.9.1";
const GUESSER = "10.9.9.2";
/** Connections of the guesser; it tries AUTH twice on each (PLAIN, then LOGIN). */
const CONNECTIONS = 4;

const GUESS = `
import smtplib, ssl, time
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
for i in range(${CONNECTIONS}):
    s = smtplib.SMTP("${SERVER}", 587, source_address=("${GUESSER}", 0), timeout=60)
    s.ehlo("guesser"); s.starttls(context=ctx); s.ehlo("guesser")
    try:
        s.login("bob@mailfort.test", "not-the-password-%d" % i)
    except smtplib.SMTPException as e:
        print(repr(e))
    s.quit()
`;

describe.skipIf(Boolean(unavailable))("failed SMTP AUTH logins are lines fail2ban counts (Debian 13 root)", () => {
  let root: CheckerRoot;
  const sh = (script: string) => root.run(["sh", "-c", script]);
  /** Start both daemons in a fresh namespace, guess, stop; the lines fail2ban's postfix-sasl filter matches. */
  const guess = () => {
    sh("rm -f /var/log/mail.log");
    const r = root.run(["sh", "-c", [
      "ip link set lo up", `ip addr add ${SERVER}/32 dev lo`, `ip addr add ${GUESSER}/32 dev lo`,
      "mkdir -p /run/dovecot", "/usr/local/sbin/mailfort-boot postfix-owners", "dovecot", "postfix start", "sleep 1",
      "python3 /tmp/guess.py", "sleep 1", "postfix stop", "doveadm stop",
    ].join(" && ")], { netns: true });
    if (r.status !== 0) throw new Error(`guess run failed (${r.status}): ${r.stderr}${r.stdout}`);
    const matched = sh("fail2ban-regex --print-all-matched /var/log/mail.log 'postfix[mode=auth]'").stdout;
    const counted = Number(/^Lines: \d+ lines, \d+ ignored, (\d+) matched/m.exec(matched)?.[1] ?? "NaN");
    const log = readFileSync(join(root.dir, "var/log/mail.log"), "utf8");
    return { counted, failures: (log.match(/SASL (PLAIN|LOGIN) authentication failed/g) ?? []).length, lost: (log.match(/Connection lost to authentication server/g) ?? []).length };
  };

  beforeAll(() => {
    root = prepareRoot(baseRoot(), loadStack("lab"));
    // No Rspamd in the root; Postfix logs to a file for fail2ban-regex.
    for (const s of ["smtpd_milters =", "non_smtpd_milters =", "maillog_file = /var/log/mail.log"]) expect(root.run(["postconf", "-e", s]).status).toBe(0);
    writeFileSync(join(root.dir, "tmp/guess.py"), GUESS);
  }, 30 * 60_000);
  afterAll(() => root?.dispose());

  it("every failed AUTH is counted by the postfix-sasl filter; none is lost to a timeout", () => {
    const r = guess();
    expect(r).toEqual({ counted: 2 * CONNECTIONS, failures: 2 * CONNECTIONS, lost: 0 });
  }, 300_000);

  it("control: with Dovecot's auth penalty on, Postfix times out and fail2ban counts fewer", () => {
    const conf = join(root.dir, "etc/dovecot/dovecot.conf");
    const rendered = readFileSync(conf, "utf8");
    expect(rendered).toContain("anvil-auth-penalty");
    try {
      writeFileSync(conf, rendered.replace(/service anvil \{[^}]*\{[^}]*\}\s*\}\n/, ""));
      appendFileSync(conf, "");
      const r = guess();
      expect(r.lost).toBeGreaterThan(0);
      expect(r.counted).toBeLessThan(2 * CONNECTIONS);
    } finally {
      writeFileSync(conf, rendered);
    }
  }, 300_000);
});
