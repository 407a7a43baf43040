// What verify checks and reports. A check is one observable promise of the server (e.g. "port
// 25 refuses to relay with the percent hack"), judged from outside, with the evidence in
// `detail` so a failure says what the server actually did.

export type CheckStatus = "pass" | "fail" | "skip";

export interface CheckResult {
  readonly id: string;
  readonly title: string;
  readonly status: CheckStatus;
  readonly detail: string;
  readonly seconds: number;
}

export interface Mailbox {
  readonly address: string;
  readonly password: string;
}

/** Where and what to verify. Everything beyond host/domains is optional and enables checks. */
export interface VerifyTarget {
  /** The mail server's hostname (the certificate name and the MX target). */
  readonly host: string;
  /** Address to connect to (default: resolve `host` with the resolver). */
  readonly address?: string;
  /** The mail domains served (first is the primary). */
  readonly domains: readonly string[];
  /** PEM CA to trust for the server certificate (the lab CA); default: the system store. */
  readonly caPem?: string;
  /** DNS servers to ask (the lab's authoritative server); default: the system resolver. */
  readonly resolvers?: readonly string[];
  /** Records the DNS must serve (synth.json records), for the DNS checks. */
  readonly expectedRecords?: readonly ExpectedRecord[];
  /** Mailboxes with passwords, for auth, send-as and delivery checks (the first two are used). */
  readonly mailboxes: readonly Mailbox[];
  /** An external address that must never be relayed to (default: a reserved .invalid one). */
  readonly externalRecipient: string;
  /** The HELO name this client uses. */
  readonly heloName: string;
  /**
   * Extra local addresses this client may send from (--source-address). fail2ban counts every
   * refused relay trick and every flood, so a battery from one address gets that address banned
   * halfway; with several, each address stays under the stack's maxRetry (see source-address.ts).
   */
  readonly sourceAddresses?: readonly string[];
  /** Where a remote MX drops delivered mail (lab only), for the outbound DKIM/SPF/DMARC check. */
  readonly remoteMaildir?: string;
  readonly remoteRecipient?: string;
  /** fail2ban settings the ban check expects (from the stack: maxRetry, banMinutes). */
  readonly bruteForce?: { readonly maxRetry: number };
  readonly limits?: { readonly messageSizeMb: number; readonly recipientsPerMessage: number };
  /** Lab replacement: where the before-replacement snapshot is kept. */
  readonly snapshotFile?: string;
  /** The DKIM selector outbound mail must be signed with now (a DKIM rotation's step). */
  readonly dkimSelector?: string;
  /** Whether POP3 (995) is expected on. */
  readonly pop3?: boolean;
  /** A DNSBL zone the server consults that lists this client's own address (lab: the attacker). */
  readonly dnsblListedIn?: string;
  /** A link host a URL blocklist the server consults lists (lab: the lab's SURBL listing). */
  readonly surblListedHost?: string;
  /** The stack's outbound limit per authenticated user and hour (needs a third mailbox to exhaust). */
  readonly outboundPerUserPerHour?: number;
  /** Whether the webmail is served at https://<host>/ (its checks run only then). */
  readonly webmail?: boolean;
  /** The webmail: accounts with their MAILBOX passwords (the first enrols in a browser, the second stays at the password step). */
  readonly webmailAccounts?: readonly Mailbox[];
  /** Whether IMAP/POP3/SMTP must refuse mailbox passwords (app passwords on). */
  readonly appPasswords?: boolean;
  /** Where the webmail checks keep what they enrolled (TOTP secret, recovery codes, an app password) between runs. */
  readonly webmailStateFile?: string;
  /** Where the browser's screenshots go (the lab report links them). */
  readonly screenshotDir?: string;
}

export interface ExpectedRecord {
  readonly name: string;
  readonly type: string;
  readonly values: readonly string[];
  readonly purpose: string;
}

export interface Check {
  readonly id: string;
  readonly title: string;
  /** Resolves to a detail on success; throws (CheckFailed or any error) on failure. */
  readonly run: (t: VerifyTarget) => Promise<string>;
  /** Longer than the suite's default limit (300 s), for checks that drive an external scanner. */
  readonly timeoutMs?: number;
}

export class CheckFailed extends Error {}
export class CheckSkipped extends Error {}

export function fail(detail: string): never {
  throw new CheckFailed(detail);
}

export function skip(detail: string): never {
  throw new CheckSkipped(detail);
}
