// The precompiled-template table a synth bundle carries (tools/entry.cjs) may make rendering
// faster, never different: a template is taken from it only under the key of its exact text and
// of the options template.ts compiles with.
import Handlebars from "handlebars";
import { afterEach, describe, expect, it } from "vitest";
import { PRECOMPILED_TEMPLATES, TEMPLATE_OPTIONS, renderTemplateText, templateKey } from "../../infra/core/host/template";

type Table = Record<string, TemplateSpecification>;
const table = (t: Table | undefined) => void ((globalThis as Record<symbol, Table | undefined>)[PRECOMPILED_TEMPLATES] = t);
/** A precompiled spec as the launcher writes it (JavaScript source), turned back into the object. */
const spec = (text: string, options: CompileOptions = { ...TEMPLATE_OPTIONS }) => new Function(`return ${Handlebars.precompile(text, options)}`)() as TemplateSpecification;

afterEach(() => table(undefined));

describe("precompiled templates", () => {
  it("are used under the key of their own text and options", () => {
    const text = "smtpd_banner = {{hostname}} ESMTP (one)\n";
    // A spec that renders something else proves the table was read.
    table({ [templateKey(text)]: spec("from the table: {{hostname}}\n") });
    expect(renderTemplateText("postfix/main.cf", text, { hostname: "mx.example.com" })).toBe("from the table: mx.example.com\n");
  });

  it("are ignored for an edited text, and for other options (a non-strict spec would render a missing variable empty)", () => {
    const text = "myhostname = {{hostname}} (two)\n";
    table({ [templateKey(`${text} `)]: spec("stale\n"), [templateKey(text, { strict: false, noEscape: true })]: spec(text, { strict: false, noEscape: true }) });
    expect(renderTemplateText("postfix/main.cf", text, { hostname: "mx.example.com" })).toBe("myhostname = mx.example.com (two)\n");
    expect(() => renderTemplateText("postfix/main.cf", "x = {{nothere}} (three)\n", { hostname: "h" })).toThrow(/configs\/postfix\/main\.cf/);
  });

  it("keys stay stable after compiling (Handlebars writes into the options object it is given)", () => {
    const before = templateKey("{{a}}");
    renderTemplateText("x.conf", "{{a}} (four)", { a: "1" });
    expect(Object.keys(TEMPLATE_OPTIONS).sort()).toEqual(["noEscape", "strict"]);
    expect(templateKey("{{a}}")).toBe(before);
  });
});
