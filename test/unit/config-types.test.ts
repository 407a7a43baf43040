// A wrong type names what was expected and what was given, in YAML's terms, with a fix.
import { describe, it } from "vitest";
import { expectRefused, title } from "../support/hostile-stack";
import { TYPE_CASES } from "./hostile/types.cases";

describe("wrong types say expected and given", () => {
  it.each(TYPE_CASES.map((c) => [title(c), c] as const))("refuses %s", async (_t, c) => {
    await expectRefused(c);
  });
});
