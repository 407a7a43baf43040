// nginx configuration as nginx reads it, enough to judge what is served how: blocks (`server {`,
// `location ... {`) with their directives, comments and quoted strings understood, nesting kept.
// The pack's own reader: it never trusts the renderer that wrote the file.

export interface NginxBlock {
  /** "server", "location", ... and the block's arguments (`location = /x` -> ["=", "/x"]). */
  readonly name: string;
  readonly args: readonly string[];
  /** Directives directly inside this block, in order: name and arguments. */
  readonly directives: ReadonlyArray<{ readonly name: string; readonly args: readonly string[] }>;
  readonly blocks: readonly NginxBlock[];
}

/** Words, quoted strings, `{`, `}` and `;` of nginx's syntax; comments dropped. */
function tokens(text: string): string[] {
  const out: string[] = [];
  const re = /#[^\n]*|"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)'|([{};])|([^\s{};"'#]+(?:#[^\s{};]*)*)/g;
  for (const m of text.matchAll(re)) {
    if (m[0].startsWith("#")) continue;
    out.push(m[1] ?? m[2] ?? m[3] ?? m[4] ?? "");
  }
  return out;
}

interface MutableBlock { name: string; args: string[]; directives: Array<{ name: string; args: string[] }>; blocks: MutableBlock[] }

/** The top level of one or more files (conf.d/*.conf are included at http level). */
export function parseNginx(text: string): NginxBlock {
  const root: MutableBlock = { name: "", args: [], directives: [], blocks: [] };
  const stack: MutableBlock[] = [root];
  let words: string[] = [];
  for (const t of tokens(text)) {
    const top = stack[stack.length - 1] ?? root;
    if (t === "{") {
      const block: MutableBlock = { name: words[0] ?? "", args: words.slice(1), directives: [], blocks: [] };
      top.blocks.push(block);
      stack.push(block);
      words = [];
    } else if (t === "}") {
      if (stack.length > 1) stack.pop();
      words = [];
    } else if (t === ";") {
      if (words[0] !== undefined) top.directives.push({ name: words[0], args: words.slice(1) });
      words = [];
    } else {
      words.push(t);
    }
  }
  return root;
}

/** Every block named `name` at any depth. */
export function blocksNamed(block: NginxBlock, name: string): NginxBlock[] {
  return block.blocks.flatMap((b) => [...(b.name === name ? [b] : []), ...blocksNamed(b, name)]);
}

/** The arguments of every directive `name` in this block and the blocks inside it. */
export function directiveArgs(block: NginxBlock, name: string): string[][] {
  return [...block.directives.filter((d) => d.name === name).map((d) => [...d.args]), ...block.blocks.flatMap((b) => directiveArgs(b, name))];
}
