// aws-cert-renewal-keeps-key: a forced renewal (mailfort-cert.service started on the host as its
// timer does, with MAILFORT_CERT_FORCE set: the certificate is fresh, and an unforced run before
// it must keep it) gets a new certificate for the same key, so TLSA 3 1 1 does not change, every
// TLS port serves the new one (postfix, dovecot and nginx reloaded), and no daemon was
// restarted: main PIDs and start times stay as they were.
import type { MailConfig } from "../../../infra/config";
import type { CheckResult } from "../../../verify/contract";
import { guestShell } from "../../vm/guest-agent";
import { servedCerts } from "./certificate";
import { type ServedCert, chainsTo, tlsa311 } from "./served-cert";

/**
 * The daemons of the host. Debian 13's postfix.service runs Postfix's master itself (the old
 * postfix@- instance unit is only for pre-3.9.1 multi-instance setups and conflicts with it).
 */
const UNITS = ["postfix", "dovecot", "nginx", "rspamd", "redis-server", "unbound", "fail2ban", "chrony"] as const;

export interface UnitState { readonly mainPid: string; readonly activeSince: string }

export async function unitStates(): Promise<Map<string, UnitState>> {
  const out = await guestShell(`systemctl show -p Id -p MainPID -p ActiveEnterTimestampMonotonic ${UNITS.join(" ")}`);
  const states = new Map<string, UnitState>();
  for (const block of out.trim().split(/\n\s*\n/)) {
    const kv = Object.fromEntries(block.split("\n").map((l) => l.split("=", 2) as [string, string]));
    if (kv.Id) states.set(kv.Id.replace(/\.service$/, ""), { mainPid: kv.MainPID ?? "", activeSince: kv.ActiveEnterTimestampMonotonic ?? "" });
  }
  return states;
}

export interface RenewalEvidence {
  readonly before: readonly ServedCert[];
  readonly after: readonly ServedCert[];
  readonly unitsBefore: ReadonlyMap<string, UnitState>;
  readonly unitsAfter: ReadonlyMap<string, UnitState>;
  readonly rootPem: string;
  /** TLSA 3 1 1 of the stack's own key (the SSM parameter tls/key). */
  readonly keyTlsa: string;
  readonly hostOutput: string;
  /** Set when the first forced start's run renewed nothing and the unit was started again: what that run printed. */
  readonly firstForcedRun?: string;
  /** Served on 993 after an unforced run with the fresh certificate (which must keep it). */
  readonly afterUnforced: ServedCert;
}

export const RENEWAL_CHECK = { id: "aws-cert-renewal-keeps-key", title: "a forced renewal gets a new certificate for the same key (TLSA 3 1 1 unchanged), served on every port by a reload, no daemon restarted" } as const;

export function renewalKeepsKey(e: RenewalEvidence): CheckResult {
  const problems: string[] = [];
  const was = e.before.find((x) => x.port === e.afterUnforced.port)?.leaf?.serialNumber;
  if (e.afterUnforced.leaf?.serialNumber !== was) problems.push(`an unforced run renewed a certificate with more than 30 days left (serial ${was} -> ${e.afterUnforced.leaf?.serialNumber ?? "none"})`);
  for (const a of e.after) {
    const b = e.before.find((x) => x.port === a.port);
    if (!a.leaf || !b?.leaf) { problems.push(`${a.port}: no certificate ${a.leaf ? "before" : "after"} the renewal`); continue; }
    if (!chainsTo(a, e.rootPem)) problems.push(`${a.port}: the new certificate does not chain to the ACME root`);
    if (a.leaf.serialNumber === b.leaf.serialNumber) problems.push(`${a.port}: still serves serial ${b.leaf.serialNumber} (not renewed, or the service was not reloaded)`);
    if (tlsa311(a.leaf.publicKey) !== e.keyTlsa) problems.push(`${a.port}: TLSA ${tlsa311(a.leaf.publicKey)} is not the stack key's ${e.keyTlsa}`);
  }
  for (const unit of UNITS) {
    const b = e.unitsBefore.get(unit);
    const a = e.unitsAfter.get(unit);
    if (!b || !a || b.mainPid === "0") { problems.push(`${unit}: not running (${JSON.stringify(b)} -> ${JSON.stringify(a)})`); continue; }
    if (a.mainPid !== b.mainPid || a.activeSince !== b.activeSince) problems.push(`${unit} was restarted (pid ${b.mainPid} -> ${a.mainPid})`);
  }
  const serials = [...new Set(e.after.map((s) => s.leaf?.serialNumber))].join(", ");
  const second = e.firstForcedRun !== undefined ? `; started twice: the first forced start's run renewed nothing (${e.firstForcedRun})` : "";
  return {
    ...RENEWAL_CHECK,
    status: problems.length === 0 ? "pass" : "fail",
    detail: problems.length === 0 ? `new serial ${serials} on ${e.after.length} ports, ${e.keyTlsa.slice(0, 24)}... unchanged; ${UNITS.length} daemons kept their PIDs; host: ${e.hostOutput.trim().split("\n").pop() ?? ""}${second}` : `${problems.join("; ")}; host (mailfort-cert's last lines): ${e.hostOutput.trim().split("\n").join(" | ")}${second}`,
    seconds: 0,
  };
}

/**
 * The forced start, between two readings of the installed certificate's serial (first line:
 * "<serial before> <serial after>"), then the unit's last lines. A start that finds the unit
 * already running joins that run instead of starting one (the timer's unforced run, without the
 * forced environment), and a start whose condition fails runs nothing: the serial stays.
 */
const FORCED_START = [
  "serial() { openssl x509 -noout -serial -in /etc/ssl/mailfort/fullchain.pem; }",
  "was=$(serial)",
  "systemctl set-environment MAILFORT_CERT_FORCE=1 && systemctl start mailfort-cert.service; rc=$?",
  "systemctl unset-environment MAILFORT_CERT_FORCE",
  'echo "$was $(serial)"',
  "journalctl -u mailfort-cert.service -n 4 -o cat --no-pager",
  "exit $rc",
].join("; ");

/** Whether a forced start changed the installed certificate (FORCED_START's first line: the serial before and after). */
export function forcedRunRenewed(output: string): boolean {
  const [was, now] = (output.split("\n")[0] ?? "").trim().split(/\s+/);
  return was !== undefined && now !== undefined && was.startsWith("serial=") && now.startsWith("serial=") && was !== now;
}

/** Force the host's own renewal (mailfort-cert.service, as its timer starts it) and collect the evidence. */
export async function forceRenewal(cfg: MailConfig, rootPem: string, keyTlsa: string): Promise<RenewalEvidence> {
  const before = servedCerts(cfg);
  const unitsBefore = await unitStates();
  await guestShell("systemctl start mailfort-cert.service", { timeoutMs: 600_000 });
  const [afterUnforced] = servedCerts(cfg, [{ port: 993 }]);
  // Twice at most: the first start may have joined a run already under way (the lab saw a forced
  // start end after 2 s of CPU with nothing renewed, twice). A second start that renews nothing
  // either is the product's failure, and the check's evidence then says so.
  const first = await guestShell(FORCED_START, { timeoutMs: 600_000 });
  const firstForcedRun = forcedRunRenewed(first) ? undefined : first.trim().split("\n").join(" | ") || "no output";
  if (firstForcedRun !== undefined) await guestShell(FORCED_START, { timeoutMs: 600_000 });
  const hostOutput = await guestShell("journalctl -u mailfort-cert.service -n 3 -o cat --no-pager");
  const after = servedCerts(cfg);
  return { before, after, unitsBefore, unitsAfter: await unitStates(), rootPem, keyTlsa, hostOutput, afterUnforced: afterUnforced ?? { port: 993, chain: [] }, ...(firstForcedRun !== undefined ? { firstForcedRun } : {}) };
}
