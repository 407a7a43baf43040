// A report mail -> its attachments, with postal-mime (MIME structure, transfer encodings, file
// names). The whole message is size-capped before parsing, MIME nesting is capped by the
// library, and a mail with more attachments than a report sends is refused as a whole.
import PostalMime from "postal-mime";
import { bytes, type ReportLimits } from "./limits";
import { refuse } from "./refusal";
import type { Attachment } from "./unpack";

export interface ReportMail {
  readonly messageId: string;
  readonly from: string;
  readonly attachments: Attachment[];
}

export async function parseReportMail(raw: Buffer, limits: ReportLimits): Promise<ReportMail> {
  if (raw.length > limits.maxMessageBytes) refuse("too-large", `the mail is ${bytes(raw.length)}, above the cap of ${bytes(limits.maxMessageBytes)} on one report mail`);
  let mail;
  try {
    mail = await PostalMime.parse(raw, { attachmentEncoding: "arraybuffer", maxNestingDepth: limits.maxDepth, maxHeadersSize: 256 * 1024, maxRfc822NestingDepth: 0 });
  } catch (e) {
    refuse("not-a-report", `the mail could not be parsed as MIME (${(e as Error).message})`);
  }
  const from = mail.from?.address ?? "(no From)";
  const messageId = mail.messageId ?? "(no Message-ID)";
  const parts = mail.attachments;
  if (parts.length === 0) refuse("not-a-report", `mail ${messageId} from ${from} has no attachment: not a DMARC or TLS report`);
  if (parts.length > limits.maxAttachments) refuse("too-large", `mail ${messageId} from ${from} has ${parts.length} attachments, more than ${limits.maxAttachments}; a report mail has one`);
  const attachments = parts.map((p, i) => ({
    name: p.filename ?? `attachment ${i + 1}`,
    contentType: p.mimeType,
    content: Buffer.from(p.content as ArrayBuffer),
  }));
  return { messageId, from, attachments };
}
