// Text a stack's author wrote (a policy.relax reason) and messages that quote stack values, made
// safe for where they are shown. In a terminal: no control characters (an ANSI escape could
// recolour, hide or rewrite earlier lines), no bidi overrides or invisible characters. In a
// pull-request comment: no HTML, no markdown that builds links or images, no @mentions that
// would notify people; the author's free text goes into a code span, where GitHub renders
// nothing and links no mention.

// eslint-disable-next-line no-control-regex -- matching control characters is the point
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/g;

function capped(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** For a terminal or a log line: unprintable characters written as \u{...}, length capped. */
export function terminalSafe(text: string, max = 500): string {
  return capped(text.replace(UNPRINTABLE, (c) => `\\u{${(c.codePointAt(0) ?? 0).toString(16)}}`), max);
}

/** For a markdown table cell: HTML escaped, markdown punctuation escaped, mentions broken. */
export function markdownText(text: string, max = 1000): string {
  return terminalSafe(text, max)
    .replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
    .replace(/([\\`*_{}[\]()#+!|~])/g, "\\$1")
    // An @ followed by a name would notify that user or team: a zero-width joiner breaks it.
    .replace(/@(?=[A-Za-z0-9])/g, "@&#8203;");
}

/** Free text as an inline code span (safe in a table cell): nothing inside is rendered or linked. */
export function markdownCode(text: string, max = 300): string {
  const flat = terminalSafe(text, max).replace(/\|/g, "\\|");
  const longestTicks = Math.max(0, ...[...flat.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = "`".repeat(longestTicks + 1);
  return `${fence} ${flat} ${fence}`;
}
