// The one place that talks to Pulumi: a StackRunner over the Automation API's LocalWorkspace.
// LocalWorkspace runs the Pulumi CLI in the project dir, and the CLI reads Pulumi.yaml, so
// `stackConfigDir: stacks` is honoured for preview/up/refresh and config. (LocalWorkspace's own
// stackSettings()/saveStackSettings() look only in workDir and ignore stackConfigDir, so this
// adapter never calls them and never passes stack settings.) Needs the Pulumi CLI on PATH.
import type { StackRunner } from "./runner";

export function automationRunner(projectDir: string, policyPacks: readonly string[]): StackRunner {
  return async ({ stack: stackName, operation, policyPackConfig, log }) => {
    // Imported on first use: the module is large, and the rest of fleet works without the CLI.
    const { LocalWorkspace } = await import("@pulumi/pulumi/automation");
    const stack = await LocalWorkspace.createOrSelectStack({ stackName, workDir: projectDir });
    const common = { onOutput: log, color: "never" as const };
    // The pack, with this stack's declared relaxations (the CLI cannot read them from inside a policy).
    const policy = { policyPacks: [...policyPacks], ...(policyPackConfig === undefined ? {} : { policyPackConfigs: [policyPackConfig] }) };
    switch (operation) {
      case "preview":
        return { changes: (await stack.preview({ ...common, ...policy })).changeSummary };
      case "up":
        return { changes: (await stack.up({ ...common, ...policy })).summary.resourceChanges ?? {} };
      case "refresh":
        return { changes: (await stack.refresh(common)).summary.resourceChanges ?? {} };
    }
  };
}
