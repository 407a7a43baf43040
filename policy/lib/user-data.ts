// Read what an instance will actually receive: its user data, possibly base64 and/or gzip,
// possibly a MIME multipart, holding a #cloud-config whose write_files carry the host's config
// files (each optionally b64 / gzip+base64). The host policies judge these texts, never the
// renderer's inputs.
import { gunzipSync } from "node:zlib";
import { load } from "js-yaml";
import { memoByText } from "./memo";

export interface HostFile {
  readonly path: string;
  readonly content: string;
}

export interface DecodedUserData {
  /** The user data as text after base64/gzip decoding (the cloud-config or script). */
  readonly text: string;
  /** The files cloud-init writes (write_files), decoded. */
  readonly files: readonly HostFile[];
}

const GZIP_MAGIC = [0x1f, 0x8b];

function isGzip(buf: Buffer): boolean {
  return buf.length > 2 && buf[0] === GZIP_MAGIC[0] && buf[1] === GZIP_MAGIC[1];
}

function looksBase64(s: string): boolean {
  const t = s.replace(/\s+/g, "");
  return t.length >= 8 && t.length % 4 === 0 && /^[A-Za-z0-9+/]+={0,2}$/.test(t);
}

/** Turn raw user data (text, base64, gzip, or base64 of gzip) into text. */
export function decodeUserDataText(raw: string, isBase64 = false): string {
  let buf: Buffer = isBase64 || looksBase64(raw) ? Buffer.from(raw.replace(/\s+/g, ""), "base64") : Buffer.from(raw, "utf8");
  if (isGzip(buf)) buf = gunzipSync(buf);
  const text = buf.toString("utf8");
  // A base64 guess that decoded into binary junk was plain text after all.
  if (!isBase64 && looksBase64(raw) && !/^(#|Content-Type:|MIME-Version:)/i.test(text)) return raw;
  return text;
}

function decodeContent(content: string, encoding: string | undefined): string {
  const enc = (encoding ?? "text/plain").toLowerCase();
  if (["b64", "base64"].includes(enc)) return Buffer.from(content, "base64").toString("utf8");
  if (["gz+b64", "gz+base64", "gzip+b64", "gzip+base64"].includes(enc)) return gunzipSync(Buffer.from(content, "base64")).toString("utf8");
  if (["gz", "gzip"].includes(enc)) return gunzipSync(Buffer.from(content, "binary")).toString("utf8");
  return content;
}

/** Split a MIME multipart user data into its parts' bodies (cloud-init's multi-part format). */
function mimeParts(text: string): string[] {
  const m = /boundary="?([^"\r\n;]+)"?/i.exec(text);
  if (!m?.[1]) return [text];
  const boundary = `--${m[1]}`;
  return text.split(boundary).slice(1)
    .filter((p) => !p.startsWith("--"))
    .map((part) => {
      const split = part.search(/\r?\n\r?\n/);
      const headers = split >= 0 ? part.slice(0, split) : "";
      let body = split >= 0 ? part.slice(split).replace(/^\r?\n\r?\n/, "") : part;
      if (/content-transfer-encoding:\s*base64/i.test(headers)) body = decodeUserDataText(body, true);
      return body;
    });
}

function writeFilesOf(cloudConfig: string): HostFile[] {
  const doc: unknown = load(cloudConfig);
  if (typeof doc !== "object" || doc === null) return [];
  const wf = (doc as Record<string, unknown>).write_files;
  if (!Array.isArray(wf)) return [];
  const files: HostFile[] = [];
  for (const f of wf) {
    if (typeof f !== "object" || f === null) continue;
    const rec = f as Record<string, unknown>;
    if (typeof rec.path !== "string") continue;
    const content = typeof rec.content === "string" ? rec.content : "";
    files.push({ path: rec.path, content: decodeContent(content, typeof rec.encoding === "string" ? rec.encoding : undefined) });
  }
  return files;
}

function decodeUserDataOnce(raw: string, isBase64: boolean): DecodedUserData {
  const text = decodeUserDataText(raw, isBase64);
  const files = mimeParts(text).flatMap((part) => (/^#cloud-config/.test(part.trimStart()) ? writeFilesOf(part) : []));
  return { text, files };
}

/** The user data decoded; the same (frozen) result for the same text, since every host policy asks (memo.ts). */
export const decodeUserData: (raw: string, isBase64?: boolean) => DecodedUserData =
  memoByText(4, (raw: string, isBase64 = false) => `${isBase64 ? "b" : "t"}:${raw}`, (raw: string, isBase64 = false) => decodeUserDataOnce(raw, isBase64));

/** The user data of an EC2 instance or launch template's props, decoded; undefined if none. */
export function userDataOf(props: Record<string, unknown>): DecodedUserData | undefined {
  if (typeof props.userDataBase64 === "string") return decodeUserData(props.userDataBase64, true);
  if (typeof props.userData === "string") return decodeUserData(props.userData, false);
  return undefined;
}

/** Files whose path matches, in the order cloud-init writes them (later ones win). */
export function filesMatching(files: readonly HostFile[], re: RegExp): HostFile[] {
  return files.filter((f) => re.test(f.path));
}
