// Read the host bundle the way the host does, from the stack's SSM parameter resources: the parts
// /mailfort/<stack>/host/bundle/000, 001, ... in order, base64 of one gzip stream of a JSON
// document {"format": "mailfort-host-files/1", "files": [{path, mode, owner, content}]}. The pack's
// own reader (it never imports the renderer): what it judges is what the instance will install,
// and the digest it computes is the one the user data must pin.
import { createHash } from "node:crypto";
import { gunzipSync } from "node:zlib";
import { str } from "../define";
import { memoByText } from "./memo";
import type { HostFile } from "./user-data";

export const SSM_PARAMETER = "aws:ssm/parameter:Parameter";
const FORMAT = "mailfort-host-files/1";
/** What the host accepts at most (configs/bin/mailfort-host-files MAX_DOCUMENT). */
const MAX_DOCUMENT = 16 * 1024 * 1024;

/** A resource as both the CLI (props) and the offline graph (inputs, mapped to props) give it. */
export interface BundleSource {
  readonly type: string;
  readonly props: Record<string, unknown>;
}

export interface HostBundleFile extends HostFile {
  readonly mode: string;
  readonly owner: string;
}

export interface HostBundleRead {
  /** Parameters found (0 when the stack has no bundle). */
  readonly parts: number;
  /** SHA-256 (hex) of the JSON document, when it decoded. */
  readonly sha256?: string;
  readonly files: readonly HostBundleFile[];
  /** Why the bundle could not be read whole; empty when it could (or when there is none). */
  readonly problems: readonly string[];
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

function partsOf(resources: readonly BundleSource[], stack: string): Map<number, string> {
  const name = new RegExp(`^/mailfort/${escape(stack)}/host/bundle/([0-9]{3})$`);
  const parts = new Map<number, string>();
  for (const r of resources) {
    if (r.type !== SSM_PARAMETER) continue;
    const m = name.exec(str(r.props.name) ?? "");
    if (m?.[1] !== undefined) parts.set(Number(m[1]), str(r.props.value) ?? "");
  }
  return parts;
}

function filesOf(doc: unknown): { files: HostBundleFile[]; problems: string[] } {
  const files: HostBundleFile[] = [];
  const problems: string[] = [];
  const list = typeof doc === "object" && doc !== null ? (doc as Record<string, unknown>) : {};
  if (list.format !== FORMAT || !Array.isArray(list.files)) return { files, problems: [`the host bundle is not a ${FORMAT} document`] };
  for (const [i, f] of list.files.entries()) {
    const rec = typeof f === "object" && f !== null ? (f as Record<string, unknown>) : {};
    const [path, mode, owner, content] = [rec.path, rec.mode, rec.owner, rec.content];
    if (typeof path !== "string" || typeof mode !== "string" || typeof owner !== "string" || typeof content !== "string") {
      problems.push(`host bundle file ${i} lacks a path, mode, owner or text content`);
      continue;
    }
    files.push({ path, mode, owner, content });
  }
  return { files, problems };
}

export function readHostBundle(resources: readonly BundleSource[], stack: string): HostBundleRead {
  const parts = partsOf(resources, stack);
  if (parts.size === 0) return { parts: 0, files: [], problems: [] };
  const order = [...parts.keys()].sort((a, b) => a - b);
  if (order.some((n, i) => n !== i)) return { parts: parts.size, files: [], problems: [`host bundle parts are ${order.map((n) => String(n).padStart(3, "0")).join(", ")}; the host needs 000 to ${String(parts.size - 1).padStart(3, "0")} without a gap`] };
  return { parts: parts.size, ...decodeBundle(order.map((n) => parts.get(n)).join("")) };
}

/** The joined parts decoded: base64, gunzip, digest, JSON, files. Every host policy reads the same
 * bundle, so the same text gives the same (frozen) result without decoding it again (memo.ts). */
const decodeBundle = memoByText(4, (joined: string) => joined, (joined: string): Omit<HostBundleRead, "parts"> => {
  let json: Buffer;
  try {
    json = gunzipSync(Buffer.from(joined, "base64"), { maxOutputLength: MAX_DOCUMENT });
  } catch (e) {
    return { files: [], problems: [`the host bundle does not decode as base64 of gzip (${(e as Error).message})`] };
  }
  const sha256 = createHash("sha256").update(json).digest("hex");
  let doc: unknown;
  try {
    doc = JSON.parse(json.toString("utf8"));
  } catch {
    return { sha256, files: [], problems: ["the host bundle is not JSON"] };
  }
  return { sha256, ...filesOf(doc) };
});

export interface PinnedBundle {
  /** MAILFORT_HOST_BUNDLE_SHA256: the document's digest. */
  readonly sha256?: string;
  /** MAILFORT_HOST_BUNDLE_PARTS: how many parameters the host reads (000 to parts-1). */
  readonly parts?: number;
}

/** What an instance's user data pins in its mailfort.env: the bundle's digest and part count. */
export function pinnedBundle(files: readonly HostFile[]): PinnedBundle {
  const env = files.filter((f) => f.path === "/etc/mailfort/mailfort.env").at(-1)?.content ?? "";
  const sha256 = /^MAILFORT_HOST_BUNDLE_SHA256="?([0-9a-f]{64})"?\s*$/m.exec(env)?.[1];
  const parts = /^MAILFORT_HOST_BUNDLE_PARTS="?([0-9]{1,3})"?\s*$/m.exec(env)?.[1];
  return { ...(sha256 !== undefined ? { sha256 } : {}), ...(parts !== undefined ? { parts: Number(parts) } : {}) };
}
