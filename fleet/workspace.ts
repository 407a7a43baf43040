// Where fleet reads and writes: the project dir, its inventory, and the stack config dir that
// Pulumi.yaml names (`stackConfigDir`), so generated files land where the Pulumi CLI looks.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { load } from "js-yaml";

export interface FleetWorkspace {
  readonly projectDir: string;
  readonly inventoryPath: string;
  /** The inventory path relative to the project, as written in generated headers. */
  readonly inventorySource: string;
  readonly stacksDir: string;
}

export const DEFAULT_INVENTORY = "fleet/inventory.yaml";

export function openWorkspace(projectDir: string, inventory = DEFAULT_INVENTORY): FleetWorkspace {
  const inventoryPath = join(projectDir, inventory);
  return { projectDir, inventoryPath, inventorySource: relative(projectDir, inventoryPath), stacksDir: join(projectDir, stackConfigDir(projectDir)) };
}

/** Pulumi.yaml's stackConfigDir (default: the project dir itself, as for the Pulumi CLI). */
export function stackConfigDir(projectDir: string): string {
  const file = join(projectDir, "Pulumi.yaml");
  if (!existsSync(file)) return ".";
  const doc = load(readFileSync(file, "utf8")) as { stackConfigDir?: unknown } | null;
  return typeof doc?.stackConfigDir === "string" ? doc.stackConfigDir : ".";
}

export function stackFilePath(ws: FleetWorkspace, stack: string): string {
  return join(ws.stacksDir, `Pulumi.${stack}.yaml`);
}

export function readStack(ws: FleetWorkspace, stack: string): string | undefined {
  const path = stackFilePath(ws, stack);
  return existsSync(path) ? readFileSync(path, "utf8") : undefined;
}

export function writeText(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
}
