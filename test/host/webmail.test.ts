// The webmail's parts, checked by the real Debian 13 programs in the trixie root: php-cli parses
// every plugin file and runs the TOTP verifier against RFC 6238's test vectors; PHP-FPM accepts
// its pool; Roundcube's own database layer holds the sealed second factors; and a running Dovecot
// with the app-password passdb decides who may sign in from where (doveadm auth test, with the
// client addresses IMAP and Postfix would pass).
import { type ChildProcess, spawn } from "node:child_process";
import { copyFileSync, mkdirSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { MailConfig } from "../../infra/config";
import { type CheckerRoot, SEED_APP_PASSWORD, SEED_MAILBOX_PASSWORD, baseRoot, checkerUnavailable, prepareRoot } from "./checker-root";
import { loadStack } from "./stacks";

const unavailable = checkerUnavailable();
if (unavailable && process.env.CI === "true") throw new Error(`webmail checker tests cannot run in CI: ${unavailable}`);

/** The lab stack with app passwords on and one declared (service) app password. */
function webmailStack(): MailConfig {
  const lab = loadStack("lab");
  return { ...lab, auth: { ...lab.auth, appPasswords: true, serviceAppPasswords: [{ address: "bob@mailfort.test", name: "backup-job", passwordHashSecret: "bob-backup" }] } };
}
const SEED_PASSWORD = SEED_MAILBOX_PASSWORD;
const PLUGINS = "/var/lib/roundcube/plugins";

/** RFC 6238 Appendix B: time, hash -> 8-digit TOTP. */
const RFC6238: Record<string, string> = {
  "59 sha1": "94287082", "59 sha256": "46119246", "59 sha512": "90693936",
  "1111111109 sha1": "07081804", "1111111109 sha256": "68084774", "1111111109 sha512": "25091201",
  "1111111111 sha1": "14050471", "1111111111 sha256": "67062674", "1111111111 sha512": "99943326",
  "1234567890 sha1": "89005924", "1234567890 sha256": "91819424", "1234567890 sha512": "93441116",
  "2000000000 sha1": "69279037", "2000000000 sha256": "90698825", "2000000000 sha512": "38618901",
  "20000000000 sha1": "65353130", "20000000000 sha256": "77737706", "20000000000 sha512": "47863826",
};

describe.skipIf(Boolean(unavailable))("the webmail in the Debian 13 root", () => {
  let root: CheckerRoot;
  const cfg = webmailStack();
  const php = (script: string, ...args: string[]) => {
    const r = root.run(["runuser", "-u", "www-data", "--", "php", `/tmp/php/${script}`, ...args]);
    if (r.status !== 0 || r.stderr !== "") throw new Error(`php ${script} ${args.join(" ")}: exit ${r.status}\n${r.stderr}${r.stdout}`);
    return r.stdout;
  };
  beforeAll(() => {
    root = prepareRoot(baseRoot(), cfg);
    mkdirSync(join(root.dir, "tmp/php"), { recursive: true });
    for (const f of readdirSync(join(__dirname, "php"))) copyFileSync(join(__dirname, "php", f), join(root.dir, "tmp/php", f));
    for (const step of [["install", "-d", "-o", "www-data", "-g", "www-data", "-m", "0750", "/srv/mailfort/webmail", "/srv/mailfort/webmail/app-passwords"],
      ["/usr/local/sbin/mailfort-boot", "webmail-database"]]) {
      const r = root.run(step);
      if (r.status !== 0) throw new Error(`${step.join(" ")}: ${r.stderr}${r.stdout}`);
    }
  }, 30 * 60_000);
  afterAll(() => root?.dispose());

  it("php -l: every plugin file parses with PHP 8.4", () => {
    const files = root.run(["find", PLUGINS + "/mailfort_totp", PLUGINS + "/mailfort_app_passwords", "-name", "*.php", "-o", "-name", "*.inc"]).stdout.trim().split("\n");
    expect(files.length).toBeGreaterThanOrEqual(6);
    for (const f of files) expect(root.run(["php", "-l", f]), f).toMatchObject({ status: 0, stdout: expect.stringContaining("No syntax errors") });
  });

  it("php-fpm -t: the on-demand pool is valid, and it is the only pool", () => {
    const r = root.run(["php-fpm8.4", "-t"]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain("test is successful");
    expect(root.run(["ls", "/etc/php/8.4/fpm/pool.d"]).stdout).toBe("www.conf\n");
    const pool = root.run(["php-fpm8.4", "-tt"]).stderr;
    expect(pool).toMatch(/\[webmail\]/);
    expect(pool).toMatch(/pm = ondemand/);
  });

  it("the TOTP verifier computes RFC 6238's test vectors and keeps its window and replay rules", () => {
    const out = JSON.parse(php("totp-cases.php")) as Record<string, unknown>;
    expect(out.vectors).toEqual(RFC6238);
    expect(out).toMatchObject({ now: true, previous: true, next: true, two_steps_old: null, two_steps_ahead: null, replayed: null, older_than_used: null, newer_than_used: true, other_key: null });
    expect(out.malformed).toEqual([null, null, null, null, null, null, null]);
    expect(out).toMatchObject({ base32_roundtrip: true, base32_forgiving: true, base32_invalid: [null, null], rfc4648: "MZXW6YTBOI" });
    expect(out.uri).toBe("otpauth://totp/mail.example.com%20webmail:alice%40example.com?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=mail.example.com%20webmail&algorithm=SHA1&digits=6&period=30");
  });

  it("the webmail's database is on the data volume, made by the boot script, readable by PHP only", () => {
    expect(root.run(["stat", "-c", "%U:%G %a", "/srv/mailfort/webmail/roundcube.sqlite", "/etc/roundcube/mailfort-secrets.inc.php"]).stdout)
      .toBe("www-data:www-data 640\nroot:www-data 640\n");
    expect(root.run(["sqlite3", "/srv/mailfort/webmail/roundcube.sqlite", "SELECT value FROM system WHERE name = 'roundcube-version'"]).stdout).toMatch(/^\d{10}\n$/);
    // A second run (every later boot) changes nothing.
    expect(root.run(["/usr/local/sbin/mailfort-boot", "webmail-database"])).toMatchObject({ status: 0, stderr: "" });
  });

  it("second factors are sealed: nothing secret in the database file, a stale or copied record is refused", () => {
    const out = JSON.parse(php("totp-store-cases.php")) as Record<string, unknown>;
    expect(out.codes).toHaveLength(10);
    for (const c of out.codes as string[]) expect(c).toMatch(/^[a-z2-7]{4}-[a-z2-7]{4}$/);
    expect(out).toMatchObject({ secret_back: true, last_step: 1000, recovery_hashes: 10, recovery_matches: true, leaks: [], first_swap: true, stale_swap: false, after_swaps: 1001, not_enrolled: null });
    expect(out.copied_to_user_2).toMatch(/does not decrypt/);
    expect(out.other_des_key).toMatch(/does not decrypt/);
  });

  it("app passwords: generated, named, hashed (never stored), limited, revocable; hostile addresses refused", () => {
    const out = JSON.parse(php("app-password-cases.php")) as Record<string, unknown>;
    expect(out).toMatchObject({ formats: [1], ids_unique: true, listed: 20, never_used: [null], plain_in_file: [], hashes: 20, mode: "640", revoked: true, revoked_again: false, after_revoke: 19, control_name: true });
    expect(out.names).toEqual(Array.from({ length: 20 }, (_, i) => `device ${i}`));
    expect(out.over_limit).toMatch(/at most 20 app passwords/);
    expect(out.empty_name).toMatch(/a name of 1 to 40 characters/);
    expect(out.long_name).toMatch(/a name of 1 to 40 characters/);
    expect(out.hostile_addresses).toEqual([true, true, true, true, true, true, true]);
  });

  describe("a running Dovecot with the app-password passdb", () => {
    let dovecot: ChildProcess;
    /** doveadm auth test as IMAP (or Postfix's SASL) would ask, from a client address. */
    const auth = (user: string, password: string, rip: string, service = "imap") =>
      root.run(["doveadm", "auth", "test", "-x", `service=${service}`, "-x", `rip=${rip}`, "-x", "lip=10.77.0.10", user, password]);
    const ok = (r: { status: number; stdout: string }) => r.status === 0 && /auth succeeded/.test(r.stdout);
    // A new outside address per case, so no case sees another's failures.
    let n = 0;
    const outside = () => `198.51.100.${++n}`;
    beforeAll(async () => {
      // Postfix makes its private socket directory when it starts; Dovecot puts its sockets there.
      root.run(["mkdir", "-p", "/var/spool/postfix/private"]);
      dovecot = spawn("unshare", ["-n", "chroot", root.dir, "/usr/sbin/dovecot", "-F"], { stdio: "ignore" });
      for (let i = 0; i < 50 && root.run(["test", "-S", "/run/dovecot/auth-client"]).status !== 0; i++) await new Promise((r) => setTimeout(r, 200));
    }, 30_000);
    afterAll(() => { dovecot?.kill(); });

    it("the mailbox password: accepted from the host itself (the webmail), refused from anywhere else", () => {
      expect(ok(auth("alice@mailfort.test", SEED_PASSWORD, "127.0.0.1"))).toBe(true);
      expect(ok(auth("alice@mailfort.test", SEED_PASSWORD, "::1"))).toBe(true);
      for (const [rip, service] of [[outside(), "imap"], [outside(), "pop3"], [outside(), "smtp"], ["10.77.0.10", "imap"]] as const) {
        const r = auth("alice@mailfort.test", SEED_PASSWORD, rip, service);
        expect(ok(r), `${service} from ${rip}: ${r.stdout}${r.stderr}`).toBe(false);
      }
    });

    it("password guessing from one address: every guess answered within Postfix's 10 s wait, so every one is counted (the auth penalty is off)", () => {
      // Dovecot's penalty would hold the 4th guess 15 s (after 2, 4 and 8 s): Postfix's SASL client
      // gives up after 10 s with a 454 that fail2ban does not count (configs/dovecot/dovecot.conf).
      expect(root.run(["doveconf", "-h", "service/anvil/unix_listener/anvil-auth-penalty/mode"]).stdout.trim()).toBe("0");
      const guesser = outside();
      const seconds: number[] = [];
      for (let i = 0; i < 6; i++) {
        const started = Date.now();
        const r = auth("alice@mailfort.test", `wrong-${i}`, guesser, "smtp");
        seconds.push((Date.now() - started) / 1000);
        expect(ok(r), r.stdout).toBe(false);
        expect(r.stdout + r.stderr).toMatch(/auth failed/);
      }
      // auth_failure_delay (2 s) each; with the penalty the 4th to 6th took 17 s each.
      expect(Math.max(...seconds), seconds.join(", ")).toBeLessThan(9);
      // The master made no listener for it (a leftover socket would have the auth process log errors).
      expect(root.run(["test", "-e", "/run/dovecot/anvil-auth-penalty"]).status).not.toBe(0);
    }, 120_000);

    it("an app password made in the webmail: accepted from anywhere, its use noted, refused once revoked", () => {
      const password = php("app-password-cases.php", "create", "alice@mailfort.test", "Alice's phone");
      expect(password).toMatch(/^[a-z2-9]{4}(-[a-z2-9]{4}){4}$/);
      for (const service of ["imap", "pop3", "smtp"]) expect(ok(auth("alice@mailfort.test", password, outside(), service)), service).toBe(true);
      const listed = JSON.parse(php("app-password-cases.php", "list", "alice@mailfort.test")) as Record<string, { name: string; last_used: number | null }>;
      const id = password.slice(0, 4);
      expect(listed[id]?.name).toBe("Alice's phone");
      expect(Math.abs((listed[id]?.last_used ?? 0) - Date.now() / 1000)).toBeLessThan(120);
      // Not bob's, not with a changed character, not as its id alone.
      expect(ok(auth("bob@mailfort.test", password, outside()))).toBe(false);
      expect(ok(auth("alice@mailfort.test", `${password.slice(0, -1)}${password.endsWith("a") ? "b" : "a"}`, outside()))).toBe(false);
      expect(ok(auth("alice@mailfort.test", `${id}-`, outside()))).toBe(false);
      expect(php("app-password-cases.php", "revoke", "alice@mailfort.test", id)).toBe("true");
      expect(ok(auth("alice@mailfort.test", password, outside()))).toBe(false);
    });

    it("an app password declared in the stack (hash from SSM) works for its mailbox only", () => {
      expect(root.run(["cat", "/etc/dovecot/app-passwords"]).stdout).toMatch(/^bob@mailfort\.test\tbackup-job\t\{BLF-CRYPT\}\S+\n$/);
      expect(ok(auth("bob@mailfort.test", SEED_APP_PASSWORD, outside(), "smtp"))).toBe(true);
      expect(ok(auth("bob@mailfort.test", SEED_APP_PASSWORD, outside(), "imap"))).toBe(true);
      // Bob's mailbox password stays refused from outside; the declared password opens no other mailbox.
      expect(ok(auth("bob@mailfort.test", SEED_PASSWORD, outside(), "smtp"))).toBe(false);
      expect(ok(auth("carol@second.test", SEED_APP_PASSWORD, outside()))).toBe(false);
      expect(ok(auth("alice@mailfort.test", SEED_APP_PASSWORD, outside()))).toBe(false);
    });

    it("hostile user names never reach a file outside the app-password tree", () => {
      for (const user of ["../../../etc/shadow@x.test", "alice@mailfort.test/../bob", "alice@..", "a/b@mailfort.test", ".alice@mailfort.test"]) {
        expect(ok(auth(user, SEED_PASSWORD, outside())), user).toBe(false);
      }
    });
  });
});
