// The host bundle: every host file that is not part of the bootstrap, packed into SSM String
// parameters the instance role already reads (/mailfort/<stack>/host/bundle/000, 001, ...), so the
// user data stays small and does not grow with the stack. One JSON document, gzip-compressed and
// base64-encoded, split into values that fit SSM's standard tier (free, 4 KB a value): a
// 200-domain stack needs a handful of parameters, not one per file (an account holds at most
// 10,000 standard parameters per region, and an MSP runs many stacks in one account).
// The user data pins the SHA-256 of the JSON document (mailfort.env), so a change to any host
// file changes the user data and replaces the instance, and the host refuses a bundle that is not
// the one its user data was made with (configs/bin/mailfort-host-files).
import { createHash } from "node:crypto";
import { gunzipSync, gzipSync } from "node:zlib";
import type { HostFile } from "./files";

/** Names the document's shape; the installer and the policy pack refuse any other. */
export const HOST_BUNDLE_FORMAT = "mailfort-host-files/1";

/** SSM's standard tier: 4 KB a value. Base64 is ASCII, so characters are bytes. */
export const HOST_BUNDLE_CHUNK_CHARS = 4096;

/** More parts than this means something is wrong with the renderer (100 x 4 KB of gzip). */
export const HOST_BUNDLE_MAX_CHUNKS = 100;

export interface HostBundle {
  readonly files: readonly HostFile[];
  /** The document the host unpacks: {"format", "files": [{path, mode, owner, content}]}. */
  readonly json: string;
  /** SHA-256 (hex) of the document's UTF-8 bytes: what the user data pins. */
  readonly sha256: string;
  /** base64 of the gzip of the document, in order, each at most HOST_BUNDLE_CHUNK_CHARS. */
  readonly chunks: readonly string[];
}

/** gzip -9 with a fixed header: zlib writes the build's OS into byte 9 (Linux 3, macOS 19), and a
 * synth on a laptop must produce the same user data and parameters as one in CI. */
export function portableGzip(data: Buffer): Buffer {
  const gz = gzipSync(data, { level: 9 });
  gz[9] = 3;
  return gz;
}

export function packHostBundle(files: readonly HostFile[]): HostBundle {
  const seen = new Set<string>();
  for (const f of files) {
    if (seen.has(f.path)) throw new Error(`host bundle: ${f.path} is rendered twice`);
    seen.add(f.path);
  }
  const json = JSON.stringify({ format: HOST_BUNDLE_FORMAT, files: files.map((f) => ({ path: f.path, mode: f.mode, owner: f.owner, content: f.content })) });
  const encoded = portableGzip(Buffer.from(json, "utf8")).toString("base64");
  const chunks: string[] = [];
  for (let at = 0; at < encoded.length; at += HOST_BUNDLE_CHUNK_CHARS) chunks.push(encoded.slice(at, at + HOST_BUNDLE_CHUNK_CHARS));
  if (chunks.length > HOST_BUNDLE_MAX_CHUNKS) {
    throw new Error(`host bundle: ${chunks.length} parameters of ${HOST_BUNDLE_CHUNK_CHARS} characters, over the ${HOST_BUNDLE_MAX_CHUNKS} the host accepts; a rendered file is far larger than it should be`);
  }
  return { files, json, sha256: createHash("sha256").update(json, "utf8").digest("hex"), chunks };
}

/** The files of a bundle from its parameter values (in order): for the synth's artifacts and
 * tests. The host and the policy pack have their own readers and trust neither this nor the
 * renderer. */
export function unpackHostBundle(chunks: readonly string[]): { files: HostFile[]; sha256: string } {
  const json = gunzipSync(Buffer.from(chunks.join(""), "base64")).toString("utf8");
  const doc = JSON.parse(json) as { format?: unknown; files?: HostFile[] };
  if (doc.format !== HOST_BUNDLE_FORMAT || !Array.isArray(doc.files)) throw new Error(`host bundle: not a ${HOST_BUNDLE_FORMAT} document`);
  return { files: doc.files, sha256: createHash("sha256").update(json, "utf8").digest("hex") };
}
