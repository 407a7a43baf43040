// A restore's snapshot is looked up before the program registers anything but its provider: a
// snapshot of another stack stops `pulumi up` (even with --skip-preview) before a single cloud
// resource is created or changed. Run in this process under the synth's mocks, whose monitor
// records every registration as it arrives.
import * as pulumi from "@pulumi/pulumi";
import { readFileSync } from "node:fs";
import { expect, it } from "vitest";
import { ConfigError } from "../../infra/config";
import { loadStack } from "../../infra/synth";
import { MailfortMocks } from "../../infra/synth/mocks";

const SNAP = "snap-0123456789abcdef0";

it("refuses another stack's snapshot with nothing registered but the region's provider", async () => {
  const text = `${readFileSync("stacks/Pulumi.lab.yaml", "utf8").trimEnd()}\n  mailfort:dataVolume:\n    restoreFrom: ${SNAP}\n`;
  const { file } = loadStack("lab", { configText: text, passphrase: "" });
  const mocks = new MailfortMocks({ stack: "lab", project: "mailfort", region: "eu-west-1", existingZones: {}, snapshots: [{ id: SNAP, volumeSizeGb: 4, tags: { "mailfort:stack": "prod" } }] });
  await pulumi.runtime.setMocks(mocks, "mailfort", "lab", false);
  const registered: string[] = [];
  const monitor = pulumi.runtime.getMonitor() as unknown as { registerResource: (req: { getType(): string; getName(): string }, cb: unknown) => unknown };
  const original = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req, cb) => {
    registered.push(`${req.getType()}::${req.getName()}`);
    return original(req, cb);
  };
  pulumi.runtime.setAllConfig(file.values, [...file.secretKeys]);
  const { mailfort } = await import("../../infra/program");

  const refused = await mailfort().then(() => undefined, (e: unknown) => e);
  expect(refused).toBeInstanceOf(ConfigError);
  expect((refused as ConfigError).issues).toEqual([expect.objectContaining({ path: "mailfort:dataVolume.restoreFrom", problem: `${SNAP} is a snapshot of stack prod, not of lab` })]);
  // Give anything still in flight the time to arrive.
  await new Promise((r) => setTimeout(r, 1000));
  expect(registered).toEqual(["pulumi:providers:aws::aws-eu-west-1"]);
}, 60_000);
