// `fleet merge <report or dir>...`: the shard reports (files, or directories searched for
// fleet-plan.json and <operation>-summary.json, e.g. the CI artifacts of a matrix) merged into
// one summary as markdown + JSON. Exit 1 when a shard is missing or any stack needs attention.
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Sink } from "./display/status-table";
import { type MergedFleet, mergeShards, readShardReport } from "./merge";
import { formatPlanMarkdown } from "./plan-report";
import { formatRunSummary } from "./runner";
import { writeText } from "./workspace";

const REPORT = /^(fleet-plan|preview-summary|up-summary|refresh-summary)\.json$/;

function reportFiles(path: string): string[] {
  if (!existsSync(path)) return [];
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path).sort().flatMap((name) => {
    const p = join(path, name);
    return statSync(p).isDirectory() ? reportFiles(p) : REPORT.test(name) ? [p] : [];
  });
}

export function mergedMarkdown(m: MergedFleet): string {
  if (m.kind === "plan") return formatPlanMarkdown(m.plan);
  const s = m.summary;
  const problems = m.problems.map((p) => `> **Problem:** ${p}`);
  return [`# Fleet ${s.operation} (merged shards)`, "", `${s.ok ? "**Every stack succeeded.**" : "**Not every stack succeeded: this wave stops here.**"}`, "", ...problems, ...(problems.length > 0 ? [""] : []), "```", formatRunSummary(s), "```", ""].join("\n");
}

export function mergeCommand(paths: readonly string[], outDir: string, sink: Sink): { code: number; merged: MergedFleet; markdownPath: string; jsonPath: string } {
  const files = paths.flatMap((p) => reportFiles(resolve(p)));
  const merged = mergeShards(files.map((f) => readShardReport(readFileSync(f, "utf8"), f)));
  const base = merged.kind === "plan" ? "fleet-plan" : `${merged.summary.operation}-summary`;
  const markdownPath = join(resolve(outDir), `${base}.md`);
  const jsonPath = join(resolve(outDir), `${base}.json`);
  const ok = merged.kind === "plan" ? merged.plan.ok : merged.summary.ok;
  writeText(markdownPath, mergedMarkdown(merged));
  writeText(jsonPath, `${JSON.stringify(merged.kind === "plan" ? merged.plan : merged.summary, null, 2)}\n`);
  for (const p of merged.problems) sink.write(`problem: ${p}\n`);
  sink.write(`fleet merge: ${files.length} report(s); ${ok ? "OK" : "FAILED"}\n  ${markdownPath}\n  ${jsonPath}\n`);
  return { code: ok ? 0 : 1, merged, markdownPath, jsonPath };
}
