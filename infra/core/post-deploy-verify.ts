// The opt-in post-deploy verify, as data: which command line the deployer's machine runs after
// `pulumi up`, the digest of the record set that re-runs it, and the summary it prints (the
// `verification` stack output). No Pulumi, no I/O: the component and the runner share these.
import { createHash } from "node:crypto";
import { type MailConfig, mailDomains } from "../config";

/** The runner the command starts, relative to the repository root (Pulumi.yaml's directory). */
export const RUNNER_SCRIPT = "tools/post-deploy-verify.ts";
/** This checkout's TypeScript runner (a dev dependency; the deployer has run npm ci). */
const TSX = "node_modules/.bin/tsx";
/** Environment variable holding test mailbox n (1-based) as address:password; a Pulumi secret. */
export const mailboxEnvVar = (n: number): string => `MAILFORT_VERIFY_MAILBOX_${n}`;

export interface VerifyRun {
  readonly host: string;
  /** The server's public IPv4 (the Elastic IP): verify connects there, not to what DNS says. */
  readonly address: string;
  /** Mail domains (parked domains have no MTA-STS or mailboxes to check). */
  readonly domains: readonly string[];
  /** In order; client-relay last. */
  readonly groups: readonly string[];
  readonly waitSeconds: number;
  readonly onFailure: "fail" | "report";
  /** Wait until port 465 presents a certificate verify will trust (not the boot-time stand-in). */
  readonly waitForTrustedTls: boolean;
  /** How many test mailboxes arrive in the environment (mailboxEnvVar(1..n)). */
  readonly mailboxCount: number;
  /** Further verify options, passed through as they are. */
  readonly verifyArgs: readonly string[];
}

/** What the runner needs beyond its command line, on stdin (records are too big for argv). */
export interface VerifyStdin {
  readonly records: readonly unknown[];
  /** The stack CA (tls.mode self-signed), for verify --ca. */
  readonly caPem?: string;
}

export function verifyRun(cfg: MailConfig, address: string): VerifyRun {
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
    mailboxCount: v.mailboxes.length,
    verifyArgs: [
      "--max-size-mb", String(cfg.limits.messageSizeMb),
      "--max-recipients", String(cfg.limits.recipientsPerMessage),
      "--max-retry", String(cfg.bruteForce.maxRetry),
      ...(cfg.features.pop3 ? ["--pop3"] : []),
      ...v.resolvers.flatMap((r) => ["--resolver", r]),
      ...(v.only.length > 0 ? ["--only", v.only.join(",")] : []),
    ],
  };
}

/** The runner's arguments (after the script name). Secrets never appear here. */
export function runnerArgs(run: VerifyRun): string[] {
  return [
    "--host", run.host,
    "--address", run.address,
    ...run.domains.flatMap((d) => ["--domain", d]),
    ...run.groups.flatMap((g) => ["--group", g]),
    "--wait-seconds", String(run.waitSeconds),
    "--on-failure", run.onFailure,
    ...(run.waitForTrustedTls ? ["--wait-for-trusted-tls"] : []),
    ...Array.from({ length: run.mailboxCount }, (_, i) => ["--mailbox-env", mailboxEnvVar(i + 1)]).flat(),
    ...(run.verifyArgs.length > 0 ? ["--", ...run.verifyArgs] : []),
  ];
}

/** The shell line of the Command's `create`: run from the checkout that runs `pulumi up`. */
export function createCommand(run: VerifyRun): string {
  const guard = `test -f ${RUNNER_SCRIPT} -a -x ${TSX} || { echo "mailfort post-deploy verify: no ${RUNNER_SCRIPT} or ${TSX} in $(pwd); run pulumi up from the mailfort checkout, after npm ci" >&2; exit 2; }`;
  return `${guard}; exec ${[TSX, RUNNER_SCRIPT, ...runnerArgs(run)].map(shellQuote).join(" ")}`;
}

/** POSIX sh single-quoting (values are validated names, but a command line is no place to trust that). */
export function shellQuote(s: string): string {
  return /^[A-Za-z0-9_./:=@,+-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
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

/** One verify result, as `verify --json` writes it. */
export interface VerifyResult {
  readonly id: string;
  readonly title: string;
  readonly status: "pass" | "fail" | "skip";
  readonly detail: string;
  readonly seconds: number;
}

/** The `verification` stack output. */
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

const DETAIL_MAX = 300;

export function summarize(run: Pick<VerifyRun, "host" | "address" | "groups">, results: readonly VerifyResult[], finishedAt: string): VerificationSummary {
  const count = (s: VerifyResult["status"]) => results.filter((r) => r.status === s).length;
  return {
    host: run.host,
    address: run.address,
    groups: run.groups,
    passed: count("pass"),
    failed: count("fail"),
    skipped: count("skip"),
    failing: results.filter((r) => r.status === "fail").map((r) => ({ id: r.id, detail: shorten(r.detail.replace(/\s*\n\s*/g, " ")) })),
    finishedAt,
  };
}

function shorten(s: string): string {
  return s.length > DETAIL_MAX ? `${s.slice(0, DETAIL_MAX - 1)}…` : s;
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
