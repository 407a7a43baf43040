// Tags and names every AWS resource of a stack carries, so a console user can tell what owns it.
import type { MailConfig } from "../config";

export const TYPE_PREFIX = "mailfort:aws";

/** The tag key the DLM snapshot policy targets; the data volume carries it with the stack name. */
export const BACKUP_TAG_KEY = "mailfort:backup";

export function stackTags(cfg: Pick<MailConfig, "stack" | "environment">, name?: string): Record<string, string> {
  const tags: Record<string, string> = { "mailfort:stack": cfg.stack, "mailfort:environment": cfg.environment, ManagedBy: "pulumi" };
  if (name !== undefined) tags.Name = name;
  return tags;
}

/** A Pulumi logical name from a DNS name or address: letters, digits and dashes only. */
export function logicalName(...parts: string[]): string {
  return parts.join("-").toLowerCase().replace(/[^a-z0-9-]+/g, "-").replace(/-+/g, "-").replace(/^-|-$/g, "");
}
