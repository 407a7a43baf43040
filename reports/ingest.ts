// Taking one report mail (or one bare report file) into the store. Each attachment ends as
// stored, duplicate or refused, and a refusal is kept as a note, so what the reporters sent is
// never silently lost and a hostile mail never stops the ones after it.
import type { ReportLimits } from "./limits";
import { parseReportMail } from "./mime";
import { readInput } from "./read-input";
import { isRefusal, type ReportRefused } from "./refusal";
import { storeRefusal, storeReport } from "./store";
import { readAttachment, type Attachment } from "./unpack";

export type IngestOutcome =
  | { readonly outcome: "stored" | "duplicate"; readonly source: string; readonly kind: "dmarc" | "tlsrpt"; readonly domain: string; readonly file: string }
  | { readonly outcome: "refused"; readonly source: string; readonly refusal: ReportRefused; readonly note: string };

/** A mail starts with header fields; a bare report starts with zip/gzip magic, "<" or "{". */
export function looksLikeMail(data: Buffer): boolean {
  return /^[A-Za-z0-9-]+:[ \t]?\S/.test(data.toString("latin1", 0, 200));
}

/** An mbox "From " line (pipe(8) with flag F, or a mailbox export) is not part of the message. */
function withoutMboxLine(data: Buffer): Buffer {
  if (data.toString("latin1", 0, 5) !== "From ") return data;
  const eol = data.indexOf(0x0a);
  return eol < 0 ? data : data.subarray(eol + 1);
}

async function ingestAttachment(dir: string, source: string, a: Attachment, limits: ReportLimits): Promise<IngestOutcome> {
  try {
    const parsed = await readAttachment(a, limits);
    const { file, duplicate } = storeReport(dir, parsed);
    return { outcome: duplicate ? "duplicate" : "stored", source, kind: parsed.kind, domain: parsed.domain, file };
  } catch (e) {
    if (!isRefusal(e)) throw e;
    return { outcome: "refused", source, refusal: e, note: storeRefusal(dir, source, e) };
  }
}

/** `contentType` is only for bare files (a mail declares its own): the operator's word for what the file is. */
export async function ingest(dir: string, source: string, input: Buffer, limits: ReportLimits, contentType = "application/octet-stream"): Promise<IngestOutcome[]> {
  const data = withoutMboxLine(input);
  if (!looksLikeMail(data)) return [await ingestAttachment(dir, source, { name: source, contentType, content: data }, limits)];
  let attachments: Attachment[];
  let label = source;
  try {
    const mail = await parseReportMail(data, limits);
    attachments = mail.attachments;
    label = `${source} (${mail.messageId} from ${mail.from})`;
  } catch (e) {
    if (!isRefusal(e)) throw e;
    return [{ outcome: "refused", source, refusal: e, note: storeRefusal(dir, source, e) }];
  }
  const out: IngestOutcome[] = [];
  for (const a of attachments) out.push(await ingestAttachment(dir, `${label}: ${a.name}`, a, limits));
  return out;
}

/** Files (or stdin, fd 0) read under the mail cap and ingested one after the other. */
export async function ingestInputs(dir: string, inputs: ReadonlyArray<{ source: string; from: string | number }>, limits: ReportLimits, contentType?: string): Promise<IngestOutcome[]> {
  const out: IngestOutcome[] = [];
  for (const { source, from } of inputs) {
    let data: Buffer;
    try {
      data = readInput(source, from, limits.maxMessageBytes);
    } catch (e) {
      if (!isRefusal(e)) throw e;
      out.push({ outcome: "refused", source, refusal: e, note: storeRefusal(dir, source, e) });
      continue;
    }
    out.push(...(await ingest(dir, source, data, limits, contentType)));
  }
  return out;
}
