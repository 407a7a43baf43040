// Hostile secret references and secrets that must never be printed. A reference that named a
// setting used to delete that setting (`passwordSecret: environment` turned a prod stack into dev).
import { type Cfg, type HostileCase, SECURE, edited, setIn } from "../../support/hostile-stack";

const REF = "mailfort:mailboxes[0].passwordHashSecret";
const hashRef = (key: string) => (c: Cfg) => {
  (c["mailfort:mailboxes"] as Cfg[])[0] = { address: "alice@example.com", passwordHashSecret: key };
};
export const verifyRef = (key: string, enabled: boolean) => (c: Cfg) => {
  c["mailfort:verifyAfterDeploy"] = { enabled, mailboxes: [{ address: "alice@example.com", passwordSecret: key }] };
};
export const namesSetting = /names the setting mailfort:\w+; a secret reference must name a key of its own/;
export const dedicatedKey = /name a dedicated key, e\.g\. alice-(verify-)?password, and set it: pulumi config set --secret/;

export const SECRET_REF_CASES: readonly HostileCase[] = [
  ...["environment", "antispam", "region", "hostname", "limits", "policy", "bruteForce", "domains"].map((setting): HostileCase => ({
    name: `a mailbox hash reference naming the setting ${setting}`, file: edited(hashRef(setting)), path: REF, problem: namesSetting, fix: dedicatedKey,
  })),
  { name: "a disabled verify block naming the setting environment", file: edited(verifyRef("environment", false)), path: "mailfort:verifyAfterDeploy.mailboxes[0].passwordSecret", problem: namesSetting, fix: dedicatedKey },
  { name: "an enabled verify block naming the setting alarmEmail", file: edited(verifyRef("alarmEmail", true)), path: "mailfort:verifyAfterDeploy.mailboxes[0].passwordSecret", problem: /names the setting mailfort:alarmEmail/, fix: dedicatedKey },
  { name: "a hash reference to a key that is not set", file: edited(hashRef("carol-password")), path: REF, problem: /refers to mailfort:carol-password, which is not set/, fix: /pulumi config set --secret mailfort:carol-password/ },
  { name: "two mailboxes sharing one hash key", file: edited((c) => { (c["mailfort:mailboxes"] as Cfg[])[1] = { address: "bob@example.com", passwordHashSecret: "alice-password" }; }), path: "mailfort:mailboxes[1].passwordHashSecret", problem: /already the password hash key of mailfort:mailboxes\[0\]\.passwordHashSecret; two accounts would share one secret/, fix: /give each its own key, e\.g\. bob-password/ },
  { name: "a verify password key that is a mailbox's hash key", file: edited(verifyRef("alice-password", true)), path: "mailfort:verifyAfterDeploy.mailboxes[0].passwordSecret", problem: /is the password hash key of .*but is used here for a mailbox password/, fix: /keep mailbox passwords in keys of their own/ },
  { name: "a setting stored encrypted (alarmEmail)", file: edited((c) => { c["mailfort:alarmEmail"] = SECURE; }), path: "mailfort:alarmEmail", problem: /is a setting stored as a secret; .*\(value not shown\)/, fix: /store it in plain text: pulumi config set mailfort:alarmEmail/ },
  { name: "a required setting stored encrypted (hostname) is not also called missing", file: edited((c) => { c["mailfort:hostname"] = SECURE; }), path: "mailfort:hostname", problem: /is a setting stored as a secret/, fix: /plain text/ },
  { name: "an encrypted value inside a setting", file: edited((c) => setIn(c, "tls", "acmeEmail", SECURE)), path: "mailfort:tls.acmeEmail", problem: /holds an encrypted \(secure:\) value, but mailfort settings are plain text/, fix: /plain text/ },
  { name: "a leftover secret no mailbox refers to", file: edited((c) => { c["mailfort:carol-password"] = SECURE; }), path: "mailfort:carol-password", problem: /is a secret that no mailbox refers to/, fix: /pulumi config rm mailfort:carol-password/ },
  { name: "a misspelled setting set with --secret", file: edited((c) => { c["mailfort:alarmEmial"] = SECURE; }), path: "mailfort:alarmEmial", problem: /is a secret that no mailbox refers to/, fix: /did you mean alarmEmail\?/ },
  { name: "a password hash in plain text outside the lab", file: edited((c) => { c["mailfort:alice-password"] = "{BLF-CRYPT}$2b$10$7F3KnM4AkwlVFTgLk3vc2OPrJRpagN5eg0Bge88bHeHcoU0v2ziBy"; }), path: "mailfort:alice-password", problem: /holds a password hash in plain text/, fix: /pulumi config set --secret mailfort:alice-password/, neverShown: ["7F3KnM4AkwlVFTgLk3vc2OPrJRpagN5eg0Bge88bHeHcoU0v2ziBy"] },
  { name: "a weak hash in the lab is refused without being shown", file: edited((c) => { c["mailfort:environment"] = "lab"; c["mailfort:alice-password"] = "{PLAIN}correct-horse-battery"; }), path: "mailfort:alice-password", problem: /is not an ARGON2ID or BLF-CRYPT hash .*\(value not shown\)/, fix: /doveadm pw -s ARGON2ID/, neverShown: ["correct-horse-battery"] },
  { name: "a malformed secure mapping (two keys)", file: edited((c) => { c["mailfort:alice-password"] = { secure: "v1:a:b", note: "x" }; }), path: "mailfort:alice-password", problem: /malformed secure value/, fix: /pulumi config set --secret mailfort:alice-password/ },
  { name: "a secure mapping that holds no text", file: edited((c) => { c["mailfort:alice-password"] = { secure: 42 }; }), path: "mailfort:alice-password", problem: /malformed secure value/, fix: /pulumi config set --secret/ },
];

