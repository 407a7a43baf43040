// Generated blocks inside hand-written Markdown: the text between
//   <!-- BEGIN GENERATED <name>: npm run docs -->   and   <!-- END GENERATED <name> -->
// belongs to a generator; everything around it is prose someone wrote.

const begin = (name: string) => `<!-- BEGIN GENERATED ${name}: npm run docs -->`;
const end = (name: string) => `<!-- END GENERATED ${name} -->`;

/** The block's current text (without its markers); throws when the markers are missing or doubled. */
export function blockOf(text: string, name: string, file: string): string {
  const a = text.indexOf(begin(name));
  const b = text.indexOf(end(name));
  if (a < 0 || b < a) throw new Error(`${file}: no generated block "${name}" (markers ${begin(name)} ... ${end(name)})`);
  if (text.indexOf(begin(name), a + 1) >= 0) throw new Error(`${file}: the generated block "${name}" appears twice`);
  return text.slice(a + begin(name).length, b).replace(/^\n/, "").replace(/\n$/, "");
}

/** The text with the block's content replaced (markers kept). */
export function withBlock(text: string, name: string, file: string, content: string): string {
  blockOf(text, name, file);
  const a = text.indexOf(begin(name)) + begin(name).length;
  const b = text.indexOf(end(name));
  return `${text.slice(0, a)}\n${content.trim()}\n${text.slice(b)}`;
}

/** A Markdown table; pipes inside cells are escaped, line breaks flattened. */
export function table(head: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]) => `| ${cells.map((c) => c.replace(/\|/g, "\\|").replace(/\s*\n\s*/g, " ")).join(" | ")} |`;
  return [line(head), line(head.map(() => "---")), ...rows.map(line)].join("\n");
}
