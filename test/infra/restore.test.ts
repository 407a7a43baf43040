// A restore under Pulumi mocks: the whole program with dataVolume.restoreFrom set, against the
// same stack without it. The graph gains a volume made from the snapshot (encrypted with a data
// key the stack keeps), the attachment and the instance move onto it, and the volume it replaces
// stays declared with only its tags changed; a snapshot that is missing or another stack's stops
// the program with the field path, before the MailServer exists. Cross-region copies, too.
import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { ConfigError } from "../../infra/config";
import { type MockSnapshot, type SynthResource, type SynthResult, runSynth } from "../../infra/synth";
import { snapshotFromSynth } from "../../plan/from-synth";
import { diffResources } from "../../plan/plan-diff";
import { ofType, only, statements } from "./helpers";

const SNAP = "snap-0123456789abcdef0";
const LAB = readFileSync("stacks/Pulumi.lab.yaml", "utf8");
const withSettings = (yaml: string) => `${LAB.trimEnd()}\n${yaml}`;
const RESTORE = withSettings(`  mailfort:dataVolume:
    restoreFrom: ${SNAP}
  mailfort:backups:
    crossRegionCopies:
      - region: eu-central-1
        retainDays: 60
`);
const own: MockSnapshot = { id: SNAP, volumeSizeGb: 4, tags: { "mailfort:stack": "lab", "mailfort:backup": "lab" } };

let base: SynthResult;
let head: SynthResult;

beforeAll(async () => {
  base = await runSynth("lab", { passphrase: "" });
  head = await runSynth("lab", { configText: RESTORE, passphrase: "", snapshots: [own] });
}, 240_000);

const volume = (r: SynthResult, name: string): SynthResource => {
  const v = ofType(r, "aws:ebs/volume:Volume").find((x) => x.name === name);
  if (v === undefined) throw new Error(`no volume ${name} in ${ofType(r, "aws:ebs/volume:Volume").map((x) => x.name).join(", ")}`);
  return v;
};

describe("a restore's graph", () => {
  it("makes a volume from the snapshot, encrypted with the stack's retained data key, and attaches it", () => {
    const restored = volume(head, `mailfort-lab-host-data-${SNAP}`);
    const key = ofType(head, "aws:kms/key:Key").find((k) => k.name === "mailfort-lab-data-key") as SynthResource;
    expect(restored.inputs).toMatchObject({ snapshotId: SNAP, encrypted: true, type: "gp3", size: 4 });
    expect(String(restored.inputs.kmsKeyId)).toMatch(new RegExp(`^arn:aws:kms:eu-west-1:\\d+:key/${key.id}$`));
    expect(restored.inputs.tags).toMatchObject({ "mailfort:backup": "lab", "mailfort:data-volume": "current", "mailfort:restored-from": SNAP, "mailfort:supersedes": "mailfort-lab-host-data" });
    expect(restored.options).toMatchObject({ protect: true, retainOnDelete: true });
    expect(key.options).toMatchObject({ protect: true, retainOnDelete: true });
    expect(key.inputs).toMatchObject({ enableKeyRotation: true, deletionWindowInDays: 30 });
    expect(ofType(head, "aws:kms/alias:Alias").map((a) => a.inputs.name)).toContain("alias/mailfort-lab-data");
    const attachment = only(head, "aws:ec2/volumeAttachment:VolumeAttachment");
    expect(attachment.inputs.volumeId).toBe(restored.id);
    expect(head.outputs.dataVolumeId).toBe(restored.id);
  });

  it("keeps the volume it replaces: same inputs but its tags, detached, protected, retained, no longer backed up", () => {
    const before = volume(base, "mailfort-lab-host-data");
    const kept = volume(head, "mailfort-lab-host-data");
    const { tags: oldTags, ...oldInputs } = before.inputs;
    const { tags: newTags, ...newInputs } = kept.inputs;
    expect(newInputs).toEqual(oldInputs);
    expect(newInputs).not.toHaveProperty("snapshotId");
    expect(newTags).toEqual({ ...(oldTags as Record<string, string>), "mailfort:backup": undefined, "mailfort:data-volume": "previous", "mailfort:superseded-by": SNAP });
    expect(kept.options).toMatchObject({ protect: true, retainOnDelete: true });
    expect(head.outputs.previousDataVolumeId).toBe(kept.id);
    expect(ofType(head, "aws:ec2/volumeAttachment:VolumeAttachment").map((a) => a.inputs.volumeId)).not.toContain(kept.id);
  });

  it("moves the instance the way a replacement does: new user data, the attachment swapped after the old instance stops, nothing removed", () => {
    const changes = diffResources(snapshotFromSynth(base), snapshotFromSynth(head));
    // Only tags on the kept volume: an update in place, never a replacement (delete).
    const volumeChange = changes.find((c) => c.type === "aws:ebs/volume:Volume" && c.kind === "changed");
    expect(volumeChange?.keys).toEqual(["tags"]);
    expect(changes.find((c) => c.type === "aws:ec2/instance:Instance")?.keys).toEqual(["userDataBase64"]);
    expect(changes.find((c) => c.type === "aws:ec2/volumeAttachment:VolumeAttachment")?.keys).toEqual(["volumeId"]);
    expect(changes.filter((c) => c.kind === "removed")).toEqual([]);
    expect(changes.filter((c) => c.kind === "added").map((c) => c.type).sort()).toEqual(expect.arrayContaining(["aws:ebs/volume:Volume", "aws:kms/key:Key", "aws:kms/alias:Alias"]));
    const instance = only(head, "aws:ec2/instance:Instance");
    expect(instance.inputs.userDataReplaceOnChange).toBe(true);
    // The user data differs by the line naming the snapshot alone (the lab boots exactly this).
    const lines = (r: SynthResult) => new Set(r.cloudConfig.split("\n").map((l) => l.trim()));
    const [was, now] = [lines(base), lines(head)];
    expect([...now].filter((l) => !was.has(l))).toEqual([`MAILFORT_RESTORED_FROM=${SNAP}`]);
    expect([...was].filter((l) => !now.has(l))).toEqual([]);
    const attachment = only(head, "aws:ec2/volumeAttachment:VolumeAttachment");
    expect(attachment.inputs.stopInstanceBeforeDetaching).toBe(true);
    expect(attachment.options?.deleteBeforeReplace).toBe(true);
  });

  it("copies every snapshot to the other region, encrypted with a retained key there, kept for the days given", () => {
    const policy = only(head, "aws:dlm/lifecyclePolicy:LifecyclePolicy");
    const schedule = (policy.inputs.policyDetails as { schedules: Array<Record<string, unknown>> }).schedules[0] as { crossRegionCopyRules: Array<Record<string, unknown>> };
    const copyKey = ofType(head, "aws:kms/key:Key").find((k) => k.name.includes("copies-eu-central-1")) as SynthResource;
    expect(schedule.crossRegionCopyRules).toEqual([{ target: "eu-central-1", encrypted: true, cmkArn: expect.stringMatching(/^arn:aws:kms:eu-central-1:/), copyTags: true, retainRule: { interval: 60, intervalUnit: "DAYS" } }]);
    expect(schedule.crossRegionCopyRules[0]?.cmkArn).toContain(copyKey.id);
    expect(copyKey.options).toMatchObject({ protect: true, retainOnDelete: true });
    // DLM may use exactly the data key (source) and the copy key (target), nothing else.
    const grant = ofType(head, "aws:iam/rolePolicy:RolePolicy").find((p) => p.name.endsWith("-dlm-keys")) as SynthResource;
    const dataKey = ofType(head, "aws:kms/key:Key").find((k) => k.name === "mailfort-lab-data-key") as SynthResource;
    const resources = [...new Set(statements(grant.inputs.policy).flatMap((s) => (Array.isArray(s.Resource) ? s.Resource : [s.Resource])))];
    expect(resources).toHaveLength(2);
    expect(resources.filter((arn) => arn.endsWith(`:key/${dataKey.id}`) || arn === schedule.crossRegionCopyRules[0]?.cmkArn)).toHaveLength(2);
    expect(ofType(base, "aws:iam/rolePolicy:RolePolicy").some((p) => p.name.endsWith("-dlm-keys"))).toBe(false);
  });
});

describe("refused before anything is built", () => {
  it.each([
    ["another stack's snapshot", [{ ...own, tags: { "mailfort:stack": "prod" } }], /is a snapshot of stack prod, not of lab/],
    ["a snapshot that is not there", [], /does not exist in eu-west-1/],
    ["a snapshot still pending", [{ ...own, state: "pending" }], /is pending, not completed/],
    ["a snapshot of a bigger volume", [{ ...own, volumeSizeGb: 40 }], /smaller than the 40 GiB volume/],
  ] as Array<[string, MockSnapshot[], RegExp]>)("%s", async (_what, snapshots, problem) => {
    const failed = await runSynth("lab", { configText: RESTORE, passphrase: "", snapshots }).then(() => undefined, (e: unknown) => e);
    expect(failed).toBeInstanceOf(ConfigError);
    const issues = (failed as ConfigError).issues;
    expect(issues.some((i) => problem.test(i.problem))).toBe(true);
    expect(issues.every((i) => i.path.startsWith("mailfort:") && i.fix.length > 0)).toBe(true);
  }, 120_000);

  it("a malformed id, by the stack file's own check", async () => {
    const failed = await runSynth("lab", { configText: withSettings("  mailfort:dataVolume:\n    restoreFrom: snap-latest\n"), passphrase: "" }).then(() => undefined, (e: unknown) => e);
    expect((failed as ConfigError).issues).toEqual([expect.objectContaining({ path: "mailfort:dataVolume.restoreFrom" })]);
  }, 120_000);
});
