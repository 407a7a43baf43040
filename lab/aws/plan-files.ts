// The plan's inputs from a synth's files: synth.json's resource graph (with the ids the mocks
// gave) and the parameter tree `--secrets-dir` wrote (files named like the parameters).
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { type EmulatorPlan, type SynthResourceView, emulatorPlan } from "./plan";

export function readParameterTree(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const n of readdirSync(d)) {
      const p = join(d, n);
      if (statSync(p).isDirectory()) walk(p);
      else out.set(`/${relative(dir, p).split(sep).join("/")}`, readFileSync(p, "utf8"));
    }
  };
  walk(dir);
  return out;
}

export function planFromSynth(synthOut: string, secretsDir: string, addressMap: Readonly<Record<string, string>>): EmulatorPlan {
  const synth = JSON.parse(readFileSync(join(synthOut, "synth.json"), "utf8")) as { resources: SynthResourceView[] };
  return emulatorPlan({ resources: synth.resources, values: readParameterTree(secretsDir), addressMap });
}
