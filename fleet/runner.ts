// The fleet runner: one Pulumi operation (preview, up, refresh) over many stacks, through a
// StackRunner (the Automation API in production, see automation.ts; an injected fake in tests).
//  - at most `parallel` stacks at once;
//  - environments in order dev -> staging -> prod; for `up`, a customer's higher environment
//    waits for its lower ones and is skipped if one failed (staging is prod's canary);
//  - every stack logs to its own file; one stack failing never stops another customer's;
//  - the summary lists every stack; the run fails (exit 1) if any stack did not succeed.
import { createWriteStream, mkdirSync } from "node:fs";
import { join } from "node:path";
import { runPool } from "./pool";
import type { ShardInfo } from "./shard";

export type FleetOperation = "preview" | "up" | "refresh";

export interface FleetStack {
  readonly stack: string;
  readonly customer: string;
  readonly environment: string;
  /** Why this stack must not run (e.g. secrets not set); it is reported, not run. */
  readonly blockedReason?: string;
  /** CrossGuard --policy-pack-config file applying this stack's declared relaxations. */
  readonly policyPackConfig?: string;
}

export interface StackRunRequest {
  readonly stack: string;
  readonly operation: FleetOperation;
  readonly policyPackConfig?: string;
  /** Append engine output to the stack's log file. */
  readonly log: (text: string) => void;
}

/** Resource changes by kind (create, update, delete, same, ...), as Pulumi reports them. */
export type ChangeSummary = Readonly<Record<string, number>>;

export type StackRunner = (req: StackRunRequest) => Promise<{ readonly changes?: ChangeSummary }>;

export type StackStatus = "queued" | "running" | "succeeded" | "failed" | "skipped" | "blocked";

export interface StackRunResult {
  readonly stack: string;
  readonly customer: string;
  readonly environment: string;
  readonly status: StackStatus;
  readonly durationMs: number;
  readonly logPath: string;
  readonly changes?: ChangeSummary;
  readonly error?: string;
}

export interface FleetRunSummary {
  readonly operation: FleetOperation;
  readonly parallel: number;
  readonly maxConcurrent: number;
  readonly results: readonly StackRunResult[];
  readonly ok: boolean;
  /** Set when this run is one shard of the fleet (`--shard k/n`). */
  readonly shard?: ShardInfo;
}

export interface RunEvents {
  onStatus?(stack: string, status: StackStatus, result?: StackRunResult): void;
}

const ENV_RANK: Record<string, number> = { dev: 0, staging: 1, prod: 2 };

export async function runFleet(stacks: readonly FleetStack[], operation: FleetOperation, runner: StackRunner, opts: { parallel: number; logDir: string; events?: RunEvents; now?: () => number }): Promise<FleetRunSummary> {
  const now = opts.now ?? Date.now;
  mkdirSync(opts.logDir, { recursive: true });
  const ordered = [...stacks].sort((a, b) => (ENV_RANK[a.environment] ?? 9) - (ENV_RANK[b.environment] ?? 9));
  const jobs = ordered.map((s) => ({
    id: s.stack,
    item: s,
    // Only `up` changes anything, so only `up` gates prod on staging.
    dependsOn: operation === "up" ? ordered.filter((o) => o.customer === s.customer && (ENV_RANK[o.environment] ?? 9) < (ENV_RANK[s.environment] ?? 9)).map((o) => o.stack) : [],
  }));
  for (const s of ordered) opts.events?.onStatus?.(s.stack, "queued");

  const run = await runPool<FleetStack, StackRunResult>(jobs, opts.parallel, async (s, deps) => {
    const logPath = join(opts.logDir, `${s.stack}.log`);
    const base = { stack: s.stack, customer: s.customer, environment: s.environment, logPath };
    const finish = (r: StackRunResult): StackRunResult => {
      opts.events?.onStatus?.(s.stack, r.status, r);
      return r;
    };
    const failedDep = deps.find((d) => !d.ok || d.value?.status !== "succeeded");
    if (s.blockedReason !== undefined) return finish({ ...base, status: "blocked", durationMs: 0, error: s.blockedReason });
    if (failedDep !== undefined) return finish({ ...base, status: "skipped", durationMs: 0, error: `${failedDep.id} did not succeed` });

    const log = createWriteStream(logPath, { flags: "w" });
    const started = now();
    log.write(`# fleet ${operation} ${s.stack} at ${new Date(started).toISOString()}\n`);
    opts.events?.onStatus?.(s.stack, "running");
    try {
      const out = await runner({ stack: s.stack, operation, ...(s.policyPackConfig === undefined ? {} : { policyPackConfig: s.policyPackConfig }), log: (text) => void log.write(text) });
      log.write(`\n# ${operation} succeeded\n`);
      return finish({ ...base, status: "succeeded", durationMs: now() - started, ...(out.changes === undefined ? {} : { changes: out.changes }) });
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      log.write(`\n# ${operation} FAILED: ${err instanceof Error ? (err.stack ?? message) : message}\n`);
      return finish({ ...base, status: "failed", durationMs: now() - started, error: firstLine(message) });
    } finally {
      await new Promise<void>((resolve) => log.end(resolve));
    }
  });
  const results = run.results.map((r) => r.value as StackRunResult);
  return { operation, parallel: opts.parallel, maxConcurrent: run.maxConcurrent, results, ok: results.every((r) => r.status === "succeeded") };
}

function firstLine(text: string): string {
  // Automation API CommandErrors start with "code: N"; the useful part is the CLI's stderr.
  const stderr = /\bstderr:\s*(\S[^\n]*)/.exec(text)?.[1];
  if (stderr !== undefined) return stderr.trim().slice(0, 300);
  return text.split("\n").find((l) => l.trim() !== "")?.trim().slice(0, 300) ?? "";
}

/** The final summary as a plain-text table plus totals. */
export function formatRunSummary(s: FleetRunSummary): string {
  const rows = s.results.map((r) => [r.stack, r.status, `${(r.durationMs / 1000).toFixed(1)}s`, formatChanges(r.changes), r.error ?? ""]);
  const table = formatTable(["stack", "status", "time", "changes", "detail"], rows);
  const count = (st: StackStatus) => s.results.filter((r) => r.status === st).length;
  const totals = `${s.operation}${s.shard === undefined ? "" : ` (shard ${s.shard.index}/${s.shard.count} of a fleet of ${s.shard.fleetStacks})`}: ${count("succeeded")} succeeded, ${count("failed")} failed, ${count("skipped")} skipped, ${count("blocked")} blocked (of ${s.results.length}; at most ${s.maxConcurrent} at once, limit ${s.parallel})`;
  const logs = s.results.some((r) => r.status === "failed") ? "\nlogs of failed stacks:\n" + s.results.filter((r) => r.status === "failed").map((r) => `  ${r.logPath}`).join("\n") : "";
  return `${table}\n${totals}${logs}`;
}

export function formatChanges(c: ChangeSummary | undefined): string {
  if (c === undefined) return "";
  return Object.entries(c).filter(([, n]) => n > 0).map(([k, n]) => `${k} ${n}`).join(", ") || "no changes";
}

export function formatTable(header: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join("  ").trimEnd();
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}
