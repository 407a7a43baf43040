// The commands an operator runs to set the values fleet never holds: mailbox password hashes.
import type { PendingSecret } from "./validate";

/** Shell-ready lines: a comment naming the mailbox, then the exact `pulumi config set` command. */
export function secretCommands(pending: readonly PendingSecret[]): string[] {
  if (pending.length === 0) return [];
  const lines = [
    "# Make each hash with `doveadm pw -s ARGON2ID` (it prompts for the password; run it on any host with Dovecot),",
    "# then store it encrypted in the stack (replace <hash>, keep the single quotes):",
  ];
  for (const p of pending) {
    lines.push(`# ${p.mailbox ?? p.key} (stack ${p.stack})`);
    lines.push(`pulumi config set --secret --stack ${p.stack} mailfort:${p.key} '<hash>'`);
  }
  lines.push("# or in one go per mailbox: pulumi config set --secret --stack <stack> mailfort:<key> \"$(doveadm pw -s ARGON2ID)\"");
  return lines;
}
