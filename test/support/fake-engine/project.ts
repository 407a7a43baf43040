// What the CLI reads from Pulumi.yaml (or a pack's PulumiPolicy.yaml) before it asks the
// language host to run something: the project name, the runtime options (typescript defaults to
// true; tsconfig; nodeargs) and where the program is. `main` works as in the engine's getPwdMain:
// a directory becomes the working directory with entry point ".", a file becomes its directory
// plus its base name.
import { readFileSync, statSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { load } from "js-yaml";

export interface RuntimeOptions {
  readonly typescript: boolean;
  readonly tsconfig?: string;
  readonly nodeArgs: readonly string[];
}

export interface ProjectRuntime extends RuntimeOptions {
  readonly name: string;
  readonly programDir: string;
  readonly entryPoint: string;
}

interface ProjectFile {
  name?: unknown;
  main?: unknown;
  runtime?: unknown;
}

function readProjectFile(path: string): ProjectFile {
  const doc: unknown = load(readFileSync(path, "utf8"));
  if (typeof doc !== "object" || doc === null) throw new Error(`${path} is not a YAML mapping`);
  return doc as ProjectFile;
}

/** runtime.options of a project file (a bare `runtime: nodejs` has none). */
export function runtimeOptions(path: string): RuntimeOptions {
  const { runtime } = readProjectFile(path);
  const options = typeof runtime === "object" && runtime !== null ? ((runtime as { options?: Record<string, unknown> }).options ?? {}) : {};
  return {
    typescript: options.typescript !== false,
    ...(typeof options.tsconfig === "string" ? { tsconfig: options.tsconfig } : {}),
    nodeArgs: splitNodeArgs(options.nodeargs),
  };
}

export function programLocation(projectDir: string): ProjectRuntime {
  const file = join(projectDir, "Pulumi.yaml");
  const doc = readProjectFile(file);
  if (typeof doc.name !== "string") throw new Error(`${file} has no project name`);
  let programDir = projectDir;
  let entryPoint = ".";
  if (typeof doc.main === "string" && doc.main !== "") {
    const main = resolve(projectDir, doc.main);
    if (statSync(main).isDirectory()) programDir = main;
    else [programDir, entryPoint] = [dirname(main), basename(main)];
  }
  return { name: doc.name, programDir, entryPoint, ...runtimeOptions(file) };
}

/** The host splits nodeargs with shell rules; plain words are all this repository needs. */
function splitNodeArgs(value: unknown): string[] {
  if (value === undefined) return [];
  if (typeof value !== "string") throw new Error("runtime.options.nodeargs must be a string");
  if (/["'\\]/.test(value)) throw new Error(`the fake language host splits nodeargs on spaces only: ${value}`);
  return value.split(/\s+/).filter((w) => w !== "");
}
