// Hostile stack files, put through what `npm run synth` does (synthToDirectory): each must be
// refused with a ConfigError naming the field path, the problem and the fix, before anything is
// synthesized, and leave nothing on disk (no output directory, no staging directory).
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { dump } from "js-yaml";
import { expect } from "vitest";
import { ConfigError, type ConfigIssue, OPAQUE_SECRET_PLACEHOLDER } from "../../infra/config";
import { synthToDirectory } from "../../infra/synth";
import { loadStack } from "../../infra/synth/in-process";

export type Cfg = Record<string, unknown>;

/** Any well-formed ciphertext: without a passphrase it becomes the opaque placeholder. */
export const SECURE = { secure: "v1:AAAAAAAAAAAAAAAA:BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB" };

/** A valid prod stack's config map: two domains (one parked), two mailboxes, ACME, alarms. */
export function goodConfig(): Cfg {
  return {
    "aws:region": "eu-west-1",
    "mailfort:region": "eu-west-1",
    "mailfort:environment": "prod",
    "mailfort:hostname": "mail.example.com",
    "mailfort:domains": [{ name: "example.com" }, { name: "example.org", sendsMail: false }],
    "mailfort:mailboxes": [
      { address: "alice@example.com", passwordHashSecret: "alice-password" },
      { address: "bob@example.com", passwordHashSecret: "bob-password" },
    ],
    "mailfort:alice-password": SECURE,
    "mailfort:bob-password": SECURE,
    "mailfort:tls": { mode: "acme", acmeEmail: "hostmaster@example.net" },
    "mailfort:alarmEmail": "oncall@example.net",
  };
}

/** The stack file text for a config map (and other top-level keys). */
export function stackText(config: Cfg, top: Cfg = {}): string {
  return dump({ config, ...top }, { lineWidth: -1 });
}

/** goodConfig() changed by `edit`, as stack file text. */
export function edited(edit: (c: Cfg) => void): string {
  const c = goodConfig();
  edit(c);
  return stackText(c);
}

/** Set one key of a `mailfort:` setting that is a mapping, creating it when absent. */
export function setIn(c: Cfg, setting: string, key: string, value: unknown): void {
  const full = `mailfort:${setting}`;
  c[full] = { ...((c[full] as Cfg | undefined) ?? {}), [key]: value };
}

export interface HostileCase {
  readonly name: string;
  readonly file: string;
  /** The field path the issue must name (exactly, or matching). */
  readonly path: string | RegExp;
  readonly problem: RegExp;
  readonly fix: RegExp;
  /** Decrypt with this passphrase (default: none, so secure values are placeholders). */
  readonly passphrase?: string;
  /** Text that must appear in no message (a secret, a huge value). */
  readonly neverShown?: readonly string[];
}

/** A case as a one-line title for it.each. */
export const title = (c: HostileCase) => c.name;

export async function expectRefused(c: HostileCase): Promise<ConfigIssue[]> {
  const dir = mkdtempSync(join(tmpdir(), "mailfort-hostile-"));
  try {
    let error: unknown;
    try {
      await synthToDirectory("hostile", join(dir, "out"), { configText: c.file, passphrase: c.passphrase ?? "" }, () => {
        throw new Error("the config was accepted and synth would run");
      });
    } catch (e) {
      error = e;
    }
    if (!(error instanceof ConfigError)) throw new Error(`expected a ConfigError, got ${String(error)}`);
    const issues = [...error.issues];
    const matches = (i: ConfigIssue) => (typeof c.path === "string" ? i.path === c.path : c.path.test(i.path)) && c.problem.test(i.problem) && c.fix.test(i.fix);
    expect(issues.find(matches), `no issue at ${String(c.path)} matching ${c.problem} / ${c.fix} in:\n${error.message}`).toBeDefined();
    for (const i of issues) {
      for (const text of [i.path, i.problem, i.fix]) {
        // eslint-disable-next-line no-control-regex -- control characters are what this looks for
        expect(text, "a message carries an unprintable character").not.toMatch(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
        expect(text.length, `a message part is ${text.length} characters long`).toBeLessThan(700);
        expect(text).not.toContain(OPAQUE_SECRET_PLACEHOLDER.slice(0, 24));
        for (const secret of c.neverShown ?? []) expect(text).not.toContain(secret);
      }
    }
    // Nothing partial: no output directory and no staging directory next to it.
    expect(readdirSync(dir)).toEqual([]);
    return issues;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A valid file must pass the same gate (the control for every table). */
export function expectAccepted(file: string, passphrase = ""): ReturnType<typeof loadStack> {
  return loadStack("hostile", { configText: file, passphrase });
}
