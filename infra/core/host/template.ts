// Strict template rendering for configs/. Handlebars in strict mode: a variable the view does
// not define is an error, never an empty string; noEscape because the output is config text, not
// HTML (safety comes from assertSafeView, which checks every value before rendering).
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import Handlebars from "handlebars";
import { assertSafeView } from "./safe-value";

/** The repository's configs/ directory: the templates ship with the program, like its source. */
export const CONFIGS_DIR = resolve(__dirname, "../../../configs");

const hbs = Handlebars.create();
// `{{#if (eq a "b")}}` in templates: comparisons stay in the template where an admin reads them.
hbs.registerHelper("eq", (a: unknown, b: unknown) => a === b);

const cache = new Map<string, HandlebarsTemplateDelegate>();

export class TemplateError extends Error {}

/** Render one template text with the view; throws on any missing variable or leftover braces. */
export function renderTemplateText(name: string, text: string, view: object): string {
  assertSafeView(view);
  let compiled = cache.get(text);
  if (!compiled) {
    compiled = hbs.compile(text, { strict: true, noEscape: true });
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
