// Child-process entry (node --import tsx): run the offline synth of one stack, write its
// artifacts (resources.json, ...) to --out, and beside them recording.json: every answer the
// synth's mocks gave (resource ids and outputs, provider function results), so the fake engine
// can replay them. recording.json holds mock private keys: it lives in a test's temp directory.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import type * as pulumi from "@pulumi/pulumi";
import { synthInProcess, writeArtifacts } from "../../infra/synth";
import { MailfortMocks } from "../../infra/synth/mocks";
import type { Recording } from "../support/fake-engine/replay";

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { stack: { type: "string" }, out: { type: "string" }, "config-file": { type: "string" } } });
  const { stack, out, "config-file": configFile } = values;
  if (stack === undefined || out === undefined) throw new Error("usage: record-synth-child.ts --stack <s> --out <dir> [--config-file <f>]");
  const resources: Record<string, { id: string; state: Record<string, unknown> }> = {};
  const invokes: { token: string; args: Record<string, unknown>; result: Record<string, unknown> }[] = [];
  const newResource = MailfortMocks.prototype.newResource;
  MailfortMocks.prototype.newResource = async function record(this: MailfortMocks, args: pulumi.runtime.MockResourceArgs) {
    const answer = await newResource.call(this, args);
    resources[`${args.type}::${args.name}`] = answer;
    return answer;
  };
  const call = MailfortMocks.prototype.call;
  MailfortMocks.prototype.call = function record(this: MailfortMocks, args: pulumi.runtime.MockCallArgs) {
    const result = call.call(this, args);
    invokes.push({ token: args.token, args: args.inputs ?? {}, result });
    return result;
  };
  const result = await synthInProcess(stack, configFile === undefined ? {} : { configFile });
  writeArtifacts(out, result);
  writeFileSync(join(out, "recording.json"), JSON.stringify({ resources, invokes } satisfies Recording));
}

main().then(() => process.exit(0), (e: unknown) => {
  console.error(e instanceof Error ? (e.stack ?? e.message) : e);
  process.exit(1);
});
