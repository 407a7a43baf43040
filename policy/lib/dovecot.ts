// Dovecot settings as it reads them: files concatenated in include order, `name = value` at the
// top level (outside any `{ }` block) with the last one winning. Settings inside blocks are
// collected per block path (e.g. "service imap-login/inet_listener imap") for listener checks.

import type { HostFile } from "./user-data";

export interface DovecotSettings {
  readonly top: ReadonlyMap<string, string>;
  /** "block path" -> settings inside that block. */
  readonly blocks: ReadonlyMap<string, ReadonlyMap<string, string>>;
}

export function parseDovecot(texts: readonly string[]): DovecotSettings {
  const top = new Map<string, string>();
  const blocks = new Map<string, Map<string, string>>();
  const stack: string[] = [];
  for (const text of texts) {
    for (const raw of text.split(/\r?\n/)) {
      const line = raw.replace(/(^|\s)#.*$/, "").trim();
      if (line === "") continue;
      const open = /^(.+?)\s*\{$/.exec(line);
      if (open?.[1]) { stack.push(open[1].trim()); continue; }
      if (line === "}") { stack.pop(); continue; }
      const kv = /^([A-Za-z0-9_]+)\s*=\s*(.*)$/.exec(line);
      if (!kv?.[1]) continue;
      const value = (kv[2] ?? "").trim();
      if (stack.length === 0) top.set(kv[1], value);
      else {
        const key = stack.join("/");
        const m = blocks.get(key) ?? new Map<string, string>();
        m.set(kv[1], value);
        blocks.set(key, m);
      }
    }
  }
  return { top, blocks };
}

/** Dovecot's files among a host's: its .conf and .ext files under /etc/dovecot. */
const DOVECOT_FILE = /^\/etc\/dovecot\/.*\.(conf|ext)$/;

/**
 * The settings Dovecot reads from a host's files, in its include order (dovecot.conf first,
 * local.conf last, the rest by path between), or undefined when the host gets no Dovecot file.
 */
export function dovecotHostSettings(files: readonly HostFile[]): DovecotSettings | undefined {
  const order = (p: string) => (p === "/etc/dovecot/dovecot.conf" ? 0 : /local\.conf$/.test(p) ? 2 : 1);
  const conf = files.filter((f) => DOVECOT_FILE.test(f.path)).sort((a, b) => order(a.path) - order(b.path) || a.path.localeCompare(b.path));
  return conf.length === 0 ? undefined : parseDovecot(conf.map((f) => f.content));
}
