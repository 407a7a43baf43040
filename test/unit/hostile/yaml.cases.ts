// Files that attack the parser or the terminal: bombs, deep nesting, huge values, control
// characters, tags, several documents. Each is refused quickly with a message that quotes
// nothing dangerous.
import { type Cfg, type HostileCase, edited, goodConfig, stackText } from "../../support/hostile-stack";

const SOURCE = "<hostile config text>";
const atLine = new RegExp(`^${SOURCE.replace(/[<>]/g, "\\$&")} line \\d+, column \\d+$`);
const withLine = (line: string) => stackText(goodConfig()).replace("config:\n", `config:\n  ${line}\n`);
const HUGE = "a".repeat(100_000);

function aliasBomb(levels: number, fanout: number): string {
  let text = `a0: &a0 [${Array(fanout).fill("x").join(",")}]\n`;
  for (let i = 1; i < levels; i++) text += `a${i}: &a${i} [${Array(fanout).fill(`*a${i - 1}`).join(",")}]\n`;
  return `${text}${stackText(goodConfig())}`;
}

function doublingBomb(levels: number, base: string): string {
  let text = `b0: &b0 ${base}\n`;
  for (let i = 1; i < levels; i++) text += `b${i}: &b${i} [*b${i - 1}, *b${i - 1}]\n`;
  return `${text}${stackText(goodConfig())}`;
}

function blockNesting(depth: number): string {
  let text = "config:\n  mailfort:limits:\n";
  for (let i = 0; i < depth; i++) text += `${"  ".repeat(i + 2)}k${i}:\n`;
  return text;
}

export const YAML_CASES: readonly HostileCase[] = [
  { name: "an empty file", file: "", path: SOURCE, problem: /is empty \(no YAML document\)/, fix: /config:/ },
  { name: "a file of blank lines", file: "  \n\n   \n", path: SOURCE, problem: /is empty/, fix: /config:/ },
  { name: "a file of comments only", file: "# prod stack\n# TODO\n", path: SOURCE, problem: /is empty/, fix: /config:/ },
  { name: "a document marker only", file: "---\n", path: SOURCE, problem: /is an empty document/, fix: /start the file with `config:`/ },
  { name: "a list at the root", file: "- mailfort:region: eu-west-1\n", path: SOURCE, problem: /is not a mapping of key: value/, fix: /start the file with `config:`/ },
  { name: "a scalar at the root", file: "hello\n", path: SOURCE, problem: /is not a mapping/, fix: /config:/ },
  { name: "config as a list", file: "config:\n  - mailfort:region: eu-west-1\n", path: "config", problem: /is not a mapping of namespace:key: value/, fix: /under config:/ },
  { name: "a billion-laughs alias bomb (9 levels of 9)", file: aliasBomb(9, 9), path: atLine, problem: /uses more than 64 aliases/, fix: /neither deep nesting nor many aliases/ },
  { name: "a 7-level alias bomb under the alias limit (10^7 values)", file: aliasBomb(7, 10), path: SOURCE, problem: /expands to more than 250000 values/, fix: /write the values out/ },
  { name: "a doubling bomb within the alias limit (2^25 values)", file: doublingBomb(26, `[${Array(8).fill("x").join(",")}]`), path: SOURCE, problem: /expands to more than 250000 values once its YAML aliases are resolved/, fix: /write the values out/ },
  { name: "a doubling bomb of a long string", file: doublingBomb(6, "y".repeat(300_000)), path: SOURCE, problem: /expands to more than 4194304 characters/, fix: /write the values out/ },
  { name: "100,000 nested flow lists", file: `config: ${"[".repeat(100_000)}${"]".repeat(100_000)}\n`, path: atLine, problem: /collections are nested more than 16 deep/, fix: /neither deep nesting/ },
  { name: "deep flow mappings", file: `config: {mailfort:limits: ${"{a: ".repeat(5000)}1${"}".repeat(5000)}}\n`, path: atLine, problem: /nested more than 16 deep/, fix: /deep nesting/ },
  { name: "deep block mappings", file: blockNesting(40), path: atLine, problem: /nested more than 16 deep/, fix: /deep nesting/ },
  { name: "a 3 MB file", file: `${stackText(goodConfig())}# ${"x".repeat(3 * 1024 * 1024)}\n`, path: SOURCE, problem: /is 31\d{5} bytes, more than the 2097152 a stack file may be/, fix: /5,000 mailboxes fit/ },
  { name: "a raw NUL byte in a key", file: withLine("mailfort:lim\0its: {messageSizeMb: 10}"), path: atLine, problem: /contains a NUL or another non-printable character/, fix: /remove the control character/ },
  { name: "an escaped NUL in a key", file: withLine('"mailfort:lim\\0its": {messageSizeMb: 10}'), path: "mailfort:lim\\u{0}its", problem: /has a control or invisible character in its name/, fix: /retype the key/ },
  { name: "an ANSI escape in the hostname", file: withLine('mailfort:hostname: "\\e[31mmail.example.com"').replace("  mailfort:hostname: mail.example.com\n", ""), path: "mailfort:hostname", problem: /contains a control or invisible character/, fix: /no setting takes one/ },
  { name: "a bidi override in a domain name", file: edited((c: Cfg) => { (c["mailfort:domains"] as Cfg[])[0] = { name: "exa\u202emple.com" }; }), path: "mailfort:domains[0].name", problem: /bidi override/, fix: /remove it/ },
  { name: "a newline in a mailbox address", file: edited((c: Cfg) => { (c["mailfort:mailboxes"] as Cfg[])[0] = { address: "alice@example.com\nrelayhost = evil", passwordHashSecret: "alice-password" }; }), path: "mailfort:mailboxes[0].address", problem: /contains a control or invisible character \(e\.g\. a newline/, fix: /remove it/ },
  { name: "a 100 KB hostname is quoted capped", file: edited((c: Cfg) => { c["mailfort:hostname"] = HUGE; }), path: "mailfort:hostname", problem: /^"a{20,80}\.\.\." is not a valid lowercase domain name$/, fix: /dot-separated labels/, neverShown: ["a".repeat(200)] },
  { name: "a 100 KB key is named capped", file: edited((c: Cfg) => { c[`mailfort:${HUGE}`] = 1; }), path: /^mailfort:a{40,64}…$/, problem: /is not a known setting/, fix: /known here/, neverShown: ["a".repeat(200)] },
  { name: "a key twice", file: withLine("mailfort:hostname: mail.example.net"), path: atLine, problem: /a key appears twice in the same mapping/, fix: /keep one entry per key/ },
  { name: "two documents", file: `${stackText(goodConfig())}---\nconfig: {}\n`, path: SOURCE, problem: /holds more than one document/, fix: /fix the YAML/ },
  { name: "a !!binary tag", file: withLine("mailfort:backups: !!binary aGVsbG8="), path: atLine, problem: /uses a YAML tag .*that stack files do not allow/, fix: /remove the tag/ },
  { name: "a custom !foo tag", file: withLine("mailfort:backups: !foo bar"), path: atLine, problem: /uses a YAML tag/, fix: /remove the tag/ },
  { name: "a !!js/function tag", file: withLine("mailfort:backups: !!js/function 'function () { return 1 }'"), path: atLine, problem: /uses a YAML tag/, fix: /plain text, numbers, booleans/ },
  { name: "an unterminated quote", file: withLine('mailfort:backups: "never closed'), path: atLine, problem: /is not valid YAML/, fix: /fix the YAML at that line/ },
  { name: "a 251-character parked domain (whose names overflow DNS)", file: edited((c: Cfg) => { (c["mailfort:domains"] as Cfg[])[1] = { name: `${"p".repeat(60)}.${"q".repeat(60)}.${"r".repeat(60)}.${"s".repeat(63)}.org`, sendsMail: false }; }), path: "mailfort:domains[1].name", problem: /is 250 characters; mailfort publishes \*\._domainkey\.<domain> \(263 characters\), over DNS's 253/, fix: /use a domain of at most 240 characters/ },
  { name: "a 236-character mail domain (its SRV names overflow DNS)", file: edited((c: Cfg) => { c["mailfort:domains"] = [{ name: "example.com" }, { name: `${"d".repeat(63)}.${"e".repeat(63)}.${"f".repeat(63)}.${"g".repeat(40)}.com` }]; }), path: "mailfort:domains[1].name", problem: /is 236 characters; mailfort publishes _autodiscover\._tcp\.<domain> \(255 characters\)/, fix: /use a domain of at most 234 characters \(or a shorter dkimSelector\)/ },
];

