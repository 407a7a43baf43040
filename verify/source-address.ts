// Which local address a hostile check sends from. fail2ban bans an address after maxRetry
// refusals within findMinutes, and it counts exactly what the hostile checks provoke (refused
// relay tricks, floods cut off, failed logins). Checks that must each reach the server therefore
// take their own slot among the --source-address values, and the relay battery spreads its
// tricks so that no address collects maxRetry refusals. Without --source-address every check
// sends from the machine's default address (and the later relay tricks may find it banned).
import type { VerifyTarget } from "./types";

/** The local address for slot `slot`, wrapping around; undefined = the system's default. */
export function sourceAddress(t: Pick<VerifyTarget, "sourceAddresses">, slot: number): string | undefined {
  const all = t.sourceAddresses ?? [];
  if (all.length === 0) return undefined;
  return all[slot % all.length];
}

/** How many refusals one address may collect without being banned: maxRetry - 1 (at least 1). */
export function refusalsPerAddress(t: Pick<VerifyTarget, "bruteForce">): number {
  return Math.max(1, (t.bruteForce?.maxRetry ?? 5) - 1);
}

/** The slot of the n-th relay trick when the battery starts at `firstSlot`. */
export function relaySlot(t: Pick<VerifyTarget, "bruteForce">, firstSlot: number, n: number): number {
  return firstSlot + Math.floor(n / refusalsPerAddress(t));
}

/**
 * The slots of the app-password check's sign-ins (refused ones included): two refusals on each,
 * from the top of a client's range, which the relay battery (from slot 0 up, a few slots) does
 * not reach when the client has sixteen addresses, as the lab's sender does.
 */
export const APP_PASSWORD_SLOTS = [14, 15] as const;

/**
 * The lab containment check's client addresses (lab/containment-check.ts), from the sender. The
 * hijacked mailbox's loop goes round seven slots above the client relay battery (26 tricks, four
 * a slot: slots 0 to 6): each of its held (451) messages is a failure to fail2ban's aggressive
 * postfix jail, and from one address the loop was banned (connection refused) before the
 * detector's minute came round, so it never saw the suspension. The other mailbox and the
 * attempt after the lift use the app-password slots (two refusals each so far, a success or a
 * hold more is still under maxRetry).
 */
export const CONTAINMENT_SLOTS = { loop: [7, 8, 9, 10, 11, 12, 13], other: APP_PASSWORD_SLOTS[0], afterLift: APP_PASSWORD_SLOTS[1] } as const;
