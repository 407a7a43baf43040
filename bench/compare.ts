// Each headline figure against its previous measurement: the newest earlier results file that
// has the same figure (bench/results/<date>.json, or for the fleet plan the older
// fleet-<date>.json). The same rows feed the bench report's comparison table and the figures in
// docs/performance.md. "Better" and "worse" follow the figure's direction; within +-3 % is noise
// on this shared machine and is called the same.
import { type Headline, targetMet } from "./headline";

export interface FigureSet {
  /** The results file (bench/results/...), for the reader. */
  readonly file: string;
  /** YYYY-MM-DD: newer sets first when sorted. */
  readonly date: string;
  readonly figures: readonly Headline[];
}

export interface Comparison {
  readonly figure: Headline;
  readonly file: string;
  readonly date: string;
  readonly previous?: { readonly value: number; readonly file: string; readonly date: string };
  /** now / previous - 1 */
  readonly change?: number;
  readonly verdict: "better" | "worse" | "same" | "new";
  readonly targetMet?: boolean;
}

const NOISE = 0.03;

/** For every figure in `sets` (newest first after sorting by date): its newest value and the one before. */
export function compareFigures(sets: readonly FigureSet[]): Comparison[] {
  const ordered = [...sets].sort((a, b) => (a.date < b.date ? 1 : a.date > b.date ? -1 : 0));
  const seen = new Set<string>();
  const out: Comparison[] = [];
  for (const [i, set] of ordered.entries()) {
    for (const figure of set.figures) {
      if (seen.has(figure.id)) continue;
      seen.add(figure.id);
      const before = ordered.slice(i + 1).find((s) => s.date < set.date && s.figures.some((f) => f.id === figure.id));
      const prev = before?.figures.find((f) => f.id === figure.id);
      const met = targetMet(figure);
      const base = { figure, file: set.file, date: set.date, ...(met === undefined ? {} : { targetMet: met }) };
      if (before === undefined || prev === undefined) {
        out.push({ ...base, verdict: "new" });
        continue;
      }
      const change = prev.value === 0 ? undefined : figure.value / prev.value - 1;
      const improved = figure.better === "higher" ? figure.value > prev.value : figure.value < prev.value;
      const verdict = change !== undefined && Math.abs(change) <= NOISE ? "same" : improved ? "better" : figure.value === prev.value ? "same" : "worse";
      out.push({ ...base, previous: { value: prev.value, file: before.file, date: before.date }, ...(change === undefined ? {} : { change }), verdict });
    }
  }
  return out;
}

const num = (v: number, unit: string) => `${Number.isInteger(v) ? v : v < 1 ? v.toFixed(3) : v.toFixed(2)}${unit === "" ? "" : ` ${unit}`}`;

/** The comparison as Markdown table rows: figure, now, target, previous (date), change. */
export function comparisonRows(rows: readonly Comparison[]): string[][] {
  return rows.map((c) => [
    c.figure.label,
    num(c.figure.value, c.figure.unit),
    c.figure.target === undefined ? "" : `${c.figure.better === "higher" ? ">=" : "<="} ${num(c.figure.target, c.figure.unit)}: ${c.targetMet === true ? "met" : "**not met**"}`,
    c.previous === undefined ? "-" : `${num(c.previous.value, c.figure.unit)} (${c.previous.date})`,
    c.change === undefined ? (c.verdict === "new" ? "new" : "-") : `${c.change >= 0 ? "+" : ""}${(c.change * 100).toFixed(0)} % (${c.verdict})`,
  ]);
}

export const COMPARISON_HEAD = ["figure", "now", "target", "previous (date)", "change"] as const;
