// The opt-in post-deploy verify, as data: the command the deployer's machine runs after `pulumi
// up`, the request it reads on stdin, the digest of the record set that re-runs it, and the
// summary it prints (the `verification` stack output). No Pulumi, no I/O.
// The runner is verify's (verify/post-deploy/, started by tools/post-deploy-verify.ts), and infra
// may not import verify: the two meet in this JSON. The core writes the request and reads the
// summary with its own reader; verify reads the request with its own reader and writes the
// summary; test/verify/post-deploy-contract.test.ts holds the two sides to one shape.
import { createHash } from "node:crypto";
import { type MailConfig, mailDomains } from "../config";

/** The runner the command starts, relative to the repository root (Pulumi.yaml's directory). */
export const RUNNER_SCRIPT = "tools/post-deploy-verify.ts";
/** This checkout's TypeScript runner (a dev dependency; the deployer has run npm ci). */
const TSX = "node_modules/.bin/tsx";
/** Environment variable holding test mailbox n (1-based) as address:password; a Pulumi secret. */
export const mailboxEnvVar = (n: number): string => `MAILFORT_VERIFY_MAILBOX_${n}`;

/** What the runner reads on stdin: whom to verify, how, and what DNS must serve. No secrets. */
export interface PostDeployRequest {
  readonly host: string;
  /** The server's public IPv4 (the Elastic IP): verify connects there, not to what DNS says. */
  readonly address: string;
  /** Mail domains (parked domains have no MTA-STS or mailboxes to check). */
  readonly domains: readonly string[];
  /** Verify groups in order; client-relay last (it may get the deployer's address banned). */
  readonly groups: readonly string[];
  readonly waitSeconds: number;
  readonly onFailure: "fail" | "report";
  /** Wait until HTTPS presents a certificate verify will trust (not the boot-time stand-in). */
  readonly waitForTrustedTls: boolean;
  /** Environment variables holding the test mailboxes (their values are secrets: never in here). */
  readonly mailboxEnv: readonly string[];
  readonly limits: { readonly messageSizeMb: number; readonly recipientsPerMessage: number };
  readonly maxRetry: number;
  readonly pop3: boolean;
  readonly resolvers: readonly string[];
  /** Check ids (prefixes) to run; every check of each group when empty. */
  readonly only: readonly string[];
  /** The record set the DNS must serve. */
  readonly records: readonly unknown[];
  /** The stack CA (tls.mode self-signed). */
  readonly caPem?: string;
}

export function postDeployRequest(cfg: MailConfig, address: string, records: readonly unknown[], caPem?: string): PostDeployRequest {
  const v = cfg.verifyAfterDeploy;
  const groups = [...new Set(v.groups)].sort((a, b) => Number(a === "client-relay") - Number(b === "client-relay"));
  return {
    host: cfg.hostname,
    address,
    domains: mailDomains(cfg).map((d) => d.name),
    groups,
    waitSeconds: v.waitMinutes * 60,
    onFailure: v.onFailure,
    // acme-staging certificates chain to an untrusted CA: waiting for "trusted" would never end.
    waitForTrustedTls: cfg.tls.mode !== "acme-staging",
    mailboxEnv: v.mailboxes.map((_, i) => mailboxEnvVar(i + 1)),
    limits: { messageSizeMb: cfg.limits.messageSizeMb, recipientsPerMessage: cfg.limits.recipientsPerMessage },
    maxRetry: cfg.bruteForce.maxRetry,
    pop3: cfg.features.pop3,
    resolvers: v.resolvers,
    only: v.only,
    records,
    ...(caPem !== undefined ? { caPem } : {}),
  };
}

/** The shell line of the Command's `create`: run from the checkout that runs `pulumi up`. */
export function createCommand(): string {
  const guard = `test -f ${RUNNER_SCRIPT} -a -x ${TSX} || { echo "mailfort post-deploy verify: no ${RUNNER_SCRIPT} or ${TSX} in $(pwd); run pulumi up from the mailfort checkout, after npm ci" >&2; exit 2; }`;
  return `${guard}; exec ${TSX} ${RUNNER_SCRIPT}`;
}

/** A stable digest of the record set (key order does not matter): a changed record re-runs verify. */
export function recordsDigest(records: readonly unknown[]): string {
  return `sha256:${createHash("sha256").update(canonicalJson(records)).digest("hex")}`;
}

function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(",")}]`;
  if (typeof v === "object" && v !== null) {
    const entries = Object.entries(v).filter(([, e]) => e !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, e]) => `${JSON.stringify(k)}:${canonicalJson(e)}`).join(",")}}`;
  }
  return JSON.stringify(v);
}

/** The `verification` stack output, as the runner prints it on its last line. */
export interface VerificationSummary {
  readonly host: string;
  readonly address: string;
  readonly groups: readonly string[];
  readonly passed: number;
  readonly failed: number;
  readonly skipped: number;
  /** The failing checks, with verify's evidence (shortened). */
  readonly failing: ReadonlyArray<{ readonly id: string; readonly detail: string }>;
  /** ISO time the run finished (or why it did not run, under the offline synth). */
  readonly finishedAt: string;
}

/** The summary from the runner's stdout (its last non-empty line); throws naming what is wrong. */
export function parseSummary(stdout: string): VerificationSummary {
  const line = stdout.trim().split("\n").pop() ?? "";
  let doc: unknown;
  try {
    doc = JSON.parse(line);
  } catch {
    throw new Error(`post-deploy verify: its output does not end in a JSON summary: ${JSON.stringify(line.slice(0, 200))}`);
  }
  const d = doc as Partial<Record<keyof VerificationSummary, unknown>>;
  const ok = typeof doc === "object" && doc !== null
    && typeof d.host === "string" && typeof d.address === "string" && Array.isArray(d.groups)
    && [d.passed, d.failed, d.skipped].every((n) => Number.isInteger(n)) && Array.isArray(d.failing) && typeof d.finishedAt === "string";
  if (!ok) throw new Error(`post-deploy verify: the summary lacks host, address, groups, passed, failed, skipped, failing or finishedAt: ${line.slice(0, 200)}`);
  return doc as VerificationSummary;
}

/** What the offline synth reports for a run that never happened (its mocks never run commands). */
export function notRunSummary(request: Pick<PostDeployRequest, "host" | "address" | "groups">): VerificationSummary {
  return {
    host: request.host, address: request.address, groups: request.groups,
    passed: 0, failed: 0, skipped: 0, failing: [], finishedAt: "not run (offline synth under mocks)",
  };
}
