// The results files in bench/results as figure sets for the comparison: <date>.json from
// `npm run bench` (its headline figures, computed the one way, see report.ts) and
// fleet-<date>.json from `npm run bench:fleet` (its fleet plan rows).
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import type { FigureSet } from "./compare";
import type { FleetScaleRow } from "./fleet-scale";
import { fleetHeadline } from "./headline";
import { type BenchReport, type FinalReport, finalizeReport } from "./report";

const REPORT = /^(\d{4}-\d{2}-\d{2})\.json$/;
const FLEET = /^fleet-(\d{4}-\d{2}-\d{2})\.json$/;

export function readReport(dir: string, file: string): BenchReport {
  return JSON.parse(readFileSync(join(dir, file), "utf8")) as BenchReport;
}

/** Every results file as a figure set; a bench report before a fleet file of the same day. */
export function figureHistory(dir: string): FigureSet[] {
  if (!existsSync(dir)) return [];
  const files = readdirSync(dir).sort();
  const reports = files.filter((f) => REPORT.test(f)).map((file) => {
    const report = finalizeReport(readReport(dir, file), []);
    return { file, date: report.date, figures: report.figures.headline };
  });
  const fleets = files.filter((f) => FLEET.test(f)).map((file) => {
    const doc = JSON.parse(readFileSync(join(dir, file), "utf8")) as { rows: FleetScaleRow[] };
    return { file, date: FLEET.exec(file)?.[1] ?? "", figures: fleetHeadline(doc.rows) };
  });
  return [...reports, ...fleets];
}

/** The newest bench report (<date>.json) that has a given section, finalized. */
export function latestWith(dir: string, has: (r: BenchReport) => boolean): { file: string; report: FinalReport } | undefined {
  const file = readdirSync(dir).filter((f) => REPORT.test(f)).sort().reverse().find((f) => has(readReport(dir, f)));
  if (file === undefined) return undefined;
  const history = figureHistory(dir);
  const report = readReport(dir, file);
  return { file, report: finalizeReport(report, history.filter((h) => h.date < report.date)) };
}
