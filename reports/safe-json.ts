// JSON.parse with two guards it lacks. Nesting is measured first, in one linear pass that only
// counts brackets outside strings (JSON.parse itself would recurse, and a deep enough document
// throws a stack overflow instead of a clear refusal). Keys that name the prototype chain are
// refused: JSON.parse makes "__proto__" a harmless own property, but any later copy (spread,
// Object.assign, a merge) would turn it into prototype pollution, so such a report never gets in.
import { refuse } from "./refusal";

const FORBIDDEN_KEYS = new Set(["__proto__", "constructor", "prototype"]);

function depthOf(text: string): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: the next character is escaped
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) deepest = Math.max(deepest, ++depth);
    else if (c === 0x7d || c === 0x5d) depth--;
  }
  return deepest;
}

export function parseJsonSafely(name: string, text: string, maxDepth: number): unknown {
  const depth = depthOf(text);
  if (depth > maxDepth) refuse("too-deep", `${name}: JSON nests ${depth} levels deep, more than ${maxDepth}; a TLS-RPT report nests 4`);
  try {
    return JSON.parse(text, function guard(key: string, value: unknown) {
      if (FORBIDDEN_KEYS.has(key)) refuse("forbidden-key", `${name}: the JSON holds the key "${key}", refused (prototype pollution); no TLS-RPT field has that name`);
      return value;
    });
  } catch (e) {
    if (e instanceof SyntaxError) refuse("json-malformed", `${name}: not valid JSON (${e.message})`);
    throw e;
  }
}
