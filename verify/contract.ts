// How anything outside verify runs it (the lab, the post-deploy runner, a person with a script):
// what to verify -> verify's command line (tools/verify.ts, one process per vantage point), and
// verify's results (--json) -> counts and the summary a deployment reports. Callers describe the
// run as data and never spell verify's options themselves; verify/cli.ts parses what this builds.
import type { CheckResult } from "./types";

export type { CheckResult, CheckStatus } from "./types";

/** verify's entry point, relative to the repository root. */
export const VERIFY_CLI = "tools/verify.ts";

/** Vantage points: `client` is a well-behaved outsider, `attacker` a hostile one (it gets banned). */
export type Group = "client" | "testssl" | "attacker" | "after-attack" | "client-relay" | "before-replace" | "after-snapshot" | "after-replace" | "after-recovery" | "after-restore" | "webmail-session" | "dkim-rotation";

export const GROUPS: readonly Group[] = ["client", "testssl", "attacker", "after-attack", "client-relay", "before-replace", "after-snapshot", "after-replace", "after-recovery", "after-restore", "webmail-session", "dkim-rotation"];

/** One verify run. Only host and domains are required; everything else enables or tunes checks. */
export interface VerifyRequest {
  readonly host: string;
  readonly domains: readonly string[];
  readonly group?: Group;
  /** Connect here instead of resolving host (the Elastic IP, the lab VM). */
  readonly address?: string;
  /** A CA file to trust for the server certificate (self-signed stacks, the lab). */
  readonly caFile?: string;
  readonly resolvers?: readonly string[];
  /** A JSON file whose `records` the DNS must serve (synth.json, or what the runner wrote). */
  readonly recordsFile?: string;
  /** Test mailboxes as address:password: only for throwaway credentials such as the lab's. */
  readonly mailboxes?: readonly string[];
  /** Environment variables holding address:password, so a real password stays off every command line. */
  readonly mailboxEnv?: readonly string[];
  /** An address outside the server's domains, for the relay tests. */
  readonly external?: string;
  readonly helo?: string;
  /** Local addresses the hostile checks spread over (fail2ban counts per address). */
  readonly sourceAddresses?: readonly string[];
  readonly remoteMaildir?: string;
  readonly remoteRecipient?: string;
  readonly limits?: { readonly messageSizeMb: number; readonly recipientsPerMessage: number };
  readonly maxRetry?: number;
  readonly pop3?: boolean;
  readonly snapshotFile?: string;
  /** The DKIM selector the server must sign with now (a DKIM rotation's step: group dkim-rotation). */
  readonly dkimSelector?: string;
  /** A DNSBL zone the server consults that lists this client's own address (lab: the attacker). */
  readonly dnsblListedIn?: string;
  /** A link host that a URL blocklist the server consults lists. */
  readonly surblListedHost?: string;
  /** The stack's outbound limit per user and hour (the check exhausts the third mailbox). */
  readonly outboundPerUserPerHour?: number;
  /** The webmail is served (its checks run). */
  readonly webmail?: boolean;
  /** Webmail accounts as address:MAILBOX-password (throwaway credentials only, like --mailbox). */
  readonly webmailAccounts?: readonly string[];
  /** IMAP, POP3 and SMTP must refuse mailbox passwords (auth.appPasswords). */
  readonly appPasswords?: boolean;
  readonly webmailStateFile?: string;
  readonly screenshotDir?: string;
  /** Check ids (or prefixes) to run; all of the group when empty. */
  readonly only?: readonly string[];
  /** Where verify writes its results as JSON (CheckResult[]). */
  readonly jsonFile?: string;
}

const many = (flag: string, values: readonly string[] | undefined) => (values ?? []).flatMap((v) => [flag, v]);
const one = (flag: string, value: string | number | undefined) => (value === undefined ? [] : [flag, String(value)]);

/** The arguments of tools/verify.ts for a request (after the script name). */
export function verifyArgv(r: VerifyRequest): string[] {
  return [
    "--host", r.host,
    ...many("--domain", r.domains),
    ...one("--address", r.address),
    ...one("--ca", r.caFile),
    ...many("--resolver", r.resolvers),
    ...one("--records", r.recordsFile),
    ...many("--mailbox", r.mailboxes),
    ...many("--mailbox-env", r.mailboxEnv),
    ...one("--external", r.external),
    ...one("--helo", r.helo),
    ...many("--source-address", r.sourceAddresses),
    ...one("--remote-maildir", r.remoteMaildir),
    ...one("--remote-recipient", r.remoteRecipient),
    ...one("--max-size-mb", r.limits?.messageSizeMb),
    ...one("--max-recipients", r.limits?.recipientsPerMessage),
    ...one("--max-retry", r.maxRetry),
    ...(r.pop3 === true ? ["--pop3"] : []),
    ...one("--snapshot", r.snapshotFile),
    ...one("--dkim-selector", r.dkimSelector),
    ...one("--listed-in", r.dnsblListedIn),
    ...one("--listed-link", r.surblListedHost),
    ...one("--outbound-limit", r.outboundPerUserPerHour),
    ...(r.webmail === true ? ["--webmail"] : []),
    ...many("--webmail-account", r.webmailAccounts),
    ...(r.appPasswords === true ? ["--app-passwords"] : []),
    ...one("--webmail-state", r.webmailStateFile),
    ...one("--screenshot-dir", r.screenshotDir),
    ...one("--group", r.group),
    ...(r.only !== undefined && r.only.length > 0 ? ["--only", r.only.join(",")] : []),
    ...one("--json", r.jsonFile),
  ];
}

export interface Tally {
  readonly passed: number;
  readonly failed: number;
  readonly skipped: number;
}

export function tally(results: readonly CheckResult[]): Tally {
  const count = (s: CheckResult["status"]) => results.filter((r) => r.status === s).length;
  return { passed: count("pass"), failed: count("fail"), skipped: count("skip") };
}

export function tallyText(t: Tally): string {
  return `${t.passed} passed, ${t.failed} failed, ${t.skipped} skipped`;
}

/** What a deployment reports of a verify run (the `verification` stack output). */
export interface VerificationSummary extends Tally {
  readonly host: string;
  readonly address: string;
  readonly groups: readonly string[];
  /** The failing checks, with verify's evidence on one line, shortened. */
  readonly failing: ReadonlyArray<{ readonly id: string; readonly detail: string }>;
  /** ISO time the run finished. */
  readonly finishedAt: string;
}

const DETAIL_MAX = 300;

export function summarize(run: { readonly host: string; readonly address: string; readonly groups: readonly string[] }, results: readonly CheckResult[], finishedAt: string): VerificationSummary {
  return {
    host: run.host,
    address: run.address,
    groups: run.groups,
    ...tally(results),
    failing: results.filter((r) => r.status === "fail").map((r) => ({ id: r.id, detail: shorten(r.detail.replace(/\s*\n\s*/g, " ")) })),
    finishedAt,
  };
}

function shorten(s: string): string {
  return s.length > DETAIL_MAX ? `${s.slice(0, DETAIL_MAX - 1)}…` : s;
}
