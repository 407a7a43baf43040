// The run's last phase on the instance then running (the replacement, or the first instance when
// there is none): the induced faults (lab/faults/phase.ts) and a DKIM rotation
// (lab/dkim-rotation-phase.ts) side by side. The faults spend ~7 minutes mostly waiting for
// alarms, so the rotation costs the run almost no time there; and on the replacement it follows
// every check that expects the key the first instance signed with (the replacement's and the
// restore's), so none of them has to learn about a new key generation.
//
// Why the two cannot disturb each other (each was checked against the other's actions):
// - the faults' DNSBL entry lists the server's address in a zone of its own; the remote MX
//   consults no DNSBL, and the rotation's DKIM records go through the emulator's zone export;
// - the full data volume leaves ~400 MB (4 GB lab volume at 90 %): room for the keys and queue;
// - the faults' 110 messages to down.test are local (sendmail, no SASL: no user's budget or
//   top-sender count), and a flush at the switch only retries them; the rotation's remote MX
//   outage adds deferred deliveries, which only the queue fault's tolerated alarm counts;
// - the password guesser comes from the scanner pool, as bob; the rotation sends as alice from
//   the sender host (no failed login, no ban);
// - the one real conflict: the near-expiry certificate is signed by the lab's endpoint CA, which
//   verify's mail clients rightly do not trust, so the faults install it only once the rotation
//   is over (`rotationDone`); every other fault is in place from the start.
import type { CheckResult } from "../verify/contract";

export interface SideBySide {
  readonly results: CheckResult[];
  readonly faultsSeconds: number;
  readonly rotationSeconds: number;
}

/** A rotation that threw: one failed check that says so (the faults' results still count). */
export const ROTATION_RAN = { id: "dkim-rotation-ran", title: "the lab's DKIM rotation runs through its four steps" } as const;

/**
 * Start the rotation and the faults together; the faults get a promise that settles when the
 * rotation has (for the one fault that must wait for it). A rotation that throws is a failed
 * check, never an unsettled gate or a lost fault phase.
 */
export async function faultsBesideRotation(
  faults: (rotationDone: Promise<void>) => Promise<CheckResult[]>,
  rotation: () => Promise<CheckResult[]>,
  now: () => number = Date.now,
): Promise<SideBySide> {
  const started = now();
  let rotationSeconds = 0;
  const rotating = rotation()
    .catch((e: unknown): CheckResult[] => [{ ...ROTATION_RAN, status: "fail", detail: e instanceof Error ? e.message : String(e), seconds: 0 }])
    .then((r) => {
      rotationSeconds = Math.round((now() - started) / 1000);
      return r;
    });
  const faulting = faults(rotating.then(() => undefined)).then((r) => ({ r, seconds: Math.round((now() - started) / 1000) }));
  const [rotationResults, f] = await Promise.all([rotating, faulting]);
  return { results: [...rotationResults, ...f.r], faultsSeconds: f.seconds, rotationSeconds };
}
