// What the throwaway instance printed (mailfort-mailcount --drill, "MAILFORT-DRILL ..." lines on
// its console), read back into a report, and the report as an operator reads it.
export interface DrillCounts {
  readonly device?: string;
  /** e2fsck -p's exit code: 0 clean, 1 fixed (e.g. the journal of a live snapshot replayed). */
  readonly fsck?: number;
  readonly mailboxes: ReadonlyArray<{ readonly address: string; readonly messages: number }>;
  readonly queue: Readonly<Record<string, number>>;
  readonly total?: { readonly mailboxes: number; readonly messages: number; readonly queued: number };
  /** The instance's own verdict when it could not count. */
  readonly failed?: string;
}

const PREFIX = "MAILFORT-DRILL ";

/** Parse the console text; undefined until the instance printed its last line (total or failed). */
export function parseDrillOutput(console: string): DrillCounts | undefined {
  const lines = console.split(/\r?\n/).map((l) => l.slice(Math.max(0, l.indexOf(PREFIX)))).filter((l) => l.startsWith(PREFIX)).map((l) => l.slice(PREFIX.length).trim());
  const mailboxes: Array<{ address: string; messages: number }> = [];
  const queue: Record<string, number> = {};
  let out: { device?: string; fsck?: number; total?: DrillCounts["total"]; failed?: string } = {};
  for (const l of lines) {
    const [kind, ...rest] = l.split(/\s+/);
    if (kind === "begin") {
      const f = Object.fromEntries(rest.map((kv) => kv.split("=") as [string, string]));
      out = { ...out, ...(f.device !== undefined ? { device: f.device } : {}), ...(f.fsck !== undefined ? { fsck: Number(f.fsck) } : {}) };
    } else if (kind === "mailbox" && rest[0] !== undefined) mailboxes.push({ address: rest[0], messages: Number(rest[1]) });
    else if (kind === "queue" && rest[0] !== undefined) queue[rest[0]] = Number(rest[1]);
    else if (kind === "total") {
      const f = Object.fromEntries(rest.map((kv) => kv.split("=") as [string, string]));
      out = { ...out, total: { mailboxes: Number(f.mailboxes), messages: Number(f.messages), queued: Number(f.queued) } };
    } else if (kind === "failed") out = { ...out, failed: rest.join(" ") };
  }
  if (out.total === undefined && out.failed === undefined) return undefined;
  return { ...out, mailboxes, queue };
}

export interface DrillReport {
  readonly stack: string;
  readonly region: string;
  readonly snapshot: { readonly id: string; readonly startTime: string; readonly volumeSizeGb: number; readonly volumeId: string };
  readonly instanceId?: string;
  readonly scratchVolumeId?: string;
  readonly counts?: DrillCounts;
  /** Terminated, and the scratch volume gone with it. */
  readonly cleanedUp: boolean;
  readonly seconds: number;
  readonly passed: boolean;
  readonly problems: readonly string[];
}

/** Passed: counted, e2fsck left nothing unfixed, and the instance and scratch volume are gone. */
export function verdict(counts: DrillCounts | undefined, cleanedUp: boolean): string[] {
  const problems: string[] = [];
  if (counts === undefined) problems.push("the throwaway instance printed no count (see its console output)");
  else if (counts.failed !== undefined) problems.push(`the check failed on the instance: ${counts.failed}`);
  if (counts?.fsck !== undefined && counts.fsck >= 4) problems.push(`e2fsck left errors (exit ${counts.fsck})`);
  if (counts?.total !== undefined && counts.total.mailboxes > counts.mailboxes.length) {
    problems.push(`${counts.total.mailboxes} mailboxes counted, ${counts.mailboxes.length} listed: the console holds the last 64 KiB only`);
  }
  if (!cleanedUp) problems.push("the throwaway instance or its scratch volume is still there: terminate it (it is tagged mailfort:purpose=restore-drill)");
  return problems;
}

export function formatReport(r: DrillReport): string {
  const c = r.counts;
  const age = (Date.now() - Date.parse(r.snapshot.startTime)) / 3_600_000;
  const fsck = c?.fsck === undefined ? "not run" : c.fsck === 0 ? "clean (0)" : c.fsck < 4 ? `fixed what a crash leaves, e.g. replayed the journal (${c.fsck})` : `errors left (${c.fsck})`;
  return [
    `restore drill of stack ${r.stack} (${r.region})`,
    `  snapshot ${r.snapshot.id}, taken ${r.snapshot.startTime} (${age.toFixed(1)} h ago), of ${r.snapshot.volumeId} (${r.snapshot.volumeSizeGb} GiB)`,
    `  checked on ${r.instanceId ?? "(no instance)"}, scratch volume ${r.scratchVolumeId ?? "(none)"}`,
    `  e2fsck -p: ${fsck}`,
    ...(c?.total !== undefined ? [`  ${c.total.mailboxes} mailboxes, ${c.total.messages} messages, ${c.total.queued} queued`] : []),
    ...(c?.mailboxes ?? []).map((m) => `    ${m.address.padEnd(40)} ${m.messages}`),
    ...(c !== undefined && Object.keys(c.queue).length > 0 ? [`  queue: ${Object.entries(c.queue).map(([q, n]) => `${q} ${n}`).join(", ")}`] : []),
    `  cleaned up: ${r.cleanedUp ? "instance terminated, scratch volume deleted" : "NO"}`,
    `  took ${Math.round(r.seconds)} s`,
    r.passed ? "PASS" : `FAIL: ${r.problems.join("; ")}`,
  ].join("\n");
}
