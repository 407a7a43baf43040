// The webmail's memory in the lab VM, for the benchmark report: the PSS of every PHP-FPM process
// (the webmail's only resident cost; nginx serves it with the workers it already has) at rest, and
// the most seen while one signed-in session is busy (verify's webmail-session group).
import type { MailConfig } from "../infra/config";
import type { CheckResult } from "../verify/contract";
import { runVerifyGroup } from "./verify-run";
import { guestShell } from "./vm/guest-agent";

/** Sum of Pss (kB) over PHP-FPM's processes, from /proc/<pid>/smaps_rollup. */
const PHP_FPM_PSS = "for p in $(pgrep -f '^php-fpm'); do awk '/^Pss:/ {print $2}' /proc/$p/smaps_rollup 2>/dev/null; done | awk '{s += $1} END {print s + 0}'";

async function phpFpmMb(): Promise<number> {
  return Math.round(Number((await guestShell(PHP_FPM_PSS, { timeoutMs: 30_000 })).trim()) / 102.4) / 10;
}

export interface WebmailMemory {
  readonly atRestMb: number;
  readonly withSessionMb: number;
  readonly results: CheckResult[];
}

export async function measureWebmailMemory(cfg: MailConfig, log: (l: string) => void): Promise<WebmailMemory> {
  // On demand: workers leave 10 s after their last request; give them that and a margin.
  await new Promise((r) => setTimeout(r, 15_000));
  const atRestMb = await phpFpmMb();
  let withSessionMb = atRestMb;
  let done = false;
  const session = runVerifyGroup(cfg, { group: "webmail-session", from: "sender" }, log).finally(() => { done = true; });
  while (!done) {
    withSessionMb = Math.max(withSessionMb, await phpFpmMb().catch(() => 0));
    await new Promise((r) => setTimeout(r, 3000));
  }
  const results = await session;
  log(`webmail memory: PHP-FPM ${atRestMb} MiB at rest, up to ${withSessionMb} MiB with one session`);
  return { atRestMb, withSessionMb, results };
}
