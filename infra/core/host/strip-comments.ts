// EC2 user data is limited to 16 KiB, and the commented configs/ do not fit in it even
// compressed. So what lands on the host keeps every setting but not the full-line comments: the
// WHY of each setting lives in configs/ in the repository, and each landed file says where.
// Only whole comment lines go; nothing on a setting's line is touched, and lines that look like
// comments but are directives (shebang, shellcheck, apt's #clear/#include) stay.

const KEEP = [/^#!/, /^\s*#\s*shellcheck /, /^#clear /, /^#include /];

/** A file's line-comment marker, by what it is: apt and Roundcube's PHP use //, PHP-FPM ;, Lua --, HTML none. */
function commentStyle(source: string): string | undefined {
  // Roundcube's .inc files are PHP; Rspamd's local.d/*.inc are not (# comments, like the rest).
  if (source.startsWith("apt/") || (source.startsWith("roundcube/") && /\.(php|inc)$/.test(source))) return "//";
  if (source.startsWith("php/")) return ";";
  if (source.endsWith(".lua")) return "--";
  if (source.endsWith(".html")) return undefined;
  return "#";
}

const escape = (s: string) => s.replace(/[/\\^$*+?.()|[\]{}-]/g, "\\$&");

export function stripComments(source: string, text: string): string {
  const style = commentStyle(source);
  // A page template keeps its text as it is; the header is an HTML comment (never shown).
  if (style === undefined) return `<!-- mailfort: rendered from configs/${source}; a page template, shipped as it is. -->\n${text}`;
  const comment = new RegExp(`^\\s*${escape(style)}`);
  const out: string[] = [];
  for (const line of text.split("\n")) {
    if (comment.test(line) && !KEEP.some((k) => k.test(line))) continue;
    if (line.trim() === "" && (out.length === 0 || out[out.length - 1].trim() === "")) continue;
    out.push(line);
  }
  const header = `${style} mailfort: rendered from configs/${source}; the reason for each setting is commented there.`;
  // After a shebang, and after PHP's opening tag (text before it would be sent to the browser).
  const at = out[0]?.startsWith("#!") || out[0]?.startsWith("<?php") ? 1 : 0;
  out.splice(at, 0, header);
  return out.join("\n").replace(/\n*$/, "\n");
}
