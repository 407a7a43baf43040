// Postfix main.cf / master.cf as Postfix itself reads them: `name = value` with continuation
// lines (leading whitespace), `#` comments, last definition wins, `$name` expansion; master.cf
// services with `-o name=value` overrides. Enough to know the EFFECTIVE setting per service.

export type MainCf = ReadonlyMap<string, string>;

export function parseMainCf(text: string): MainCf {
  const out = new Map<string, string>();
  let key: string | undefined;
  for (const line of text.split(/\r?\n/)) {
    if (/^\s*#/.test(line) || line.trim() === "") continue;
    if (/^\s/.test(line)) {
      if (key !== undefined) out.set(key, `${out.get(key) ?? ""} ${line.trim()}`.trim());
      continue;
    }
    const m = /^([A-Za-z0-9_]+)\s*=\s*(.*)$/.exec(line);
    if (!m?.[1]) { key = undefined; continue; }
    key = m[1];
    out.set(key, (m[2] ?? "").trim());
  }
  return out;
}

export interface MasterService {
  readonly service: string;
  readonly type: string;
  /** The maxproc column: a number, "-" (default_process_limit) or "0" (no limit). */
  readonly maxproc: string;
  readonly command: string;
  /** The command's arguments as written (pipe's user= and argv=, -o overrides, ...). */
  readonly args: readonly string[];
  readonly overrides: ReadonlyMap<string, string>;
}

export function parseMasterCf(text: string): MasterService[] {
  const entries: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    if (/^\s*#/.test(line) || line.trim() === "") continue;
    if (/^\s/.test(line) && entries.length > 0) entries[entries.length - 1] += ` ${line.trim()}`;
    else entries.push(line.trim());
  }
  return entries.map((e) => {
    const words = e.split(/\s+/);
    const overrides = new Map<string, string>();
    const cmd = words.slice(7);
    for (let i = 0; i < cmd.length; i++) {
      const w = cmd[i] ?? "";
      let kv: string | undefined;
      if (w === "-o") kv = cmd[++i];
      else if (w.startsWith("-o") && w.length > 2) kv = w.slice(2);
      if (kv === undefined) continue;
      const eq = kv.indexOf("=");
      if (eq > 0) overrides.set(kv.slice(0, eq), kv.slice(eq + 1));
    }
    return { service: words[0] ?? "", type: words[1] ?? "", maxproc: words[6] ?? "", command: words[7] ?? "", args: words.slice(8), overrides };
  });
}

/** Expand `$name` / `${name}` references against main.cf (bounded depth, no cycles). */
function expand(value: string, main: MainCf, depth = 0): string {
  if (depth > 10) return value;
  return value.replace(/\$\{?([A-Za-z0-9_]+)\}?/g, (_m, name: string) => expand(main.get(name) ?? "", main, depth + 1));
}

/** A Postfix smtpd instance: the main one (port 25) or a master.cf smtpd service. */
export interface SmtpdView {
  readonly label: string;
  get(name: string): string | undefined;
}

export function smtpdViews(main: MainCf, master: readonly MasterService[]): { readonly mainView: SmtpdView; readonly submission: SmtpdView[] } {
  const view = (label: string, overrides: ReadonlyMap<string, string>): SmtpdView => ({
    label,
    get: (name) => {
      const v = overrides.get(name) ?? main.get(name);
      return v === undefined ? undefined : expand(v, main);
    },
  });
  const submission = master
    .filter((s) => s.type === "inet" && s.command === "smtpd" && /(^|:)(submission|submissions|smtps|587|465)$/.test(s.service))
    .map((s) => view(`master.cf ${s.service}`, s.overrides));
  return { mainView: view("main.cf (smtpd, port 25)", new Map()), submission };
}

/** Split a Postfix list value (commas and/or whitespace). */
export function listOf(value: string | undefined): string[] {
  return (value ?? "").split(/[\s,]+/).filter((w) => w !== "");
}

const PROTOCOLS = ["SSLv2", "SSLv3", "TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"] as const;

/**
 * The TLS protocol versions a Postfix `*_tls_protocols` value allows. Postfix's default when
 * unset is "!SSLv2, !SSLv3" (TLS 1.0 and 1.1 allowed).
 */
export function allowedTlsProtocols(value: string | undefined): string[] {
  const v = (value ?? "!SSLv2, !SSLv3").trim();
  const words = listOf(v.replace(/([<>]=)\s+/g, "$1"));
  let allowed = new Set<string>(PROTOCOLS);
  const included = words.filter((w) => /^[A-Za-z]/.test(w));
  if (included.length > 0) allowed = new Set(included.filter((w) => (PROTOCOLS as readonly string[]).includes(w)));
  for (const w of words) {
    const bound = /^([<>]=)(.+)$/.exec(w);
    if (bound?.[2]) {
      const idx = PROTOCOLS.indexOf(bound[2] as (typeof PROTOCOLS)[number]);
      if (idx < 0) continue;
      for (const [i, p] of PROTOCOLS.entries()) if (bound[1] === ">=" ? i < idx : i > idx) allowed.delete(p);
    }
    if (w.startsWith("!")) allowed.delete(w.slice(1));
  }
  return PROTOCOLS.filter((p) => allowed.has(p));
}

export const LEGACY_PROTOCOLS = ["SSLv2", "SSLv3", "TLSv1", "TLSv1.1"] as const;
