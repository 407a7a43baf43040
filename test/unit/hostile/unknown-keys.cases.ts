// Typos and keys nothing reads: a misspelled namespace or setting used to be ignored (no
// limits, no alarms); a prototype key applied its values to every setting.
import { type Cfg, type HostileCase, edited, goodConfig, setIn, stackText } from "../../support/hostile-stack";

const withKey = (key: string, value: unknown) => edited((c: Cfg) => { c[key] = value; });
const nested = (setting: string, key: string, value: unknown) => edited((c: Cfg) => setIn(c, setting, key, value));
const raw = (line: string) => stackText(goodConfig()).replace("config:\n", `config:\n  ${line}\n`);
const unknown = /is not a known setting \(it would be ignored\)/;
const otherNamespace = /is in namespace \S+, which nothing in this program reads/;

export const UNKNOWN_KEY_CASES: readonly HostileCase[] = [
  { name: "a misspelled namespace (mailfrot:limits)", file: withKey("mailfrot:limits", { messageSizeMb: 10 }), path: "mailfrot:limits", problem: otherNamespace, fix: /did you mean mailfort:limits\?/ },
  { name: "a namespace in the wrong case (mailFort:)", file: withKey("mailFort:alarmEmail", "ops@example.net"), path: "mailFort:alarmEmail", problem: otherNamespace, fix: /did you mean mailfort:alarmEmail\?/ },
  { name: "a hyphenated namespace (mail-fort:)", file: withKey("mail-fort:limits", { messageSizeMb: 10 }), path: "mail-fort:limits", problem: otherNamespace, fix: /did you mean mailfort:limits\?/ },
  { name: "a foreign namespace nothing reads", file: withKey("myproject:owner", "ops"), path: "myproject:owner", problem: otherNamespace, fix: /mailfort's settings live under mailfort:/ },
  { name: "a key without a namespace", file: withKey("alarmEmail", "ops@example.net"), path: "alarmEmail", problem: /has no namespace, so nothing reads it/, fix: /write it as mailfort:alarmEmail/ },
  { name: "a misspelled setting (alarmEmial)", file: withKey("mailfort:alarmEmial", "ops@example.net"), path: "mailfort:alarmEmial", problem: unknown, fix: /did you mean alarmEmail\?/ },
  { name: "a setting in snake case (alarm_email)", file: withKey("mailfort:alarm_email", "ops@example.net"), path: "mailfort:alarm_email", problem: unknown, fix: /did you mean alarmEmail\?/ },
  { name: "a transposed setting (hostnmae)", file: withKey("mailfort:hostnmae", "mail.example.com"), path: "mailfort:hostnmae", problem: unknown, fix: /did you mean hostname\?/ },
  { name: "a dotted key for a nested setting", file: withKey("mailfort:limits.messageSizeMb", 10), path: "mailfort:limits.messageSizeMb", problem: unknown, fix: /write it as a mapping under mailfort:limits/ },
  { name: "a misspelled nested setting (mesageSizeMb)", file: nested("limits", "mesageSizeMb", 10), path: "mailfort:limits.mesageSizeMb", problem: unknown, fix: /did you mean messageSizeMb\?/ },
  { name: "a misspelled domain setting (dmark)", file: edited((c) => { (c["mailfort:domains"] as Cfg[])[0] = { name: "example.com", dmark: { policy: "none" } }; }), path: "mailfort:domains[0].dmark", problem: unknown, fix: /did you mean dmarc\?/ },
  { name: "a singular list name (antispam.dnsbl)", file: nested("antispam", "dnsbl", []), path: "mailfort:antispam.dnsbl", problem: unknown, fix: /did you mean dnsbls\?/ },
  { name: "a wrongly cased list name (ignoreIP)", file: nested("bruteForce", "ignoreIP", ["192.0.2.1"]), path: "mailfort:bruteForce.ignoreIP", problem: unknown, fix: /did you mean ignoreIps\?/ },
  { name: "a misspelled relaxation field (reasn)", file: nested("policy", "relax", [{ id: "dns-spf", reasn: "legacy sender" }]), path: "mailfort:policy.relax[0].reasn", problem: unknown, fix: /did you mean reason\?/ },
  { name: "a misspelled verify switch (enable)", file: nested("verifyAfterDeploy", "enable", true), path: "mailfort:verifyAfterDeploy.enable", problem: unknown, fix: /did you mean enabled\?/ },
  { name: "mailfort:__proto__ carrying limits", file: raw("mailfort:__proto__: {limits: {messageSizeMb: 99}}"), path: "mailfort:__proto__", problem: /is a JavaScript prototype name, not a setting/, fix: /remove it/ },
  { name: "mailfort:constructor", file: raw("mailfort:constructor: {name: x}"), path: "mailfort:constructor", problem: /prototype name/, fix: /remove it/ },
  { name: "__proto__ inside limits", file: raw("mailfort:limits: {__proto__: {messageSizeMb: 99}}"), path: "mailfort:limits.__proto__", problem: /prototype name/, fix: /remove it/ },
  { name: "constructor inside a domain", file: edited((c) => { (c["mailfort:domains"] as Cfg[])[0] = { name: "example.com", constructor: "x" }; }), path: "mailfort:domains[0].constructor", problem: /prototype name/, fix: /remove it/ },
  { name: "a bare __proto__ config key", file: raw("__proto__: {polluted: true}"), path: "__proto__", problem: /has no namespace/, fix: /namespace:key/ },
  { name: "a YAML merge key inside a setting", file: raw("mailfort:limits: {<<: {messageSizeMb: 10}}"), path: "mailfort:limits.<<", problem: /is a YAML merge key, which stack files do not support/, fix: /write the merged settings out/ },
  { name: "a config key at the top level of the file", file: `mailfort:alarmEmail: ops@example.net\n${stackText(goodConfig())}`, path: "mailfort:alarmEmail", problem: /is a config key written at the top level of the file/, fix: /indent it under config:/ },
  { name: "a misspelled top-level key (confg)", file: stackText(goodConfig()).replace(/^config:/, "confg:"), path: "confg", problem: /is not a key of a Pulumi stack file/, fix: /did you mean config\?/ },
  { name: "a misspelled AWS provider key", file: withKey("aws:regoin", "eu-west-1"), path: "aws:regoin", problem: /is not a setting of the aws provider/, fix: /did you mean region\?/ },
  { name: "a misspelled TLS provider key", file: withKey("tls:proxi", { url: "http://proxy" }), path: "tls:proxi", problem: /is not a setting of the tls provider/, fix: /did you mean proxy\?/ },
  { name: "a key for a provider that reads none", file: withKey("command:shell", "/bin/sh"), path: "command:shell", problem: /is not a setting of the command provider/, fix: /remove it: the command provider reads no settings/ },
];
