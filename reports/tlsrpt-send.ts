// The daily outbound TLS-RPT run: the day file of Postfix's events (written by
// mailfort-tlsrpt-collect) -> one report per recipient domain that publishes a TLS-RPT record ->
// each of the record's destinations (mailto: through the local sendmail, https: as a POST, RFC
// 8460 section 5.2 and 5.3). What was delivered is noted per day, so a second run (the next
// day's run retrying, the timer's catch-up after downtime, an operator's resend) sends only what
// is still missing; day files older than the retention are removed, so the events never grow
// without bound on the data volume.
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { ReportLimits } from "./limits";
import { parseEventLines } from "./tlsrpt-events";
import { reportGzip, reportMail } from "./tlsrpt-mail";
import { dayRange, outboundReports, type Reporter } from "./tlsrpt-outbound";

/** Day files kept (RFC 8460 asks for daily reports; two weeks leave room to resend by hand). */
export const EVENT_RETENTION_DAYS = 14;
/**
 * The daily run reports yesterday and tries again, for the two days before it, every destination
 * not reached yet (a receiver's endpoint down for a day, or this server down over midnight).
 * Older reports are no longer worth much to the receiver: they stay in the day files for a resend
 * by hand (`--day`) until the retention removes them.
 */
export const RETRY_DAYS = 3;

/** The UTC days the daily run covers, oldest first: the RETRY_DAYS days before `now`'s day. */
export function daysToSend(now: Date, days = RETRY_DAYS): string[] {
  return Array.from({ length: days }, (_, i) => new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() - days + i)).toISOString().slice(0, 10));
}
/** The largest day file read (the collector caps a day at far fewer lines than this holds). */
const MAX_DAY_FILE_BYTES = 256 * 1024 * 1024;

export interface Transports {
  /** Hands one message to the local MTA; throws when it is refused. */
  readonly sendmail: (from: string, to: string, message: Buffer) => Promise<void>;
  /** POSTs the gzip report; throws unless the server answered 2xx. */
  readonly post: (url: string, body: Buffer) => Promise<void>;
}

export interface SendResult {
  readonly day: string;
  readonly events: number;
  readonly skippedLines: number;
  readonly delivered: string[];
  readonly alreadySent: string[];
  readonly failed: string[];
  readonly removedDays: string[];
}

export const eventFile = (dir: string, day: string) => join(dir, `${day}.jsonl`);
const sentFile = (dir: string, day: string) => join(dir, "sent", `${day}.json`);

function readSent(dir: string, day: string): Set<string> {
  try {
    const v: unknown = JSON.parse(readFileSync(sentFile(dir, day), "utf8"));
    return new Set(Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : []);
  } catch {
    return new Set();
  }
}

function writeSent(dir: string, day: string, sent: ReadonlySet<string>): void {
  mkdirSync(join(dir, "sent"), { recursive: true, mode: 0o750 });
  const tmp = `${sentFile(dir, day)}.tmp-${process.pid}`;
  writeFileSync(tmp, JSON.stringify([...sent].sort()) + "\n", { mode: 0o640 });
  renameSync(tmp, sentFile(dir, day));
}

/** Removes day files (and their sent notes) older than the retention, counted back from `today`. */
export function pruneDays(dir: string, today: string, keep = EVENT_RETENTION_DAYS): string[] {
  const cutoff = dayRange(today).startSeconds - keep * 86_400;
  const removed: string[] = [];
  for (const name of existsSync(dir) ? readdirSync(dir) : []) {
    const m = /^(\d{4}-\d{2}-\d{2})\.jsonl$/.exec(name);
    if (m?.[1] === undefined || Number.isNaN(Date.parse(`${m[1]}T00:00:00Z`))) continue;
    if (dayRange(m[1]).startSeconds >= cutoff) continue;
    rmSync(join(dir, name), { force: true });
    rmSync(sentFile(dir, m[1]), { force: true });
    removed.push(m[1]);
  }
  return removed.sort();
}

export interface SendOptions {
  readonly dir: string;
  readonly day: string;
  readonly today: string;
  readonly reporter: Reporter;
  readonly from: string;
  readonly limits: ReportLimits;
  readonly transports: Transports;
  readonly log: (line: string) => void;
}

/** Sends the day's reports that were not sent yet; a destination that fails is retried by the next run. */
export async function sendDay(o: SendOptions): Promise<SendResult> {
  const file = eventFile(o.dir, o.day);
  let text = "";
  if (existsSync(file)) {
    const size = statSync(file).size;
    if (size > MAX_DAY_FILE_BYTES) throw new Error(`${file}: ${size} bytes, above the ${MAX_DAY_FILE_BYTES} this reads; the collector should have capped it`);
    text = readFileSync(file, "utf8");
  }
  const { events, skipped } = parseEventLines(text);
  if (skipped > 0) o.log(`${file}: ${skipped} line(s) are not TLSRPT events and were left out`);
  const sent = readSent(o.dir, o.day);
  const result: SendResult = { day: o.day, events: events.length, skippedLines: skipped, delivered: [], alreadySent: [], failed: [], removedDays: [] };
  const built = outboundReports(events, o.day, o.reporter, o.limits, (domain, why) => {
    result.failed.push(`${domain} (no report: ${why})`);
    o.log(`no ${o.day} TLS report for ${domain}: ${why}`);
  });
  for (const r of built) {
    for (const dest of r.destinations) {
      const target = dest.kind === "mailto" ? `mailto:${dest.address}` : dest.url;
      const key = `${r.domain} ${target}`;
      if (sent.has(key)) {
        result.alreadySent.push(key);
        continue;
      }
      try {
        if (dest.kind === "mailto") await o.transports.sendmail(o.from, dest.address, (await reportMail(r, dest.address, o.day, o.reporter, o.from)).message);
        else await o.transports.post(dest.url, reportGzip(r));
        sent.add(key);
        writeSent(o.dir, o.day, sent);
        result.delivered.push(key);
        o.log(`sent the ${o.day} TLS report for ${r.domain} to ${target}`);
      } catch (e) {
        result.failed.push(key);
        o.log(`could not send the ${o.day} TLS report for ${r.domain} to ${target}: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
  }
  result.removedDays.push(...pruneDays(o.dir, o.today));
  return result;
}
