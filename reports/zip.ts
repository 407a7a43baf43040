// Reading the one report out of a zip archive with yauzl, under hard bounds. The entry count and
// the declared sizes come from the central directory and are judged before anything inflates;
// yauzl then cuts an entry that inflates past its declared size, so an archive that lies about
// its sizes costs no more than an honest one. Entry names are never used as paths, but an
// unsafe one still means a hostile archive, and it is refused.
import type { Readable } from "node:stream";
import * as yauzl from "yauzl";
import { bytes, type ReportLimits } from "./limits";
import { refuse, ReportRefused } from "./refusal";

export const ZIP_MAGIC = Buffer.from([0x50, 0x4b, 0x03, 0x04]);

const YAUZL_NAME_ERROR = /^(invalid characters in fileName|absolute path|invalid relative path)/;

function unsafeName(name: string): string | undefined {
  if ([...name].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f)) return "holds control characters";
  if (name.startsWith("/") || /^[a-zA-Z]:/.test(name)) return "is an absolute path";
  if (name.split(/[\\/]/).includes("..")) return "climbs out of the archive (..)";
  return undefined;
}

async function entries(zip: yauzl.ZipFile): Promise<yauzl.Entry[]> {
  const all: yauzl.Entry[] = [];
  for await (const entry of zip.eachEntry()) all.push(entry);
  return all;
}

async function collect(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks);
}

/** The one file inside a report zip, inflated. */
export async function unzipReport(archive: string, data: Buffer, limits: ReportLimits): Promise<{ name: string; content: Buffer }> {
  let zip: yauzl.ZipFile | undefined;
  try {
    zip = await yauzl.fromBufferPromise(data, { lazyEntries: true, strictFileNames: true, validateEntrySizes: true, decodeStrings: true });
    if (zip.entryCount > limits.maxZipEntries) {
      refuse("zip-entries", `${archive}: the zip holds ${zip.entryCount} entries, more than ${limits.maxZipEntries}; a DMARC report zip holds one XML file`);
    }
    const files = (await entries(zip)).filter((e) => !e.fileName.endsWith("/"));
    for (const e of files) {
      const why = unsafeName(e.fileName);
      if (why !== undefined) refuse("zip-path", `${archive}: zip entry name ${JSON.stringify(e.fileName)} ${why}; refused as hostile`);
    }
    if (files.length !== 1) refuse("zip-entries", `${archive}: the zip holds ${files.length} files; a DMARC report zip holds exactly one XML file`);
    const [entry] = files as [yauzl.Entry];
    if (entry.isEncrypted()) refuse("zip-invalid", `${archive}: zip entry "${entry.fileName}" is encrypted; reports are never encrypted`);
    const bound = Math.min(limits.maxUncompressedBytes, data.length * limits.maxRatio);
    if (entry.uncompressedSize > bound) {
      const cap = bound === limits.maxUncompressedBytes;
      refuse(cap ? "too-large" : "zip-bomb", `${archive}: zip entry "${entry.fileName}" declares ${bytes(entry.uncompressedSize)} from ${bytes(data.length)} of zip, above ${cap ? `the cap of ${bytes(bound)} on one report` : `a ratio of ${limits.maxRatio}:1 (a decompression bomb)`}`);
    }
    const stream = await zip.openReadStreamPromise(entry);
    // yauzl (validateEntrySizes) errors as soon as the stream passes the declared size, which is
    // within the bound: what is collected here never exceeds it.
    return { name: entry.fileName, content: await collect(stream) };
  } catch (e) {
    if (e instanceof ReportRefused) throw e;
    const message = (e as Error).message;
    if (YAUZL_NAME_ERROR.test(message)) refuse("zip-path", `${archive}: zip entry name refused as hostile (${message})`);
    if (/^too many bytes in the stream/.test(message)) refuse("zip-invalid", `${archive}: a zip entry inflates to more than it declares, a lying archive (${message}); cut where the declared size ended`);
    return refuse("zip-invalid", `${archive}: not a readable zip archive (${message})`);
  } finally {
    zip?.close();
  }
}
