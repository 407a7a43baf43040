// The issues a config is refused with, for tests that assert field paths and fixes.
import { ConfigError, type ConfigIssue } from "../../infra/config";

/** Run `fn` (a parse expected to fail) and return its ConfigError issues; throw if it passed. */
export function issuesOf(fn: () => unknown): ConfigIssue[] {
  try {
    fn();
  } catch (e) {
    if (e instanceof ConfigError) return [...e.issues];
    throw e;
  }
  throw new Error("expected a ConfigError, but the config was accepted");
}
