// Wrong types: each says what was expected and what was given (they all used to read "is
// required but missing").
import { type Cfg, type HostileCase, edited, goodConfig, setIn, stackText } from "../../support/hostile-stack";

const limit = (value: unknown) => edited((c: Cfg) => setIn(c, "limits", "messageSizeMb", value));
const raw = (line: string) => stackText(goodConfig()).replace("config:\n", `config:\n  ${line}\n`);
const SIZE = "mailfort:limits.messageSizeMb";

export const TYPE_CASES: readonly HostileCase[] = [
  { name: "a size with a unit (25MB)", file: limit("25MB"), path: SIZE, problem: /must be a number, but is the text "25MB"/, fix: /write the number alone, without a unit: 25/ },
  { name: "a size with a spaced unit (10 MiB)", file: limit("10 MiB"), path: SIZE, problem: /but is the text "10 MiB"/, fix: /without a unit: 10/ },
  { name: "an infinite size (.inf)", file: raw("mailfort:limits: {messageSizeMb: .inf}"), path: SIZE, problem: /must be a number, but is the text "\.inf"/, fix: /write a finite number/ },
  { name: "a negative infinite size (-.inf)", file: raw("mailfort:limits: {messageSizeMb: -.inf}"), path: SIZE, problem: /"-\.inf"/, fix: /finite number/ },
  { name: "a NaN size (.nan)", file: raw("mailfort:limits: {messageSizeMb: .nan}"), path: SIZE, problem: /"\.nan"/, fix: /finite number/ },
  { name: "a size too large for a double (1e400, which YAML reads as text)", file: raw("mailfort:limits: {messageSizeMb: 1e400}"), path: SIZE, problem: /but is the text "1e400"/, fix: /write a number/ },
  { name: "a size as a list", file: limit([25]), path: SIZE, problem: /must be a number, but is a list of 1 item/, fix: /write a number/ },
  { name: "a size as a mapping", file: limit({ mb: 25 }), path: SIZE, problem: /must be a number, but is a mapping \(mb\)/, fix: /write a number/ },
  { name: "a size as a word", file: limit("twenty"), path: SIZE, problem: /but is the text "twenty"/, fix: /write a number, e\.g\. 25/ },
  { name: "a size left empty", file: raw("mailfort:limits: {messageSizeMb: }"), path: SIZE, problem: /must be a number, but is empty \(null\)/, fix: /write a number/ },
  { name: "a fractional connection rate", file: edited((c) => setIn(c, "limits", "connectionsPerMinute", 2.5)), path: "mailfort:limits.connectionsPerMinute", problem: /must be a whole number, but is the number 2\.5/, fix: /write a whole number, e\.g\. 3/ },
  { name: "a boolean written no", file: edited((c) => setIn(c, "features", "pop3", "no")), path: "mailfort:features.pop3", problem: /must be true or false, but is the text "no"/, fix: /YAML 1\.2 reads "no" as text/ },
  { name: "a boolean written yes", file: raw("mailfort:features: {ipv6: yes}"), path: "mailfort:features.ipv6", problem: /must be true or false, but is the text "yes"/, fix: /write true or false/ },
  { name: "a boolean written as a quoted false", file: edited((c) => { (c["mailfort:domains"] as Cfg[])[1] = { name: "example.org", sendsMail: "false" }; }), path: "mailfort:domains[1].sendsMail", problem: /must be true or false, but is the text "false"/, fix: /write true or false/ },
  { name: "domains as one text", file: edited((c) => { c["mailfort:domains"] = "example.com, example.org"; }), path: "mailfort:domains", problem: /must be a list, but is the text "example\.com, example\.org"/, fix: /write a list, e\.g\. \["example\.com, example\.org"\]/ },
  { name: "mailboxes as a mapping", file: edited((c) => { c["mailfort:mailboxes"] = { alice: "alice@example.com" }; }), path: "mailfort:mailboxes", problem: /must be a list, but is a mapping \(alice\)/, fix: /write a list/ },
  { name: "limits as a number", file: edited((c) => { c["mailfort:limits"] = 25; }), path: "mailfort:limits", problem: /must be a mapping of settings, but is the number 25/, fix: /indented key: value lines/ },
  { name: "tls as a word", file: edited((c) => { c["mailfort:tls"] = "acme"; }), path: "mailfort:tls", problem: /must be a mapping of settings, but is the text "acme"/, fix: /not a single value/ },
  { name: "region as a list", file: edited((c) => { c["mailfort:region"] = ["eu-west-1"]; }), path: "mailfort:region", problem: /must be text, but is a list of 1 item/, fix: /write text here/ },
  { name: "hostname as a number", file: edited((c) => { c["mailfort:hostname"] = 25; }), path: "mailfort:hostname", problem: /must be text, but is the number 25/, fix: /quote it if you meant text: "25"/ },
  { name: "environment as a number", file: edited((c) => { c["mailfort:environment"] = 5; }), path: "mailfort:environment", problem: /must be one of "dev", "staging", "prod", "lab", but is the number 5/, fix: /pick one of those values/ },
  { name: "environment misspelled", file: edited((c) => { c["mailfort:environment"] = "prdo"; }), path: "mailfort:environment", problem: /but is the text "prdo"/, fix: /did you mean prod\?/ },
  { name: "a DMARC policy as a boolean", file: edited((c) => { (c["mailfort:domains"] as Cfg[])[0] = { name: "example.com", dmarc: { policy: true } }; }), path: "mailfort:domains[0].dmarc.policy", problem: /must be one of "none", "quarantine", "reject", but is true/, fix: /pick one/ },
  { name: "a DKIM selector as a number", file: edited((c) => { (c["mailfort:domains"] as Cfg[])[0] = { name: "example.com", dkimSelector: 2026 }; }), path: "mailfort:domains[0].dkimSelector", problem: /must be text, but is the number 2026/, fix: /quote it/ },
  { name: "only aws:region set (mailfort:region shadowed)", file: edited((c) => { delete c["mailfort:region"]; }), path: "mailfort:region", problem: /is required but missing \(aws:region is set, but it configures only the default AWS provider/, fix: /add mailfort:region: "eu-west-1"/ },
  { name: "a required key left out", file: edited((c) => { delete c["mailfort:hostname"]; }), path: "mailfort:hostname", problem: /is required but missing/, fix: /set it in the stack file/ },
];
