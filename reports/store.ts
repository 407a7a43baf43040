// The report store: one folder per kind and policy domain, each report kept as the document the
// receiver sent (decompressed), named by a hash of reporter and report id, so a report that
// arrives twice is stored once and no name from a report ever becomes a path. Refusals are kept
// as small JSON notes (never the hostile bytes). Writes go to a temporary name and are renamed,
// so a crash never leaves half a report that the summary would then refuse.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { DOMAIN_RE } from "./names";
import type { RefusalCode, ReportRefused } from "./refusal";
import type { ParsedReport } from "./unpack";

export const KINDS = ["dmarc", "tlsrpt"] as const;
export type ReportKind = (typeof KINDS)[number];
const EXTENSION: Readonly<Record<ReportKind, string>> = { dmarc: ".xml", tlsrpt: ".json" };

function writeAtomically(file: string, text: string): void {
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, text, { mode: 0o640 });
  renameSync(tmp, file);
}

function reportKey(parsed: ParsedReport): string {
  const [org, id] = parsed.kind === "dmarc"
    ? [parsed.report.report_metadata.org_name, parsed.report.report_metadata.report_id]
    : [parsed.report["organization-name"], parsed.report["report-id"]];
  return createHash("sha256").update(`${parsed.kind}\0${org}\0${id}`).digest("hex").slice(0, 32);
}

export function storeReport(dir: string, parsed: ParsedReport): { file: string; duplicate: boolean } {
  // The schema already refused any other domain; this is the invariant the path relies on.
  if (!DOMAIN_RE.test(parsed.domain) || parsed.domain.startsWith(".")) throw new Error(`internal: unsafe domain ${JSON.stringify(parsed.domain)} reached the store`);
  const folder = join(dir, parsed.kind, parsed.domain);
  mkdirSync(folder, { recursive: true, mode: 0o750 });
  const file = join(folder, reportKey(parsed) + EXTENSION[parsed.kind]);
  const duplicate = existsSync(file);
  if (!duplicate) writeAtomically(file, parsed.document);
  return { file, duplicate };
}

export interface RefusalNote {
  readonly at: string;
  readonly source: string;
  readonly code: RefusalCode;
  readonly message: string;
}

export function storeRefusal(dir: string, source: string, refusal: ReportRefused, now = new Date()): string {
  const folder = join(dir, "refused");
  mkdirSync(folder, { recursive: true, mode: 0o750 });
  const note: RefusalNote = { at: now.toISOString(), source, code: refusal.code, message: refusal.message };
  const id = createHash("sha256").update(JSON.stringify(note)).digest("hex").slice(0, 16);
  const file = join(folder, `${now.toISOString().replace(/[:.]/g, "-")}-${id}.json`);
  writeAtomically(file, JSON.stringify(note, null, 2) + "\n");
  return file;
}

/** Every stored report file of a kind, as [domain folder, file path]. */
export function storedFiles(dir: string, kind: ReportKind): Array<{ domain: string; file: string; size: number }> {
  const root = join(dir, kind);
  if (!existsSync(root)) return [];
  const out: Array<{ domain: string; file: string; size: number }> = [];
  for (const domain of readdirSync(root).sort()) {
    const folder = join(root, domain);
    if (!statSync(folder).isDirectory()) continue;
    for (const name of readdirSync(folder).sort()) {
      if (!name.endsWith(EXTENSION[kind])) continue;
      const file = join(folder, name);
      out.push({ domain, file, size: statSync(file).size });
    }
  }
  return out;
}

/** The refusal notes, oldest first; a note that no longer parses is named in `unreadable`. */
export function refusalNotes(dir: string, unreadable: string[]): RefusalNote[] {
  const folder = join(dir, "refused");
  if (!existsSync(folder)) return [];
  const notes: RefusalNote[] = [];
  for (const name of readdirSync(folder).filter((n) => n.endsWith(".json")).sort()) {
    const file = join(folder, name);
    try {
      if (statSync(file).size > 64 * 1024) throw new Error("larger than any note");
      notes.push(JSON.parse(readFileSync(file, "utf8")) as RefusalNote);
    } catch (e) {
      unreadable.push(`${file}: not a refusal note (${(e as Error).message})`);
    }
  }
  return notes;
}
