// The store read back for the summary: every stored document is parsed again with the same
// guarded parsers (the store is on disk and may have been touched; nothing is taken on trust).
// A document that no longer parses is listed, not fatal.
import { readFileSync } from "node:fs";
import type { DmarcFeedback } from "./dmarc-schema";
import { parseDmarcXml } from "./dmarc-xml";
import { bytes, type ReportLimits } from "./limits";
import { isRefusal } from "./refusal";
import { refusalNotes, storedFiles, type RefusalNote } from "./store";
import { parseTlsReportJson } from "./tlsrpt-json";
import type { TlsReport } from "./tlsrpt-schema";

export interface LoadedStore {
  readonly dmarc: DmarcFeedback[];
  readonly tls: TlsReport[];
  readonly refused: RefusalNote[];
  readonly unreadable: string[];
}

export function loadStore(dir: string, limits: ReportLimits): LoadedStore {
  const unreadable: string[] = [];
  const store: LoadedStore = { dmarc: [], tls: [], refused: refusalNotes(dir, unreadable), unreadable };
  const read = <T>(files: ReturnType<typeof storedFiles>, parse: (name: string, text: string) => T, into: T[]): void => {
    for (const { file, size } of files) {
      if (size > limits.maxUncompressedBytes) {
        store.unreadable.push(`${file}: ${bytes(size)}, above the cap on one report`);
        continue;
      }
      try {
        into.push(parse(file, readFileSync(file, "utf8")));
      } catch (e) {
        if (!isRefusal(e)) throw e;
        store.unreadable.push(e.message);
      }
    }
  };
  read(storedFiles(dir, "dmarc"), (n, t) => parseDmarcXml(n, t, limits), store.dmarc);
  read(storedFiles(dir, "tlsrpt"), (n, t) => parseTlsReportJson(n, t, limits), store.tls);
  return store;
}
