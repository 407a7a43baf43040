// The start of a synth process, imported FIRST by its entry points (tools/synth.ts and the
// runSynth child) so it runs before @pulumi/pulumi loads. It removes three costs the synth pays on
// every run and never uses (profiled: the first two were about half of a `synth --stack lab`):
//  - Source maps. tsx turns them on; Node then reads and parses the .js.map of every module it
//    loads (~1,600, most under @pulumi/*) and maps every frame of the unbounded stack trace Pulumi
//    captures for each resource it constructs (a source position the mocks ignore). They stay on
//    when asked for (NODE_OPTIONS=--enable-source-maps), e.g. to read a synth crash's stack.
//  - Closure serialization. @pulumi/pulumi's runtime loads TypeScript (9 MB) and npm's Arborist
//    when it is imported, to turn JavaScript functions into Lambda code (CallbackFunction, dynamic
//    providers). mailfort serializes no function: both load on first use instead.
//  - Promise stack traces. Pulumi's debuggablePromise formats a stack trace for every promise it
//    makes (several per resource property: profiled, about a tenth of a synth's CPU) and prints
//    them only when PULUMI_DEBUG_PROMISE_LEAKS is set. Without it they are not captured.
import Module from "node:module";
import { dirname, join } from "node:path";

const PULUMI_ROOT = dirname(require.resolve("@pulumi/pulumi/package.json"));

/** The modules deferred here, with the function exports each stand-in forwards. */
export const DEFERRED_MODULES: Readonly<Record<string, readonly string[] | "namespace">> = {
  // Requires @npmcli/arborist; runtime/index.js re-exports these two functions.
  "runtime/closure/codePaths.js": ["computeCodePaths", "findWorkspaceRoot"],
  // `require("typescript")`; used through its properties (ts.createSourceFile, ...).
  "typescript-shim.js": "namespace",
};

/** Pulumi's promise wrapper; its stand-in captures no stack unless leak debugging is on. */
export const PROMISE_MODULE = "runtime/debuggable.js";

function sourceMapsRequested(): boolean {
  return [...process.execArgv, ...(process.env.NODE_OPTIONS ?? "").split(/\s+/)].includes("--enable-source-maps");
}

/**
 * Put a stand-in for `filename` in require's cache; `real()` loads the module itself, once. The
 * stand-in stays in the cache, so a module required after that first use gets it too.
 */
function defer(filename: string, exports: (real: () => Record<string, unknown>) => unknown): void {
  if (require.cache[filename] !== undefined) return;
  let loaded: Record<string, unknown> | undefined;
  const standIn = new Module(filename);
  const real = (): Record<string, unknown> => {
    if (loaded === undefined) {
      delete require.cache[filename];
      try {
        // eslint-disable-next-line @typescript-eslint/no-require-imports -- loads the real module synchronously, on first use
        loaded = require(filename) as Record<string, unknown>;
      } finally {
        require.cache[filename] = standIn;
      }
    }
    return loaded;
  };
  standIn.filename = filename;
  standIn.loaded = true;
  standIn.exports = exports(real);
  require.cache[filename] = standIn;
}

function forwardFunctions(names: readonly string[]) {
  return (real: () => Record<string, unknown>): Record<string, unknown> => ({
    __esModule: true,
    ...Object.fromEntries(names.map((name) => [name, (...args: unknown[]) => (real()[name] as (...a: unknown[]) => unknown)(...args)])),
  });
}

function forwardNamespace(real: () => Record<string, unknown>): unknown {
  return new Proxy({}, {
    get: (_, key) => real()[key as string],
    has: (_, key) => key in real(),
  });
}

type PromiseWrapper = (p: Promise<unknown>, ctx: unknown) => Promise<unknown>;

function withoutPromiseStacks(real: () => Record<string, unknown>): unknown {
  const debuggablePromise: PromiseWrapper = (p, ctx) => {
    const wrap = real().debuggablePromise as PromiseWrapper;
    if (real().debugPromiseLeaks === true) return wrap(p, ctx);
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    try {
      return wrap(p, ctx);
    } finally {
      Error.stackTraceLimit = limit;
    }
  };
  return new Proxy({}, {
    get: (_, key) => (key === "debuggablePromise" ? debuggablePromise : real()[key as string]),
    has: (_, key) => key in real(),
  });
}

export function startSynthProcess(): void {
  if (!sourceMapsRequested()) process.setSourceMapsEnabled(false);
  for (const [file, how] of Object.entries(DEFERRED_MODULES)) {
    defer(join(PULUMI_ROOT, file), how === "namespace" ? forwardNamespace : forwardFunctions(how));
  }
  defer(join(PULUMI_ROOT, PROMISE_MODULE), withoutPromiseStacks);
}

startSynthProcess();
