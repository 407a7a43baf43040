// The layering lint rule (lint/layers.mjs) fires on every wrong arrow and stays quiet on the
// allowed ones: each case is a one-line file linted at a path in the tree with ESLint's Node API
// and this repository's own eslint.config.mjs.
import { join } from "node:path";
import { ESLint } from "eslint";
import { describe, expect, it } from "vitest";

const ROOT = join(__dirname, "..", "..");
const eslint = new ESLint({ cwd: ROOT });

async function layerMessages(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(`${code}\n`, { filePath: join(ROOT, file) });
  return (result?.messages ?? []).filter((m) => m.ruleId === "mailfort/layers").map((m) => m.message);
}

const WRONG: ReadonlyArray<readonly [file: string, code: string, says: RegExp]> = [
  ["infra/synth/fixture.ts", 'import { x } from "../../tools/pulumi-passphrase";', /infra\/ imports nothing from tools\//],
  ["infra/core/fixture.ts", 'import { x } from "../../policy/run";', /infra\/ imports nothing from policy\//],
  ["infra/aws/fixture.ts", 'export { x } from "../../lab";', /infra\/ imports nothing from lab\//],
  ["infra/program-fixture.ts", 'export * from "../fleet/plan";', /infra\/ imports nothing from fleet\//],
  ["infra/synth/fixture.ts", 'const m = await import("../../bench/stats");', /infra\/ imports nothing from bench\//],
  ["infra/core/fixture.ts", 'const m = require("../../verify/contract");', /infra\/ imports nothing from verify\//],
  ["infra/core/fixture.ts", 'import type { Snapshot } from "../../plan/snapshot";', /infra\/ imports nothing from plan\//],
  ["infra/aws/fixture.ts", 'import { runDrill } from "../../restore/drill";', /infra\/ imports nothing from restore\//],
  ["restore/fixture.ts", 'import { isSnapshotId } from "../infra/config/snapshot-id";', /infra\/config only through its index/],
  ["infra/core/fixture.ts", 'import { summarise } from "../../reports";', /infra\/ imports nothing from reports\//],
  ["reports/fixture.ts", 'import { parseMailConfig } from "../infra/config";', /reports\/ imports nothing outside reports\//],
  ["policy/fixture.ts", 'import { parseDmarcXml } from "../reports/dmarc-xml";', /policy\/ is the pack alone/],
  ["policy/policies/fixture.ts", 'import { inboundPorts } from "../../infra/core/ports";', /policy\/ never imports infra\/core/],
  ["policy/fixture.ts", 'import { MailServer } from "../infra/aws/mail-server";', /policy\/ never imports infra\/aws/],
  ["policy/fixture.ts", 'import { snapshotFromSynth } from "../plan/from-synth";', /policy\/ is the pack alone/],
  ["policy/fixture.ts", 'import { FIX_SEP } from "../infra/config/schema";', /through its index/],
  ["verify/checks/fixture.ts", 'import type { MailConfig } from "../../infra/config";', /verify\/ imports nothing outside verify\//],
  ["verify/fixture.ts", 'import { labHost } from "../lab";', /verify\/ imports nothing outside verify\//],
  ["fleet/inventory/fixture.ts", 'import { SECRET_KEY_RE } from "../../infra/config/names";', /infra\/config only through its index/],
  ["lab/fixture.ts", 'import { decodeValue } from "../infra/config/raw";', /infra\/config only through its index/],
  ["bench/fixture.ts", 'import { guestShell } from "../lab/vm/guest-agent";', /reach the lab only through its front/],
  ["tools/fixture.ts", 'import { labRun } from "../lab/runner";', /reach the lab only through its front/],
];

const ALLOWED: ReadonlyArray<readonly [file: string, code: string]> = [
  ["infra/aws/fixture.ts", 'import { recordPlan } from "../core/dns";'],
  ["infra/core/fixture.ts", 'import { isIpv4 } from "../config/names";'],
  ["policy/fixture.ts", 'import { parseMailConfig } from "../infra/config";'],
  ["verify/checks/fixture.ts", 'import { fail } from "../types";\nimport nodemailer from "nodemailer";\nimport { connect } from "node:net";'],
  ["bench/fixture.ts", 'import { guestShell } from "../lab";'],
  ["tools/fixture.ts", 'import { labRun } from "../lab/index";\nimport { planDiff } from "../plan/plan-diff";'],
  ["lab/fixture.ts", 'import { labHost } from "./topology";\nimport { verifyArgv } from "../verify/contract";'],
  ["restore/fixture.ts", 'import { isSnapshotId } from "../infra/config";\nimport { DEBIAN_AMI_OWNER } from "../infra/aws/debian-ami";'],
  ["reports/fixture.ts", 'import { refuse } from "./refusal";\nimport { XMLParser } from "fast-xml-parser";\nimport { gunzipSync } from "node:zlib";'],
  ["tools/fixture.ts", 'import { summarise } from "../reports";'],
  ["test/unit/fixture.ts", 'import { FIX_SEP } from "../../infra/config/schema";\nimport { guestShell } from "../../lab/vm/guest-agent";'],
];

describe("the layering lint rule", () => {
  it.each(WRONG)("refuses %s: %s", async (file, code, says) => {
    const messages = await layerMessages(file, code);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatch(says);
  });

  it.each(ALLOWED)("allows %s: %s", async (file, code) => {
    expect(await layerMessages(file, code)).toEqual([]);
  });
});
