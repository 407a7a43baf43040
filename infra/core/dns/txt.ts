// TXT RDATA in presentation format. One DNS character-string holds at most 255 octets
// (RFC 1035 3.3), so longer texts (DKIM keys, long DMARC records) become several strings that
// the reader concatenates without separator (RFC 7208 3.3, RFC 6376 3.6.2.2).

const MAX_STRING_OCTETS = 255;

/** `text` as one or more "quoted" strings of <=255 octets each, space separated. */
export function txtValue(text: string): string {
  if (!/^[\x20-\x7e]*$/.test(text)) throw new Error(`TXT text must be printable ASCII: ${JSON.stringify(text)}`);
  const strings: string[] = [];
  for (let i = 0; i < text.length; i += MAX_STRING_OCTETS) strings.push(text.slice(i, i + MAX_STRING_OCTETS));
  if (strings.length === 0) strings.push("");
  return strings.map((s) => `"${s.replace(/[\\"]/g, (c) => `\\${c}`)}"`).join(" ");
}

/** The character-strings of a TXT value, unescaped (the inverse of txtValue, for checks). */
export function txtStrings(value: string): string[] {
  const strings: string[] = [];
  const re = /"((?:[^"\\]|\\.)*)"/g;
  let rest = value;
  for (const m of value.matchAll(re)) {
    strings.push(m[1]!.replace(/\\(.)/g, "$1"));
    rest = rest.replace(m[0], "");
  }
  if (rest.trim() !== "") throw new Error(`not a TXT value of quoted strings: ${value}`);
  return strings;
}

/** The text a reader sees: the strings concatenated. */
export function txtText(value: string): string {
  return txtStrings(value).join("");
}
