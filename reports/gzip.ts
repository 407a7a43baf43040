// gunzip with node:zlib under a hard output bound. The bound is the smaller of the size cap and
// what the ratio cap allows for this input, and zlib stops at it (maxOutputLength) instead of
// inflating a bomb first and measuring afterwards.
import { gunzipSync } from "node:zlib";
import { bytes, type ReportLimits } from "./limits";
import { refuse } from "./refusal";

export const GZIP_MAGIC = Buffer.from([0x1f, 0x8b]);

export function gunzipBounded(name: string, data: Buffer, limits: ReportLimits): Buffer {
  const byRatio = data.length * limits.maxRatio;
  const bound = Math.min(limits.maxUncompressedBytes, byRatio);
  try {
    return gunzipSync(data, { maxOutputLength: Math.max(1, bound) });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ERR_BUFFER_TOO_LARGE") {
      if (bound === limits.maxUncompressedBytes) {
        refuse("too-large", `${name}: expands past ${bytes(limits.maxUncompressedBytes)} (the cap on one report); a real report this big is unusual: raise maxUncompressedBytes if you trust the sender`);
      }
      refuse("zip-bomb", `${name}: ${bytes(data.length)} of gzip expands past ${bytes(bound)}, a ratio above ${limits.maxRatio}:1: refused as a decompression bomb`);
    }
    refuse("gzip-invalid", `${name}: not a readable gzip stream (${(e as Error).message})`);
  }
}
