// mailfort:monitoring against the rest of the stack: flow-log settings for a network that
// mailfort does not create would be silently ignored, so they are refused instead.
import type { ConfigIssue } from "./errors";
import { NAMESPACE, type RawStackConfig, decodeValue } from "./raw";
import type { ParsedMailConfig } from "./schema";
import { fieldPath as at } from "./zod-issues";

/** Whether the stack file writes monitoring.flowLogs itself (the schema fills in defaults either way). */
function flowLogsWritten(raw: RawStackConfig): boolean {
  const text = raw.values[`${NAMESPACE}:monitoring`];
  if (text === undefined) return false;
  const value = decodeValue(text);
  return typeof value === "object" && value !== null && "flowLogs" in value;
}

export function monitoringIssues(cfg: ParsedMailConfig, raw: RawStackConfig): ConfigIssue[] {
  if (cfg.network.subnetId === undefined || !flowLogsWritten(raw)) return [];
  return [{
    path: at(["monitoring", "flowLogs"]),
    problem: "has no effect with network.subnetId: mailfort creates no VPC there, so it keeps no flow logs (the network's owner does)",
    fix: "remove monitoring.flowLogs, or remove network.subnetId to let mailfort create its VPC with flow logs",
  }];
}
