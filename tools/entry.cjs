// node tools/entry.cjs <entry.ts> [args...]: run one of mailfort's TypeScript entry points
// (`npm run synth` runs tools/synth.ts through it) from a bundle of mailfort's own code instead
// of through tsx.
//
// Why: under tsx every one of the ~200 modules of the program goes through tsx's resolver and
// transform cache, and Node compiles each as its own function; the synth spent about a third of
// its time on that (bench/results/2026-12-04.md, "The synth command"). One CommonJS bundle of
// mailfort's code (packages stay plain require()s of node_modules) loads in one go.
//
// The bundle is a cache, never a build step anyone has to remember: it lives in .cache/entry/
// (git-ignored), with the list of sources it was built from, their sizes and modification times.
// Each run stats those files; if any changed, appeared or went, or esbuild or this file's build
// options did, it is built again (esbuild, about 0.3 s) before it runs. A bundle is written under
// a temporary name and renamed, so two runs at once never see half a file. Where .cache/ cannot
// be written (a read-only checkout), the entry runs through tsx as before.
//
// Paths: modules that need the repository find it by walking up to package.json
// (infra/repo-root.ts), which gives the same answer from .cache/entry/ as from their source.
// Stack traces point into the bundle; NODE_OPTIONS=--enable-source-maps maps them back to the .ts.
"use strict";
const fs = require("node:fs");
const path = require("node:path");

const ROOT = path.resolve(__dirname, "..");
const CACHE = path.join(ROOT, ".cache", "entry");
/** infra/core/host/template.ts's TEMPLATE_OPTIONS; the key of each precompiled template includes
 * them, so if the two ever differ the templates are simply compiled at run time again. */
const TEMPLATE_OPTIONS = { strict: true, noEscape: true };
const TABLE_END = "// end of the precompiled templates";

function fail(message) {
  process.stderr.write(`tools/entry.cjs: ${message}\n`);
  process.exit(2);
}

/** The entry's path, checked: a .ts file inside the repository. */
function entryPath(arg) {
  if (arg === undefined) fail("usage: node tools/entry.cjs <entry.ts> [args...], e.g. tools/synth.ts");
  const file = path.resolve(ROOT, arg);
  const rel = path.relative(ROOT, file);
  if (rel.startsWith("..") || path.isAbsolute(rel) || !file.endsWith(".ts")) fail(`${arg}: an entry is a .ts file inside ${ROOT}`);
  if (!fs.existsSync(file)) fail(`${arg}: no such file`);
  return file;
}

/** What a bundle depends on besides its inputs (which include this file and so its options): esbuild's version, Node's major. */
function buildKey() {
  return `esbuild ${require("esbuild/package.json").version} node ${process.versions.node.split(".")[0]}`;
}

function stamp(file) {
  try {
    const s = fs.statSync(file);
    return [s.size, s.mtimeMs];
  } catch {
    return null;
  }
}

/** True when the bundle exists and was built, with today's key, from the sources as they are now. */
function isFresh(bundle, manifestFile) {
  let manifest;
  try {
    manifest = JSON.parse(fs.readFileSync(manifestFile, "utf8"));
  } catch {
    return false;
  }
  if (manifest.key !== buildKey() || !fs.existsSync(bundle)) return false;
  return Object.entries(manifest.inputs).every(([file, was]) => {
    const now = stamp(path.join(ROOT, file));
    return now !== null && now[0] === was[0] && now[1] === was[1];
  });
}

function filesUnder(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((d) => (d.isDirectory() ? filesUnder(path.join(dir, d.name)) : [path.join(dir, d.name)]));
}

/**
 * The templates of configs/ precompiled by Handlebars, as a statement that puts them where
 * template.ts looks (PRECOMPILED_TEMPLATES), keyed like its templateKey. Files Handlebars cannot
 * parse are left out: the run compiles them and reports the error as it always did.
 */
function precompiledTemplates(sources) {
  const Handlebars = require("handlebars");
  const { createHash } = require("node:crypto");
  const entries = [];
  for (const file of filesUnder(path.join(ROOT, "configs"))) {
    const text = fs.readFileSync(file, "utf8");
    if (text.includes("\0")) continue;
    sources.push(path.relative(ROOT, file));
    let spec;
    try {
      // A copy: Handlebars adds its own keys to the options object it is given.
      spec = Handlebars.precompile(text, { ...TEMPLATE_OPTIONS });
    } catch {
      continue;
    }
    const key = createHash("sha256").update(`${JSON.stringify(TEMPLATE_OPTIONS)}\0${text}`).digest("hex");
    entries.push(`${JSON.stringify(key)}:${spec}`);
  }
  // The marker line lets a test read the table alone (test/infra/synth-launcher.test.ts).
  return `globalThis[Symbol.for("mailfort.precompiledTemplates")]={${entries.join(",\n")}};\n${TABLE_END}`;
}

/** Build the bundle and its manifest; throws with esbuild's own messages when the code does not build. */
function build(entry, bundle, manifestFile) {
  const esbuild = require("esbuild");
  const templates = [];
  const banner = precompiledTemplates(templates);
  const result = esbuild.buildSync({
    absWorkingDir: ROOT,
    entryPoints: [entry],
    outfile: bundle,
    bundle: true,
    write: false,
    metafile: true,
    platform: "node",
    format: "cjs",
    target: `node${process.versions.node.split(".")[0]}`,
    // node_modules stay require()s: resolved at run time as under tsx, never copied in.
    packages: "external",
    // Class and function names stay as written (error messages and logs print them).
    keepNames: true,
    sourcemap: "linked",
    logLevel: "silent",
    banner: { js: banner },
  });
  const inputs = {};
  // tsconfig.json shapes how esbuild reads the sources, so a change to it rebuilds too.
  // The templates only make the bundle faster (a changed one is compiled at run time), but a
  // bundle whose templates are stale would stay slow: they rebuild it too.
  // This file too: a change to its build options or its template keys rebuilds every bundle.
  for (const file of [...Object.keys(result.metafile.inputs), "tsconfig.json", path.relative(ROOT, __filename), ...templates]) inputs[file] = stamp(path.join(ROOT, file));
  fs.mkdirSync(CACHE, { recursive: true });
  const tmp = `.${process.pid}.tmp`;
  // The map first, then the code, then the manifest that declares them fresh.
  const ordered = [...result.outputFiles].sort((a, b) => Number(a.path.endsWith(".cjs")) - Number(b.path.endsWith(".cjs")));
  for (const out of ordered) {
    fs.writeFileSync(out.path + tmp, out.contents);
    fs.renameSync(out.path + tmp, out.path);
  }
  fs.writeFileSync(manifestFile + tmp, `${JSON.stringify({ key: buildKey(), entry: path.relative(ROOT, entry), inputs }, null, 1)}\n`);
  fs.renameSync(manifestFile + tmp, manifestFile);
}

function main() {
  const [arg, ...args] = process.argv.slice(2);
  const entry = entryPath(arg);
  const id = path.relative(ROOT, entry).replace(/\.ts$/, "").replace(/[^A-Za-z0-9]+/g, "-");
  const bundle = path.join(CACHE, `${id}.cjs`);
  const manifestFile = path.join(CACHE, `${id}.inputs.json`);
  let run = bundle;
  if (!isFresh(bundle, manifestFile)) {
    try {
      build(entry, bundle, manifestFile);
    } catch (e) {
      if (Array.isArray(e.errors) && e.errors.length > 0) {
        // The code does not compile: esbuild's messages name the file, line and column.
        const esbuild = require("esbuild");
        process.stderr.write(esbuild.formatMessagesSync(e.errors, { kind: "error", color: false }).join(""));
        process.exit(1);
      }
      // No writable .cache/: run the source through tsx, as before this launcher.
      process.stderr.write(`tools/entry.cjs: no bundle (${e.message}); running ${arg} through tsx\n`);
      require("tsx/cjs");
      run = entry;
    }
  }
  // The entry sees the argv it would see as `node <entry.ts> args...` (commander reads it).
  process.argv = [process.argv[0], entry, ...args];
  require(run);
}

main();
