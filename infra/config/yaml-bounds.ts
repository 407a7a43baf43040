// Read a stack file's YAML within fixed bounds, so a hostile file costs at most a fraction of a
// second and a few tens of MB whatever it holds (bench/config-parse.ts prints the figures).
//
// js-yaml 5 rather than `yaml`: js-yaml bounds nesting inside its event parser (maxDepth, no
// recursion, so 100,000 open brackets fail in milliseconds) and counts alias nodes (maxAliases);
// its duplicate-key check is a hash lookup and it refuses NUL and other non-printable bytes.
// `yaml` 2 bounds aliases only when converting to JS, has no depth bound (deep nesting ran 2 s
// into a stack overflow) and checks duplicate keys pairwise (100,000 keys took minutes).
// Neither bounds what aliases EXPAND to (20 aliases can double a 1 MB string 10 times), so the
// loaded value is walked once with a budget before anything serialises it.
import { YAMLException, load } from "js-yaml";
import { type ConfigIssue, showValue } from "./errors";

export const STACK_FILE_LIMITS = {
  /** 5,000 mailboxes with their encrypted hashes take about 1.4 MB. */
  bytes: 2 * 1024 * 1024,
  /** Collections inside collections; the deepest mailfort setting needs 6. */
  depth: 16,
  /** Separators (: , - ? and line ends) counted before parsing: every YAML entry needs one, so
   * this bounds the number of entries the parser could be made to build. 5,000 aliases of ten
   * targets each, the densest valid stack, have 125,000. */
  separators: 160_000,
  /** Alias nodes (*name) per file. */
  aliases: 64,
  /** Nodes and characters of the value once aliases are expanded. */
  expandedNodes: 250_000,
  expandedChars: 4 * 1024 * 1024,
} as const;

export type LoadedYaml = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly issues: ConfigIssue[] };

export function loadBoundedYaml(text: string, source: string): LoadedYaml {
  const bytes = Buffer.byteLength(text, "utf8");
  if (bytes > STACK_FILE_LIMITS.bytes) {
    return refuse(source, `is ${bytes} bytes, more than the ${STACK_FILE_LIMITS.bytes} a stack file may be`, "keep the stack file to its settings; 5,000 mailboxes fit in well under 2 MB");
  }
  const separators = countSeparators(text);
  if (separators > STACK_FILE_LIMITS.separators) {
    return refuse(source, `has ${separators} YAML separators (: , - and line ends), more than the ${STACK_FILE_LIMITS.separators} the densest valid stack needs`, "keep the stack file to its settings (5,000 mailboxes and 5,000 aliases fit)");
  }
  if (text.trim() === "" || /^(?:\s*(?:#.*)?(?:\r?\n|$))*$/.test(text)) {
    return refuse(source, "is empty (no YAML document)", "write a stack file with a `config:` mapping, e.g. config: { mailfort:region: eu-west-1, ... } (see the configuration reference)");
  }
  let value: unknown;
  try {
    value = load(text, { filename: "", maxDepth: STACK_FILE_LIMITS.depth, maxAliases: STACK_FILE_LIMITS.aliases });
  } catch (e) {
    if (!(e instanceof YAMLException)) throw e;
    return refuse(at(source, e), `is not valid YAML: ${describeYamlError(e.reason)}`, yamlFix(e.reason));
  }
  const over = expandedSizeOver(value);
  if (over !== undefined) {
    return refuse(source, `expands to more than ${over} once its YAML aliases are resolved`, "write the values out instead of repeating anchors (*alias) inside each other");
  }
  return { ok: true, value };
}

function countSeparators(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    // ':' ',' '-' '?' '\n'
    if (c === 58 || c === 44 || c === 45 || c === 63 || c === 10) n++;
  }
  return n;
}

function refuse(path: string, problem: string, fix: string): LoadedYaml {
  return { ok: false, issues: [{ path, problem, fix }] };
}

function at(source: string, e: YAMLException): string {
  return e.mark === undefined ? source : `${source} line ${e.mark.line + 1}, column ${e.mark.column + 1}`;
}

/** The parser's reason, without its source snippet (which could show a secret's line). */
function describeYamlError(reason: string): string {
  if (/maxDepth/.test(reason)) return `collections are nested more than ${STACK_FILE_LIMITS.depth} deep`;
  if (/maxAliases/.test(reason)) return `it uses more than ${STACK_FILE_LIMITS.aliases} aliases (*name)`;
  if (/null byte|non-printable/i.test(reason)) return "it contains a NUL or another non-printable character";
  if (/single document/.test(reason)) return "it holds more than one document (---)";
  if (/duplicated mapping key/.test(reason)) return "a key appears twice in the same mapping";
  if (/unknown .*tag/.test(reason)) return `it uses a YAML tag (${showValue(reason.replace(/^.*tag /, ""))}) that stack files do not allow`;
  return showValue(reason).slice(1, -1);
}

function yamlFix(reason: string): string {
  if (/maxDepth|maxAliases/.test(reason)) return "write the settings out plainly: a stack file needs neither deep nesting nor many aliases";
  if (/duplicated mapping key/.test(reason)) return "keep one entry per key (the later one would silently win in other tools)";
  if (/unknown .*tag/.test(reason)) return "remove the tag (e.g. !!binary, !foo): values are plain text, numbers, booleans, lists and mappings";
  if (/null byte|non-printable/i.test(reason)) return "remove the control character; no setting needs one";
  return "fix the YAML at that line (check indentation, quotes and colons)";
}

/** Walk the loaded value with aliases expanded, stopping as soon as a budget is spent. */
function expandedSizeOver(root: unknown): string | undefined {
  let nodes = 0;
  let chars = 0;
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const v = stack.pop();
    if (++nodes > STACK_FILE_LIMITS.expandedNodes) return `${STACK_FILE_LIMITS.expandedNodes} values`;
    if (typeof v === "string") chars += v.length;
    else if (Array.isArray(v)) for (const child of v as unknown[]) stack.push(child);
    else if (typeof v === "object" && v !== null) {
      for (const [k, child] of Object.entries(v)) {
        chars += k.length;
        stack.push(child);
      }
    }
    if (chars > STACK_FILE_LIMITS.expandedChars) return `${STACK_FILE_LIMITS.expandedChars} characters`;
  }
  return undefined;
}
