// The front of reports/: DMARC aggregate and TLS-RPT reports taken from mail into a store and
// summarised. Self-contained (it imports nothing outside reports/) so that it can run on the
// mail host as well as on the operator's machine.
export { DEFAULT_LIMITS, type ReportLimits } from "./limits";
export { ReportRefused, isRefusal, type RefusalCode } from "./refusal";
export { ingest, ingestInputs, looksLikeMail, type IngestOutcome } from "./ingest";
export { readInput } from "./read-input";
export { readAttachment, type Attachment, type ParsedReport } from "./unpack";
export { parseReportMail } from "./mime";
export { parseDmarcXml } from "./dmarc-xml";
export { parseTlsReportJson } from "./tlsrpt-json";
export { loadStore } from "./load";
export { withinDays } from "./window";
export { ownSources, type OwnSources } from "./own-sources";
export { summarise, type ReportSummary, type Alert, type Spoofing } from "./summary";
export { summaryText } from "./summary-text";
