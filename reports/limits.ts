// The hard limits on what one report mail may cost to read. Every reader checks the bound that
// concerns it BEFORE it allocates (declared sizes, entry counts), and again while it reads
// (bytes actually inflated), so a hostile mail is refused at a fixed, small memory cost.
// The defaults are many times what large receivers send (a Google or Microsoft aggregate report
// for a busy domain is a few hundred KiB of XML, a TLS-RPT report a few KiB of JSON), and small
// enough for the mail host: parsed, a report takes about 14 times its XML size in memory (an
// 8 MiB report, ~12,000 records, about 120 MiB), so the caps bound memory, not only bytes.

export interface ReportLimits {
  /** Bytes of one whole mail message (the MIME source) handed to ingest. */
  readonly maxMessageBytes: number;
  /** Report attachments taken from one mail (RFC 7489 and RFC 8460 send exactly one). */
  readonly maxAttachments: number;
  /** Bytes of one attachment as it arrives (zip or gzip, or plain XML/JSON). */
  readonly maxCompressedBytes: number;
  /** Bytes of one report after decompression. */
  readonly maxUncompressedBytes: number;
  /** Expanded size / compressed size: above it the archive is treated as a zip bomb. */
  readonly maxRatio: number;
  /** Entries in one zip archive (a DMARC zip holds one XML file). */
  readonly maxZipEntries: number;
  /** Element (XML) or array/object (JSON) nesting; a report needs about 6. */
  readonly maxDepth: number;
  /** DMARC <record> elements, or TLS-RPT policies and failure details, in one report. */
  readonly maxRecords: number;
}

export const DEFAULT_LIMITS: ReportLimits = {
  maxMessageBytes: 8 * 1024 * 1024,
  maxAttachments: 4,
  maxCompressedBytes: 4 * 1024 * 1024,
  maxUncompressedBytes: 8 * 1024 * 1024,
  maxRatio: 200,
  maxZipEntries: 4,
  maxDepth: 32,
  maxRecords: 20_000,
};

/** Human-readable byte counts for refusal messages. */
export function bytes(n: number): string {
  if (n >= 1024 * 1024) return `${(n / (1024 * 1024)).toFixed(1)} MiB`;
  if (n >= 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${n} B`;
}
