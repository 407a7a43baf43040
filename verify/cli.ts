// verify's command line: the options verify/contract.ts builds, parsed back into a target and a
// selection of checks. tools/verify.ts is the entry point; this module is what it runs.
import { readFileSync, writeFileSync } from "node:fs";
import { Command, CommanderError } from "commander";
import { GROUPS, type Group, tally, tallyText } from "./contract";
import { checksFor, formatResult, runChecks } from "./suite";
import type { Check, ExpectedRecord, Mailbox, VerifyTarget } from "./types";

const collect = (v: string, prev: string[]) => [...prev, v];

function verifyCommand(): Command {
  return new Command("verify")
    .description("verify a running mailfort server from the outside")
    .requiredOption("--host <name>", "the mail server's hostname (MX target, certificate name)")
    .requiredOption("--domain <domain>", "a mail domain it serves (repeatable)", collect, [] as string[])
    .option("--address <ip>", "connect to this address instead of resolving --host")
    .option("--ca <pem-file>", "trust this CA for the server certificate (the lab CA)")
    .option("--resolver <ip>", "DNS server to ask (repeatable; default: the system's)", collect, [] as string[])
    .option("--records <synth.json>", "synth output whose records the DNS must serve")
    .option("--mailbox <address:password>", "a test mailbox (repeatable; two enable the send-as check)", collect, [] as string[])
    .option("--mailbox-env <var>", "like --mailbox, read address:password from this environment variable (keeps the password off the command line; repeatable)", collect, [] as string[])
    .option("--external <address>", "an address outside the server's domains for the relay tests", "relaytest@relay-target.invalid")
    .option("--helo <name>", "the name this client greets with", "verify.invalid")
    .option("--source-address <ip>", "a local address the hostile checks may send from (repeatable; spreads floods and relay tricks so fail2ban does not stop the battery)", collect, [] as string[])
    .option("--remote-maildir <dir>", "maildir where a remote MX stores mail (lab)")
    .option("--remote-recipient <address>", "recipient on that remote MX (lab)")
    .option("--max-size-mb <n>", "the configured message size limit")
    .option("--max-recipients <n>", "the configured recipients-per-message limit")
    .option("--max-retry <n>", "fail2ban maxRetry of the stack", "5")
    .option("--pop3", "POP3S (995) is enabled")
    .option("--snapshot <file>", "lab replacement: where the before-replacement snapshot is kept")
    .option("--dkim-selector <selector>", "the DKIM selector outbound mail must be signed with now (group dkim-rotation), e.g. mail-g1")
    .option("--listed-in <zone>", "a DNSBL zone the server consults that lists this client's own address")
    .option("--listed-link <host>", "a link host that a URL blocklist the server consults lists")
    .option("--outbound-limit <n>", "the stack's outbound limit per user and hour (exhausts the third --mailbox)")
    .option("--webmail", "the webmail is served at https://<host>/ (its checks run)")
    .option("--webmail-account <address:password>", "a webmail account with its MAILBOX password (repeatable; the first enrols a second factor, the second stays at the password step)", collect, [] as string[])
    .option("--app-passwords", "IMAP, POP3 and SMTP must refuse mailbox passwords (auth.appPasswords)")
    .option("--webmail-state <file>", "where the webmail checks keep what they enrolled (TOTP key, recovery codes, an app password)")
    .option("--screenshot-dir <dir>", "where the browser checks save screenshots")
    .option("--group <group>", `which checks: ${GROUPS.join(", ")} (default: client)`, "client")
    .option("--only <ids>", "comma-separated check ids (prefixes) to run")
    .option("--json <file>", "write the results as JSON [{id, title, status, detail, seconds}]")
    .option("--list", "list the check ids and exit");
}

function parseMailbox(s: string): Mailbox {
  const i = s.indexOf(":");
  // The value holds a password: the error shows neither.
  if (i <= 0) throw new Error("--mailbox: expected address:password, e.g. --mailbox alice@example.com:secret (value not shown)");
  return { address: s.slice(0, i), password: s.slice(i + 1) };
}

/** --mailbox-env: the value of the variable (never echoed: it holds a password). */
function fromEnv(name: string, env: NodeJS.ProcessEnv): string {
  const value = env[name] ?? "";
  if (value.indexOf(":") <= 0) throw new Error(`--mailbox-env ${name}: the variable must hold address:password (value not shown)`);
  return value;
}

function loadRecords(file: string): ExpectedRecord[] {
  const doc = JSON.parse(readFileSync(file, "utf8")) as { records?: ExpectedRecord[] } | ExpectedRecord[];
  const records = Array.isArray(doc) ? doc : doc.records;
  if (!Array.isArray(records)) throw new Error(`--records ${file}: no "records" array in it`);
  return records;
}

export interface VerifyInvocation {
  readonly target: VerifyTarget;
  readonly group: Group;
  /** Check id prefixes (empty: the whole group). */
  readonly only: readonly string[];
  readonly jsonFile?: string;
  readonly list: boolean;
}

/** verify's arguments (after the script name) as a target and a selection; throws on bad input. */
export function parseVerifyArgs(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): VerifyInvocation {
  const command = verifyCommand().exitOverride().parse([...argv], { from: "user" });
  const o = command.opts<Record<string, string | string[] | boolean | undefined>>();
  const group = String(o.group) as Group;
  if (!GROUPS.includes(group)) throw new Error(`--group ${group}: expected one of ${GROUPS.join(", ")}`);
  const target: VerifyTarget = {
    host: String(o.host),
    address: o.address ? String(o.address) : undefined,
    domains: o.domain as string[],
    caPem: o.ca ? readFileSync(String(o.ca), "utf8") : undefined,
    resolvers: o.resolver as string[],
    expectedRecords: o.records ? loadRecords(String(o.records)) : undefined,
    mailboxes: [...(o.mailbox as string[]), ...(o.mailboxEnv as string[]).map((name) => fromEnv(name, env))].map(parseMailbox),
    externalRecipient: String(o.external),
    heloName: String(o.helo),
    sourceAddresses: o.sourceAddress as string[],
    remoteMaildir: o.remoteMaildir ? String(o.remoteMaildir) : undefined,
    remoteRecipient: o.remoteRecipient ? String(o.remoteRecipient) : undefined,
    bruteForce: { maxRetry: Number(o.maxRetry) },
    limits: o.maxSizeMb && o.maxRecipients ? { messageSizeMb: Number(o.maxSizeMb), recipientsPerMessage: Number(o.maxRecipients) } : undefined,
    pop3: Boolean(o.pop3),
    snapshotFile: o.snapshot ? String(o.snapshot) : undefined,
    dkimSelector: o.dkimSelector ? String(o.dkimSelector) : undefined,
    dnsblListedIn: o.listedIn ? String(o.listedIn) : undefined,
    surblListedHost: o.listedLink ? String(o.listedLink) : undefined,
    outboundPerUserPerHour: o.outboundLimit ? Number(o.outboundLimit) : undefined,
    webmail: Boolean(o.webmail),
    webmailAccounts: (o.webmailAccount as string[]).map(parseMailbox),
    appPasswords: Boolean(o.appPasswords),
    webmailStateFile: o.webmailState ? String(o.webmailState) : undefined,
    screenshotDir: o.screenshotDir ? String(o.screenshotDir) : undefined,
  };
  const only = o.only ? String(o.only).split(",").map((s) => s.trim()).filter(Boolean) : [];
  return { target, group, only, ...(o.json ? { jsonFile: String(o.json) } : {}), list: Boolean(o.list) };
}

export function selectedChecks(inv: VerifyInvocation): Check[] {
  const checks = checksFor(inv.target, inv.group);
  return inv.only.length === 0 ? checks : checks.filter((c) => inv.only.some((p) => c.id.startsWith(p)));
}

/** The whole command: one line per check, the tally, exit code 1 when a check failed. */
export async function runVerifyCli(argv: readonly string[]): Promise<number> {
  let inv: VerifyInvocation;
  try {
    inv = parseVerifyArgs(argv);
  } catch (e) {
    // --help, or a usage error commander has already printed.
    if (e instanceof CommanderError) return e.exitCode;
    throw e;
  }
  const checks = selectedChecks(inv);
  if (inv.list) {
    for (const c of checks) process.stdout.write(`${c.id.padEnd(34)} ${c.title}\n`);
    return 0;
  }
  const results = await runChecks(inv.target, checks, (r) => process.stdout.write(`${formatResult(r)}\n`));
  if (inv.jsonFile !== undefined) writeFileSync(inv.jsonFile, `${JSON.stringify(results, null, 2)}\n`);
  const counts = tally(results);
  process.stdout.write(`verify: ${tallyText(counts)}\n`);
  return counts.failed > 0 ? 1 : 0;
}
