// The run's last phases on the instance then running (the replacement, or the first instance
// when there is none): a DKIM rotation (lab/dkim-rotation-phase.ts), then the induced faults
// (lab/faults/phase.ts).
//
// Why there: on the replacement the rotation follows every check that expects the key the first
// instance signed with (the replacement's queued message, the restore's), so none of them has to
// learn about a new key generation, and the faults still come last (they leave a full queue and a
// listed address behind, which no check after them has to live with).
//
// Why one after the other, not side by side (which would have hidden the rotation's minutes in
// the faults' ~7 of waiting for alarms): a dev run of the two side by side on a loaded machine
// showed they do disturb each other. The password guesser's twenty TLS logins per protocol and
// the rotation's submissions share the VM's two emulated CPUs and Dovecot's auth process: the
// rotation's first message went unsubmitted for 300 s, and the next step's was refused at
// connect (the sender's address, by all signs, banned by fail2ban after those retries); both reached into the guest through the one
// guest-agent channel qemu serves to one client at a time (the queue fault was lost to "no
// reply"; lab/vm/guest-agent.ts now makes such calls take turns); and the near-expiry
// certificate, from the lab's endpoint CA, is one verify's mail clients rightly refuse. A
// rotation that throws is a failed check, and the faults run all the same.
import type { CheckResult } from "../verify/contract";

export interface LastPhases {
  readonly results: CheckResult[];
  readonly rotationSeconds: number;
  readonly faultsSeconds: number;
}

/** A rotation that threw: one failed check that says so. */
export const ROTATION_RAN = { id: "dkim-rotation-ran", title: "the lab's DKIM rotation runs through its four steps" } as const;

export async function rotationThenFaults(
  rotation: () => Promise<CheckResult[]>,
  faults: () => Promise<CheckResult[]>,
  now: () => number = Date.now,
): Promise<LastPhases> {
  const started = now();
  const rotated = await rotation()
    .catch((e: unknown): CheckResult[] => [{ ...ROTATION_RAN, status: "fail", detail: e instanceof Error ? e.message : String(e), seconds: 0 }]);
  const rotationSeconds = Math.round((now() - started) / 1000);
  const faultsStarted = now();
  const faulted = await faults();
  return { results: [...rotated, ...faulted], rotationSeconds, faultsSeconds: Math.round((now() - faultsStarted) / 1000) };
}
