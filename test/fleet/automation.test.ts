// The fleet's Automation API adapter (fleet/automation.ts), with LocalWorkspace replaced by a
// recorder: what it asks of the Automation API. It selects a LOCAL program (workDir = the project,
// no inline program function), so the Pulumi CLI reads Pulumi.yaml and starts the program through
// cmd/run with its runtime options: the path test/entry-points runs for real. The pack and each
// stack's --policy-pack-config go to preview and up, not to refresh.
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { LocalProgramArgs, LocalWorkspaceOptions } from "@pulumi/pulumi/automation";
import { automationRunner } from "../../fleet/automation";

interface Call { args: LocalProgramArgs; opts?: LocalWorkspaceOptions; operation?: string; options?: Record<string, unknown> }
const calls: Call[] = [];

vi.mock("@pulumi/pulumi/automation", () => ({
  LocalWorkspace: {
    createOrSelectStack: async (args: LocalProgramArgs, opts?: LocalWorkspaceOptions) => {
      const call: Call = { args, ...(opts !== undefined ? { opts } : {}) };
      calls.push(call);
      const record = (operation: string, result: unknown) => async (options: Record<string, unknown>) => {
        Object.assign(call, { operation, options });
        return result;
      };
      return {
        preview: record("preview", { changeSummary: { create: 77 } }),
        up: record("up", { summary: { resourceChanges: { create: 77 } } }),
        refresh: record("refresh", { summary: { resourceChanges: { same: 77 } } }),
      };
    },
  },
}));

beforeEach(() => { calls.length = 0; });

describe("the fleet's Automation API adapter", () => {
  const runner = automationRunner("/srv/mailfort", ["/srv/mailfort/policy"]);
  const log = () => undefined;

  it("runs the project's own program (Pulumi.yaml, cmd/run), never an inline program function", async () => {
    await runner({ stack: "acme-prod", operation: "preview", log });
    expect(calls).toHaveLength(1);
    expect(calls[0]?.args).toEqual({ stackName: "acme-prod", workDir: "/srv/mailfort" });
    expect(calls[0]?.args).not.toHaveProperty("program");
    expect(calls[0]?.opts).toBeUndefined();
  });

  it("previews and deploys with the pack and the stack's own pack config, and reports the engine's change counts", async () => {
    const preview = await runner({ stack: "acme-prod", operation: "preview", policyPackConfig: "/srv/mailfort/.fleet/policy-config/acme-prod.json", log });
    expect(calls[0]?.options).toMatchObject({ policyPacks: ["/srv/mailfort/policy"], policyPackConfigs: ["/srv/mailfort/.fleet/policy-config/acme-prod.json"], color: "never" });
    expect(preview.changes).toEqual({ create: 77 });
    const up = await runner({ stack: "acme-dev", operation: "up", log });
    expect(calls[1]?.options).toMatchObject({ policyPacks: ["/srv/mailfort/policy"] });
    expect(calls[1]?.options).not.toHaveProperty("policyPackConfigs");
    expect(up.changes).toEqual({ create: 77 });
  });

  it("refreshes without the pack (refresh runs no policies)", async () => {
    const refresh = await runner({ stack: "acme-dev", operation: "refresh", log });
    expect(calls[0]?.operation).toBe("refresh");
    expect(calls[0]?.options).not.toHaveProperty("policyPacks");
    expect(refresh.changes).toEqual({ same: 77 });
  });
});
