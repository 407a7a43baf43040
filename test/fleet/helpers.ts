// Test helpers: a throwaway project dir (Pulumi.yaml with stackConfigDir, an inventory).
import { mkdirSync, mkdtempSync, copyFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { dump } from "js-yaml";
import { type FleetWorkspace, openWorkspace } from "../../fleet/workspace";

export function tempProject(inventory?: unknown): FleetWorkspace {
  const dir = mkdtempSync(join(tmpdir(), "fleet-test-"));
  copyFileSync("Pulumi.yaml", join(dir, "Pulumi.yaml"));
  mkdirSync(join(dir, "fleet"));
  if (inventory !== undefined) writeFileSync(join(dir, "fleet/inventory.yaml"), typeof inventory === "string" ? inventory : dump(inventory));
  return openWorkspace(dir);
}

export function captured(): { out: (l: string) => void; text: () => string } {
  const lines: string[] = [];
  return { out: (l) => void lines.push(l), text: () => lines.join("\n") };
}

/** n customers, each with one prod stack, one domain and two mailboxes. */
export function generatedInventory(n: number): { defaults: { region: string }; customers: unknown[] } {
  return {
    defaults: { region: "eu-west-1" },
    customers: Array.from({ length: n }, (_, i) => ({
      name: `customer${String(i + 1).padStart(3, "0")}`,
      environments: ["prod"],
      tier: ["small", "medium", "large"][i % 3],
      domains: [{ name: `customer${i + 1}.example` }],
      mailboxes: [{ address: `alice@customer${i + 1}.example` }, { address: `bob@customer${i + 1}.example` }],
      overrides: { tls: { mode: "acme", acmeEmail: "ops@msp.example.net" } },
    })),
  };
}
