// The last guard before a ConfigError is shown: no secret value, and not the offline placeholder
// that stands in for one, may appear in a message, whole or as the capped excerpt a message
// quotes. The checks avoid quoting secrets in the first place; this catches what slips through.
import type { ConfigIssue } from "./errors";
import { NAMESPACE, type RawStackConfig } from "./raw";
import { OPAQUE_SECRET_PLACEHOLDER } from "./stack-file";

const MARK = "[secret]";
/** Shorter values would match ordinary words of a message. */
const MIN_SECRET = 6;
/** An excerpt this long is enough to recognise a quoted secret. */
const PREFIX = 12;

export function redactSecrets(issues: readonly ConfigIssue[], raw: RawStackConfig, secretNames: ReadonlySet<string>): ConfigIssue[] {
  const secrets = new Set<string>([OPAQUE_SECRET_PLACEHOLDER]);
  for (const key of raw.secretKeys) addValue(secrets, raw.values[key]);
  for (const name of secretNames) addValue(secrets, raw.values[`${NAMESPACE}:${name}`]);
  // Index each secret (as written and as JSON-escaped) by its first characters, so scrubbing is
  // one pass over each message whatever the number of secrets.
  const index = new Map<string, string[]>();
  for (const s of secrets) {
    if (s.length < MIN_SECRET) continue;
    for (const form of new Set([s, JSON.stringify(s).slice(1, -1)])) {
      const key = form.slice(0, MIN_SECRET);
      index.set(key, [...(index.get(key) ?? []), form]);
    }
  }
  const scrub = (text: string): string => {
    let out = "";
    let i = 0;
    while (i < text.length) {
      const candidates = index.get(text.slice(i, i + MIN_SECRET)) ?? [];
      const whole = candidates.find((f) => text.startsWith(f, i));
      const excerpt = whole === undefined ? candidates.find((f) => text.startsWith(f.slice(0, PREFIX), i)) : undefined;
      if (whole !== undefined) {
        out += MARK;
        i += whole.length;
      } else if (excerpt !== undefined) {
        // A capped quote of the secret: hide the rest of the word it starts.
        out += MARK;
        i += Math.min(PREFIX, excerpt.length);
        while (i < text.length && !/[\s"]/.test(text[i] as string)) i++;
      } else {
        out += text[i];
        i++;
      }
    }
    return out;
  };
  return issues.map((i) => ({ path: scrub(i.path), problem: scrub(i.problem), fix: scrub(i.fix) }));
}

function addValue(into: Set<string>, value: string | undefined): void {
  if (value !== undefined) into.add(value);
}
