// Restoring a stack's data volume from a snapshot, as a specification: the settings and what is
// refused up front from the stack file alone, the volumes a restore declares (only ever added,
// the replaced one kept), and which snapshots may be restored into which stack.
import { describe, expect, it } from "vitest";
import { type MailConfig, parseMailConfig } from "../../infra/config";
import { DATA_VOLUME_TAGS, type SnapshotFacts, dataVolumePlan, restoreSourceIssues } from "../../infra/core/restore";
import { issuesOf } from "../support/config-issues";

const HASH = "{BLF-CRYPT}$2b$10$7F3KnM4AkwlVFTgLk3vc2OPrJRpagN5eg0Bge88bHeHcoU0v2ziBy";
const SNAP = "snap-0123456789abcdef0";
const EARLIER = "snap-0fedcba9876543210";

function parse(extra: Record<string, unknown>, stack = "prod"): MailConfig {
  const cfg: Record<string, unknown> = {
    region: "eu-west-1", hostname: "mail.example.com", domains: [{ name: "example.com" }],
    mailboxes: [{ address: "alice@example.com", passwordHashSecret: "alice-password" }],
    tls: { mode: "acme", acmeEmail: "ops@example.org" }, ...extra,
  };
  const values: Record<string, string> = { "mailfort:alice-password": HASH };
  for (const [k, v] of Object.entries(cfg)) values[`mailfort:${k}`] = typeof v === "string" ? v : JSON.stringify(v);
  return parseMailConfig({ values, secretKeys: new Set(["mailfort:alice-password"]) }, stack);
}

describe("settings", () => {
  it("default: no restore, the original volume, no copies", () => {
    const cfg = parse({});
    expect(cfg.dataVolume).toEqual({ previous: "original" });
    expect(cfg.backups.crossRegionCopies).toEqual([]);
  });

  it.each([
    ["an id with uppercase", "snap-0123456789ABCDEF0"],
    ["a volume id", "vol-0123456789abcdef0"],
    ["too short", "snap-0123"],
    ["a shell injection", "snap-01234567;reboot"],
    ["the word newest (pick it with npm run restore)", "newest"],
  ])("refuses %s as restoreFrom, with the path and a fix", (_what, id) => {
    const issues = issuesOf(() => parse({ dataVolume: { restoreFrom: id } }));
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ path: "mailfort:dataVolume.restoreFrom", problem: expect.stringMatching(/is not an EBS snapshot id/), fix: expect.stringMatching(/npm run restore -- pick --stack <name> --newest/) });
  });

  it("refuses a newline in restoreFrom at the config's screen for control characters, before its own check", () => {
    const issues = issuesOf(() => parse({ dataVolume: { restoreFrom: "snap-01234567\nMAILFORT_DATA_DIR=/" } }));
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ path: "mailfort:dataVolume.restoreFrom", problem: expect.stringMatching(/control or invisible character/) });
  });

  it("accepts 8- and 17-digit ids", () => {
    expect(parse({ dataVolume: { restoreFrom: "snap-01234567" } }).dataVolume.restoreFrom).toBe("snap-01234567");
    expect(parse({ dataVolume: { restoreFrom: SNAP, previous: EARLIER } }).dataVolume).toEqual({ restoreFrom: SNAP, previous: EARLIER });
  });

  it("refuses what contradicts itself, every problem at once", () => {
    const issues = issuesOf(() => parse({
      dataVolume: { previous: EARLIER, restoreFromStack: "dev" },
      backups: { crossRegionCopies: [{ region: "eu-west-1" }, { region: "eu-central-1" }, { region: "eu-central-1" }] },
    }));
    expect(issues.map((i) => i.path)).toEqual([
      "mailfort:dataVolume.previous", "mailfort:dataVolume.restoreFromStack",
      "mailfort:backups.crossRegionCopies[0].region", "mailfort:backups.crossRegionCopies[2].region",
    ]);
    expect(issuesOf(() => parse({ dataVolume: { restoreFrom: SNAP, previous: SNAP } }))[0]).toMatchObject({ path: "mailfort:dataVolume.previous", problem: expect.stringMatching(/cannot replace itself/) });
    expect(issuesOf(() => parse({ dataVolume: { restoreFrom: SNAP, previous: "latest" } }))[0]).toMatchObject({ path: "mailfort:dataVolume.previous" });
    expect(issuesOf(() => parse({ backups: { enabled: false, crossRegionCopies: [{ region: "us-east-1" }] } }))[0]).toMatchObject({ path: "mailfort:backups.crossRegionCopies", problem: expect.stringMatching(/never taken/) });
    expect(issuesOf(() => parse({ backups: { crossRegionCopies: [1, 2, 3, 4].map(() => ({ region: "us-east-1" })) } }))[0]).toMatchObject({ path: "mailfort:backups.crossRegionCopies" });
  });
});

describe("dataVolumePlan", () => {
  const host = "mailfort-prod-host";

  it("without a restore: the original volume alone, no role tags (existing stacks keep their graph)", () => {
    expect(dataVolumePlan(parse({}), host)).toEqual({ current: { source: "original", role: "current", suffix: "-data", tags: {}, backedUp: true } });
  });

  it("a first restore: a new volume from the snapshot, the original kept as previous, detached and no longer backed up", () => {
    const plan = dataVolumePlan(parse({ dataVolume: { restoreFrom: SNAP } }), host);
    expect(plan.current).toEqual({
      source: SNAP, role: "current", suffix: `-data-${SNAP}`, snapshotId: SNAP, backedUp: true,
      tags: { [DATA_VOLUME_TAGS.role]: "current", [DATA_VOLUME_TAGS.restoredFrom]: SNAP, [DATA_VOLUME_TAGS.supersedes]: `${host}-data` },
    });
    expect(plan.previous).toEqual({ source: "original", role: "previous", suffix: "-data", backedUp: false, tags: { [DATA_VOLUME_TAGS.role]: "previous", [DATA_VOLUME_TAGS.supersededBy]: SNAP } });
  });

  it("a second restore keeps the first restored volume as previous, with its snapshot (so it is not replaced)", () => {
    const plan = dataVolumePlan(parse({ dataVolume: { restoreFrom: SNAP, previous: EARLIER } }), host);
    expect(plan.previous).toMatchObject({ suffix: `-data-${EARLIER}`, snapshotId: EARLIER, tags: { [DATA_VOLUME_TAGS.restoredFrom]: EARLIER, [DATA_VOLUME_TAGS.supersededBy]: SNAP } });
    expect(plan.current.tags[DATA_VOLUME_TAGS.supersedes]).toBe(`${host}-data-${EARLIER}`);
  });

  it("previous: none declares the restored volume alone", () => {
    const plan = dataVolumePlan(parse({ dataVolume: { restoreFrom: SNAP, previous: "none" } }), host);
    expect(plan.previous).toBeUndefined();
    expect(plan.current.tags[DATA_VOLUME_TAGS.supersedes]).toBe("none");
  });
});

describe("restoreSourceIssues", () => {
  const own: SnapshotFacts = { id: SNAP, state: "completed", volumeSizeGb: 20, startTime: "2026-05-01T03:00:12Z", tags: { "mailfort:stack": "prod" } };
  const cfg = parse({ dataVolume: { restoreFrom: SNAP } });

  it("accepts a completed snapshot of this stack that fits", () => {
    expect(restoreSourceIssues(cfg, own)).toEqual([]);
    expect(restoreSourceIssues(parse({}), undefined)).toEqual([]);
  });

  it("refuses a snapshot that does not exist in the region, saying how to copy one over", () => {
    expect(restoreSourceIssues(cfg, undefined)).toEqual([expect.objectContaining({ path: "mailfort:dataVolume.restoreFrom", problem: `${SNAP} does not exist in eu-west-1 (or this account may not read it)`, fix: expect.stringMatching(/aws ec2 copy-snapshot/) })]);
  });

  it("refuses another stack's snapshot, unless restoreFromStack names that stack", () => {
    const theirs = { ...own, tags: { "mailfort:stack": "dev" } };
    expect(restoreSourceIssues(cfg, theirs)).toEqual([expect.objectContaining({ problem: `${SNAP} is a snapshot of stack dev, not of prod`, fix: expect.stringMatching(/npm run restore -- pick --stack prod --newest\).*restoreFromStack: dev/) })]);
    expect(restoreSourceIssues(parse({ dataVolume: { restoreFrom: SNAP, restoreFromStack: "dev" } }), theirs)).toEqual([]);
    expect(restoreSourceIssues(parse({ dataVolume: { restoreFrom: SNAP, restoreFromStack: "dev" } }), own)[0]?.problem).toMatch(/of stack prod, not of dev/);
  });

  it("refuses an untagged snapshot, a pending one and one larger than the volume, all at once", () => {
    const issues = restoreSourceIssues(cfg, { ...own, state: "pending", volumeSizeGb: 50, tags: {} });
    expect(issues.map((i) => [i.path, i.problem])).toEqual([
      ["mailfort:dataVolume.restoreFrom", `${SNAP} is pending, not completed: it cannot be restored yet`],
      ["mailfort:dataVolume.restoreFrom", `${SNAP} carries no mailfort:stack tag, so nothing says whose mail it holds`],
      ["mailfort:instance.dataVolumeGb", `is 20 GiB, smaller than the 50 GiB volume ${SNAP} was taken of`],
    ]);
  });
});
