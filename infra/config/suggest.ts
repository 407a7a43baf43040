// "Did you mean ...?" for a misspelled key: the closest known name by edit distance, comparing
// case- and separator-blind (alarm_email, AlarmEmail and alarmEmial all find alarmEmail).
import { z } from "zod";
import { showKey } from "./errors";

/** The fix text for an unknown name: a suggestion when one is close, else `otherwise`. */
export function didYouMean(word: string, known: readonly string[], otherwise: string): string {
  const best = closest(word, known);
  return best === undefined ? otherwise : `did you mean ${best}? (${otherwise})`;
}

export function closest(word: string, known: readonly string[]): string | undefined {
  const w = fold(word);
  if (w.length === 0 || w.length > 64) return undefined;
  let best: { name: string; d: number } | undefined;
  for (const name of known) {
    const d = distance(w, fold(name));
    if (d <= Math.max(1, Math.floor(name.length / 3)) && (best === undefined || d < best.d)) best = { name, d };
  }
  return best?.name;
}

function fold(s: string): string {
  return s.toLowerCase().replace(/[-_ ]/g, "");
}

/** Optimal string alignment distance (Levenshtein plus adjacent transpositions). */
function distance(a: string, b: string): number {
  const rows = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  const cell = (i: number, j: number) => (rows[i] as number[])[j] as number;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(cell(i - 1, j) + 1, cell(i, j - 1) + 1, cell(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, cell(i - 2, j - 2) + 1);
      (rows[i] as number[])[j] = d;
    }
  }
  return cell(a.length, b.length);
}

/** The keys the schema knows at a path of the input (array indices step into elements). */
export function knownKeysAt(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  let node: z.ZodType | undefined = unwrap(schema);
  for (const part of path) {
    if (node instanceof z.ZodArray && typeof part === "number") node = unwrap(node.element as z.ZodType);
    else if (node instanceof z.ZodObject && typeof part === "string") {
      const child: z.ZodType | undefined = (node.shape as Record<string, z.ZodType>)[part];
      node = child === undefined ? undefined : unwrap(child);
    } else node = undefined;
    if (node === undefined) return [];
  }
  return node instanceof z.ZodObject ? Object.keys(node.shape as Record<string, unknown>) : [];
}

function unwrap(s: z.ZodType): z.ZodType {
  let cur = s;
  for (;;) {
    if (cur instanceof z.ZodDefault || cur instanceof z.ZodPrefault || cur instanceof z.ZodOptional) cur = cur.unwrap() as z.ZodType;
    else if (cur instanceof z.ZodPipe) cur = cur.in as z.ZodType;
    else return cur;
  }
}

/** A list of names for a message, shortened when long. */
export function listNames(names: readonly string[], max = 8): string {
  const shown = names.slice(0, max).map((n) => showKey(n)).join(", ");
  return names.length > max ? `${shown}, …` : shown;
}
