// `npm run verify -- --host mail.example.com --domain example.com [...]`: probe a live mailfort
// server (a real deployment or the lab VM) from the outside and report one line per check.
import { readFileSync, writeFileSync } from "node:fs";
import { Command } from "commander";
import { GROUPS, type Group, checksFor, formatResult, runChecks } from "../verify/suite";
import type { ExpectedRecord, Mailbox, VerifyTarget } from "../verify/types";

const collect = (v: string, prev: string[]) => [...prev, v];

const program = new Command("verify")
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
  .option("--group <group>", `which checks: ${GROUPS.join(", ")} (default: client)`, "client")
  .option("--only <ids>", "comma-separated check ids (prefixes) to run")
  .option("--json <file>", "write the results as JSON [{id, title, status, detail, seconds}]")
  .option("--list", "list the check ids and exit");

function parseMailbox(s: string): Mailbox {
  const i = s.indexOf(":");
  // The value holds a password: the error shows neither.
  if (i <= 0) throw new Error("--mailbox: expected address:password, e.g. --mailbox alice@example.com:secret (value not shown)");
  return { address: s.slice(0, i), password: s.slice(i + 1) };
}

/** --mailbox-env: the value of the variable (never echoed: it holds a password). */
function fromEnv(name: string): string {
  const value = process.env[name] ?? "";
  if (value.indexOf(":") <= 0) throw new Error(`--mailbox-env ${name}: the variable must hold address:password (value not shown)`);
  return value;
}

function loadRecords(file: string): ExpectedRecord[] {
  const doc = JSON.parse(readFileSync(file, "utf8")) as { records?: ExpectedRecord[] } | ExpectedRecord[];
  const records = Array.isArray(doc) ? doc : doc.records;
  if (!Array.isArray(records)) throw new Error(`--records ${file}: no "records" array in it`);
  return records;
}

async function main(): Promise<void> {
  program.parse(process.argv);
  const o = program.opts<Record<string, string | string[] | boolean | undefined>>();
  const group = String(o.group) as Group;
  if (!GROUPS.includes(group)) throw new Error(`--group ${group}: expected one of ${GROUPS.join(", ")}`);
  const target: VerifyTarget = {
    host: String(o.host),
    address: o.address ? String(o.address) : undefined,
    domains: o.domain as string[],
    caPem: o.ca ? readFileSync(String(o.ca), "utf8") : undefined,
    resolvers: o.resolver as string[],
    expectedRecords: o.records ? loadRecords(String(o.records)) : undefined,
    mailboxes: [...(o.mailbox as string[]), ...(o.mailboxEnv as string[]).map(fromEnv)].map(parseMailbox),
    externalRecipient: String(o.external),
    heloName: String(o.helo),
    sourceAddresses: o.sourceAddress as string[],
    remoteMaildir: o.remoteMaildir ? String(o.remoteMaildir) : undefined,
    remoteRecipient: o.remoteRecipient ? String(o.remoteRecipient) : undefined,
    bruteForce: { maxRetry: Number(o.maxRetry) },
    limits: o.maxSizeMb && o.maxRecipients ? { messageSizeMb: Number(o.maxSizeMb), recipientsPerMessage: Number(o.maxRecipients) } : undefined,
    pop3: Boolean(o.pop3),
    snapshotFile: o.snapshot ? String(o.snapshot) : undefined,
  };
  let checks = checksFor(target, group);
  if (o.only) {
    const prefixes = String(o.only).split(",").map((s) => s.trim()).filter(Boolean);
    checks = checks.filter((c) => prefixes.some((p) => c.id.startsWith(p)));
  }
  if (o.list) {
    for (const c of checks) process.stdout.write(`${c.id.padEnd(34)} ${c.title}\n`);
    return;
  }
  const results = await runChecks(target, checks, (r) => process.stdout.write(`${formatResult(r)}\n`));
  if (o.json) writeFileSync(String(o.json), `${JSON.stringify(results, null, 2)}\n`);
  const failed = results.filter((r) => r.status === "fail").length;
  const passed = results.filter((r) => r.status === "pass").length;
  const skipped = results.filter((r) => r.status === "skip").length;
  process.stdout.write(`verify: ${passed} passed, ${failed} failed, ${skipped} skipped\n`);
  if (failed > 0) process.exitCode = 1;
}

main().catch((e: unknown) => {
  process.stderr.write(`verify: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(2);
});
