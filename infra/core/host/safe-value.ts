// The renderer's own guard against config injection. The config model already refuses hostile
// values, but the renderer does not trust that: every value it interpolates into a config file
// must be a plain token (no whitespace, quotes, braces, '#', '$', '%', '=', '\' or newlines),
// so no value can start a new directive, comment out the rest of a line or open a block in any
// of the files it lands in (Postfix, Dovecot, Rspamd UCL, nginx, nftables, YAML, shell).

/** Letters, digits and the punctuation of domains, addresses, CIDRs, paths and DNSBL filters. */
const SAFE_TOKEN_RE = /^[A-Za-z0-9._:/@+\-[\];,]*$/;

export class UnsafeValueError extends Error {}

/** Walks a template view and throws on the first value that is not a safe token. */
export function assertSafeView(value: unknown, path = "view"): void {
  if (typeof value === "string") {
    if (!SAFE_TOKEN_RE.test(value)) {
      throw new UnsafeValueError(`host renderer: ${path} = ${JSON.stringify(value)} is not a safe token for a config file; ` +
        "the config model should have refused it: fix the value (letters, digits and . _ : / @ + - [ ] ; , only)");
    }
  } else if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new UnsafeValueError(`host renderer: ${path} = ${value} is not a finite number`);
  } else if (typeof value === "boolean") {
    return;
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => assertSafeView(v, `${path}[${i}]`));
  } else if (typeof value === "object" && value !== null) {
    for (const [k, v] of Object.entries(value)) assertSafeView(v, `${path}.${k}`);
  } else {
    throw new UnsafeValueError(`host renderer: ${path} is ${String(value)}; every template value must be set`);
  }
}
