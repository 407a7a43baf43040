// How clients authenticate, as stack settings: app passwords on by default in prod only, and a
// declared (service) app password refused with its field path, problem and fix when it names no
// mailbox of the stack, repeats a name, has no secret, sits in plain text or is a weak hash; its
// hash key lives in the secret space like a mailbox's (never a setting, never shared).
import { describe, expect, it } from "vitest";
import { type Cfg, SECURE, edited, expectAccepted, expectRefused, setIn, title, type HostileCase } from "../support/hostile-stack";

const declare = (...entries: Cfg[]) => (c: Cfg) => setIn(c, "auth", "serviceAppPasswords", entries);
const backup = (extra: Cfg = {}): Cfg => ({ address: "alice@example.com", name: "backup-job", passwordHashSecret: "alice-backup", ...extra });
const withSecret = (key: string, value: unknown = SECURE) => (c: Cfg) => { c[`mailfort:${key}`] = value; };
const both = (...edits: Array<(c: Cfg) => void>) => (c: Cfg) => { for (const e of edits) e(c); };
const AT = "mailfort:auth.serviceAppPasswords[0]";

const CASES: readonly HostileCase[] = [
  { name: "app passwords on with no webmail and none declared", file: edited(both((c) => setIn(c, "features", "webmail", false), (c) => setIn(c, "auth", "appPasswords", true))), path: "mailfort:auth.appPasswords", problem: /no webmail to make app passwords in and none is declared/, fix: /turn features\.webmail on, declare auth\.serviceAppPasswords, or turn auth\.appPasswords off/ },
  { name: "a declared app password for an address that is no mailbox", file: edited(both(declare(backup({ address: "carol@example.com" })), withSecret("alice-backup"))), path: `${AT}.address`, problem: /carol@example\.com is not a mailbox of this stack/, fix: /mailfort:mailboxes/ },
  { name: "two declared app passwords of one mailbox with one name", file: edited(both(declare(backup(), backup({ passwordHashSecret: "alice-backup-2" })), withSecret("alice-backup"), withSecret("alice-backup-2"))), path: "mailfort:auth.serviceAppPasswords[1].name", problem: /already has an app password named backup-job/, fix: /its own name/ },
  { name: "a declared app password whose hash key is not set", file: edited(declare(backup())), path: `${AT}.passwordHashSecret`, problem: /refers to mailfort:alice-backup, which is not set/, fix: /pulumi config set --secret mailfort:alice-backup/ },
  { name: "a declared app password hash in plain text in prod", file: edited(both(declare(backup()), withSecret("alice-backup", "{BLF-CRYPT}$2b$10$7F3KnM4AkwlVFTgLk3vc2OPrJRpagN5eg0Bge88bHeHcoU0v2ziBy"))), path: "mailfort:alice-backup", problem: /holds an app password hash in plain text/, fix: /pulumi config set --secret mailfort:alice-backup/, neverShown: ["7F3KnM4AkwlVFTgLk3vc2OPrJRpagN5eg0Bge88bHeHcoU0v2ziBy"] },
  { name: "a weak declared app password hash in the lab, not shown", file: edited(both((c) => { c["mailfort:environment"] = "lab"; }, declare(backup()), withSecret("alice-backup", "{PLAIN}hunter2-hunter2"))), path: "mailfort:alice-backup", problem: /is not an ARGON2ID or BLF-CRYPT hash .*\(value not shown\)/, fix: /doveadm pw/, neverShown: ["hunter2-hunter2"] },
  { name: "a declared app password's hash key naming a setting", file: edited(declare(backup({ passwordHashSecret: "environment" }))), path: `${AT}.passwordHashSecret`, problem: /names the setting mailfort:environment/, fix: /e\.g\. alice-app-password/ },
  { name: "a declared app password sharing a mailbox's hash key", file: edited(declare(backup({ passwordHashSecret: "alice-password" }))), path: `${AT}.passwordHashSecret`, problem: /is the password hash key of mailfort:mailboxes\[0\]\.passwordHashSecret, but is used here for an app password hash$/, fix: /^keep app password hashes in keys of their own, e\.g\. alice-app-password$/ },
  { name: "a declared app password with a name that is no short name", file: edited(both(declare(backup({ name: "My Phone!" })), withSecret("alice-backup"))), path: `${AT}.name`, problem: /is not a short app password name/, fix: /e\.g\. backup-job/ },
];

describe("authentication settings", () => {
  it("prod turns app passwords and the webmail on by default; dev leaves app passwords off", () => {
    const prod = expectAccepted(edited(() => undefined)).config;
    expect(prod.auth).toMatchObject({ appPasswords: true, webmailTotp: "required", serviceAppPasswords: [] });
    expect(prod.features.webmail).toBe(true);
    expect(expectAccepted(edited((c) => { c["mailfort:environment"] = "dev"; })).config.auth.appPasswords).toBe(false);
  });

  it("a declared app password with its secret hash is accepted (the control for the table)", () => {
    const cfg = expectAccepted(edited(both(declare(backup()), withSecret("alice-backup")))).config;
    expect(cfg.auth.serviceAppPasswords).toEqual([backup()]);
  });

  it.each(CASES.map((c) => [title(c), c] as const))("refuses %s", async (_t, c) => {
    await expectRefused(c);
  });
});
