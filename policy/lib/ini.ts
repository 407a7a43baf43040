// fail2ban's INI files: `[section]`, `key = value`, continuation lines, `#`/`;` comments;
// files read in order, later values override earlier ones (jail.conf < jail.d/*.conf < .local).

export type Ini = ReadonlyMap<string, ReadonlyMap<string, string>>;

export function parseIni(texts: readonly string[]): Ini {
  const out = new Map<string, Map<string, string>>();
  for (const text of texts) {
    let section = "DEFAULT";
    let key: string | undefined;
    for (const raw of text.split(/\r?\n/)) {
      if (/^\s*[#;]/.test(raw) || raw.trim() === "") continue;
      const sec = /^\s*\[([^\]]+)\]\s*$/.exec(raw);
      if (sec?.[1]) { section = sec[1].trim(); key = undefined; continue; }
      if (/^\s/.test(raw) && key !== undefined) {
        const m = out.get(section);
        m?.set(key, `${m.get(key) ?? ""}\n${raw.trim()}`);
        continue;
      }
      const kv = /^\s*([^=:\s]+)\s*[=:]\s*(.*)$/.exec(raw);
      if (!kv?.[1]) continue;
      key = kv[1];
      const m = out.get(section) ?? new Map<string, string>();
      m.set(key, (kv[2] ?? "").trim());
      out.set(section, m);
    }
  }
  return out;
}

export function iniTrue(v: string | undefined): boolean {
  return /^(true|yes|1|on)$/i.test((v ?? "").trim());
}
