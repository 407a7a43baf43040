// fail2ban's reaction time, for the report beside the other server figures: verify's own
// brute-force checks (verify/checks/bruteforce.ts) from the lab's attacker namespace against the
// bench VM, SMTP AUTH on 587 first (its ban leaves 993 open), then IMAP on 993. Each guesses until
// the jail has seen maxRetry failures and reports how long after the last failed login the port
// stopped answering: that is the figure (target: 10 s, issue 17). The bench's raised per-client
// limits (lab-session.ts) include the AUTH rate, so Postfix's anvil never slows the guesser down:
// what is measured is the jail alone.
import type { MailConfig } from "../infra/config";
import { runVerifyGroup } from "../lab";

export const BAN_CHECKS = [
  { id: "bruteforce-ban-smtp", proto: "smtp", label: "SMTP AUTH (587)" },
  { id: "bruteforce-ban-imap", proto: "imap", label: "IMAP (993)" },
] as const;

export interface BanReaction {
  readonly id: string;
  readonly proto: "smtp" | "imap";
  readonly label: string;
  readonly status: string;
  /** Seconds from the last failed login to the ban, when the check saw one. */
  readonly seconds?: number;
  readonly detail: string;
}

export interface BanReactionResult {
  readonly maxRetry: number;
  readonly checks: readonly BanReaction[];
}

/** The seconds in verify's "banned N s after the last one", or undefined. */
export function banSeconds(detail: string): number | undefined {
  const m = /\bbanned (\d+(?:\.\d+)?) s after the last one\b/.exec(detail);
  return m?.[1] === undefined ? undefined : Number(m[1]);
}

export async function runBanReaction(cfg: MailConfig, log: (l: string) => void): Promise<BanReactionResult> {
  const checks: BanReaction[] = [];
  for (const c of BAN_CHECKS) {
    const [r] = await runVerifyGroup(cfg, { group: "attacker", from: "attacker", only: c.id }, log);
    const detail = r?.detail ?? "the check did not run";
    const seconds = r?.status === "pass" ? banSeconds(detail) : undefined;
    checks.push({ id: c.id, proto: c.proto, label: c.label, status: r?.status ?? "missing", detail, ...(seconds === undefined ? {} : { seconds }) });
    log(`ban: ${c.label}: ${r?.status ?? "missing"}, ${seconds === undefined ? "no figure" : `banned ${seconds} s after the last failed login`}`);
  }
  return { maxRetry: cfg.bruteForce.maxRetry, checks };
}
