// Strict template rendering for configs/. Handlebars in strict mode: a variable the view does
// not define is an error, never an empty string; noEscape because the output is config text, not
// HTML (safety comes from assertSafeView, which checks every value before rendering).
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import Handlebars from "handlebars";
import { REPO_ROOT } from "../../repo-root";
import { assertSafeView } from "./safe-value";

/** The repository's configs/ directory: the templates ship with the program, like its source. */
export const CONFIGS_DIR = join(REPO_ROOT, "configs");

const hbs = Handlebars.create();
// `{{#if (eq a "b")}}` in templates: comparisons stay in the template where an admin reads them.
hbs.registerHelper("eq", (a: unknown, b: unknown) => a === b);

const cache = new Map<string, HandlebarsTemplateDelegate>();

/** How every template compiles: strict (a missing variable throws), no HTML escaping. */
export const TEMPLATE_OPTIONS: Readonly<CompileOptions> = Object.freeze({ strict: true, noEscape: true });

/**
 * Where a bundle of the synth (tools/entry.cjs) leaves the templates of configs/ precompiled, so
 * a run does not parse and compile them again (about a tenth of a synth). Keyed by
 * templateKey: a template edited since, or compiled with other options, misses the table and is
 * compiled here as always, so the table can make a run faster but never render differently.
 */
export const PRECOMPILED_TEMPLATES = Symbol.for("mailfort.precompiledTemplates");

/** The table key of a template text compiled with `options`. */
export function templateKey(text: string, options: object = TEMPLATE_OPTIONS): string {
  return createHash("sha256").update(`${JSON.stringify(options)}\0${text}`).digest("hex");
}

function compile(text: string): HandlebarsTemplateDelegate {
  const table = (globalThis as Record<symbol, Record<string, TemplateSpecification> | undefined>)[PRECOMPILED_TEMPLATES];
  const spec = table?.[templateKey(text)];
  return spec !== undefined ? hbs.template(spec) : hbs.compile(text, { ...TEMPLATE_OPTIONS }); // a copy: Handlebars adds keys to it
}

export class TemplateError extends Error {}

/** Render one template text with the view; throws on any missing variable or leftover braces. */
export function renderTemplateText(name: string, text: string, view: object): string {
  assertSafeView(view);
  let compiled = cache.get(text);
  if (!compiled) {
    compiled = compile(text);
    cache.set(text, compiled);
  }
  let out: string;
  try {
    out = compiled(view);
  } catch (e) {
    throw new TemplateError(`configs/${name}: ${(e as Error).message}`);
  }
  if (out.includes("{{") || out.includes("}}")) {
    throw new TemplateError(`configs/${name}: rendered output still contains '{{' or '}}': a placeholder was not filled`);
  }
  return out;
}

/** Render configs/<name> (a path relative to configs/). */
export function renderTemplate(name: string, view: object): string {
  return renderTemplateText(name, readFileSync(join(CONFIGS_DIR, name), "utf8"), view);
}

/** A file shipped verbatim (scripts): still checked for stray placeholders. */
export function readStatic(name: string): string {
  return readFileSync(join(CONFIGS_DIR, name), "utf8");
}
