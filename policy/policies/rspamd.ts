// Rspamd settings the security model requires: the outbound limit per authenticated user, the
// DNS and URL blocklists (RBL/SURBL) left on, and the local block lists wired to refuse.
import { hostFilesPolicy } from "../lib/host-files";
import type { HostFile } from "../lib/user-data";

/** The files Rspamd reads for a module (local.d merges, override.d replaces), comments removed. */
function moduleConf(files: readonly HostFile[], module: string): string[] {
  return files.filter((f) => new RegExp(`^/etc/rspamd/(local|override)\\.d/${module}\\.conf$`).test(f.path)).map((f) => f.content.replace(/#.*$/gm, ""));
}

/** The `name { ... }` blocks directly inside the first `rates { }` block. */
function rateBuckets(text: string): Array<{ name: string; body: string }> {
  const start = /\brates\s*\{/.exec(text);
  if (!start) return [];
  const out: Array<{ name: string; body: string }> = [];
  let depth = 1;
  let name = "";
  let bodyStart = 0;
  for (let i = start.index + start[0].length; i < text.length && depth > 0; i++) {
    if (text[i] === "{") {
      if (depth === 1) {
        name = /([A-Za-z0-9_"-]+)\s*=?\s*$/.exec(text.slice(Math.max(0, i - 80), i))?.[1]?.replace(/"/g, "") ?? "";
        bodyStart = i + 1;
      }
      depth++;
    } else if (text[i] === "}") {
      depth--;
      if (depth === 1) out.push({ name, body: text.slice(bodyStart, i) });
    }
  }
  return out;
}

export const rspamdOutboundLimitPolicy = hostFilesPolicy({
  name: "host-rspamd-outbound-limit",
  area: "host",
  description: "Rspamd's ratelimit module is on and has a bucket keyed by the authenticated user (selector user) with a positive, finite rate.",
  why: "The outbound limit caps what a stolen password can send before anyone notices, keeping the server off blocklists (paper: outbound limits).",
}, (files, report) => {
  const texts = moduleConf(files, "ratelimit");
  if (texts.length === 0) { report("the host gets no /etc/rspamd/local.d/ratelimit.conf"); return; }
  if (texts.some((t) => /^\s*enabled\s*=\s*false\s*;/m.test(t))) report("ratelimit.conf sets enabled = false");
  const perUser = texts.flatMap(rateBuckets).filter((b) => /\bselector\s*=\s*"user\b/.test(b.body));
  if (perUser.length === 0) { report("ratelimit.conf has no bucket with selector \"user...\" (a limit per authenticated user)"); return; }
  for (const b of perUser) {
    const rate = /\brate\s*=\s*"?\s*(\d+(?:\.\d+)?)\s*\/\s*\d*\s*(s|sec|min|m|h|hour|d|day)\b/.exec(b.body);
    const burst = /\bburst\s*=\s*(\d+(?:\.\d+)?)\s*;/.exec(b.body);
    if (!rate || Number(rate[1]) <= 0) report(`ratelimit bucket ${b.name} has no positive rate ("N / 1h")`);
    if (!burst || Number(burst[1]) <= 0) report(`ratelimit bucket ${b.name} has no positive burst`);
  }
});

export const rspamdReputationPolicy = hostFilesPolicy({
  name: "host-rspamd-reputation",
  area: "host",
  description: "Rspamd's RBL module (DNS and URL blocklists, SURBL included) is not switched off, and the local block lists are wired: a listed client IP or sender domain is refused, a listed link host scored.",
  why: "URL blocklists catch phishing links that sender reputation misses; the local block list is the paper's \"maintain a local blacklist\".",
}, (files, report) => {
  for (const t of moduleConf(files, "rbl")) {
    // Module-wide or for one list (e.g. SURBL_MULTI { enabled = false; }): either turns lists off.
    if (/\benabled\s*=\s*false\s*;/.test(t)) report("rbl.conf sets enabled = false, switching blocklists off");
    const disabled = /\bdisabled_rbl_suffixes_map\s*=\s*\[([^\]]*)\]/.exec(t)?.[1];
    if (disabled !== undefined && /"[^"]+\.[a-z]{2,}"/i.test(disabled)) report(`rbl.conf disables lists by suffix: ${disabled.trim()}`);
  }
  const multimap = moduleConf(files, "multimap").join("\n");
  if (multimap === "") { report("the host gets no /etc/rspamd/local.d/multimap.conf (the local block and allow lists)"); return; }
  for (const [type, what] of [["ip", "client address"], ["from", "sender domain"]] as const) {
    const blocks = [...multimap.matchAll(/([A-Z0-9_]+)\s*\{([^}]*)\}/g)].filter((m) => new RegExp(`\\btype\\s*=\\s*"${type}"`).test(m[2] ?? "") && /block/i.test(`${m[1]} ${m[2]}`));
    if (!blocks.some((m) => /\baction\s*=\s*"reject"/.test(m[2] ?? ""))) report(`multimap.conf has no ${what} block list that rejects (type "${type}", action "reject")`);
  }
});
