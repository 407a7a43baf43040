// Child-process entry of runSynth: synthesize one stack under mocks, write the public (secret-
// free) SynthResult as JSON to --result. Exit 0 on success, 2 on a config error, 1 otherwise.
import { readFileSync, writeFileSync } from "node:fs";
import { ConfigError } from "../config";
import { synthInProcess } from "./in-process";
import type { MockSnapshot } from "./mocks";
import { publicView } from "./result";

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main(): Promise<number> {
  const stack = arg("stack");
  const resultPath = arg("result");
  if (stack === undefined || resultPath === undefined) throw new Error("usage: child.ts --stack <name> --result <file> [--config-file f] [--secrets-dir d] [--serial n] [--snapshots f]");
  const configFile = arg("config-file");
  const secretsDir = arg("secrets-dir");
  const serial = arg("serial");
  const snapshots = arg("snapshots");
  try {
    const result = await synthInProcess(stack, {
      ...(configFile !== undefined ? { configFile } : {}),
      ...(secretsDir !== undefined ? { secretsDir } : {}),
      ...(serial !== undefined ? { serial: Number(serial) } : {}),
      ...(snapshots !== undefined ? { snapshots: JSON.parse(readFileSync(snapshots, "utf8")) as MockSnapshot[] } : {}),
    });
    writeFileSync(resultPath, JSON.stringify({ ok: publicView(result) }));
    return 0;
  } catch (e) {
    if (e instanceof ConfigError) {
      writeFileSync(resultPath, JSON.stringify({ configError: e.issues }));
      return 2;
    }
    writeFileSync(resultPath, JSON.stringify({ error: e instanceof Error ? (e.stack ?? e.message) : String(e) }));
    return 1;
  }
}

main().then((code) => process.exit(code), (e: unknown) => {
  console.error(e);
  process.exit(1);
});
