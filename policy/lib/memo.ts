// A bounded memo for the pack's pure decoders. A stack run has ~15 host policies and each reads
// the same instance's user data and the same host bundle: decoding them (base64, gunzip, JSON,
// SHA-256) once per policy was most of the pack's time on a stack (profiled in the fleet plan).
// Keyed by the input text itself, so nothing can go stale: another text is another entry. The
// results are frozen, deep, because every policy gets the same object: a policy that tried to
// change what it judges would throw instead of changing what the next policy sees.

/** Freeze a JSON-like value and everything in it; returns it. */
export function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/**
 * `compute` behind a memo of the last `size` distinct keys (least recently used goes first), so
 * a long-lived process (the fleet plan judges stack after stack) holds a few results, never all.
 */
export function memoByText<A extends readonly unknown[], R>(size: number, key: (...args: A) => string, compute: (...args: A) => R): (...args: A) => R {
  const kept = new Map<string, R>();
  return (...args: A): R => {
    const k = key(...args);
    const hit = kept.get(k);
    if (hit !== undefined || kept.has(k)) {
      // Move to the back: most recently used.
      kept.delete(k);
      kept.set(k, hit as R);
      return hit as R;
    }
    const result = deepFreeze(compute(...args));
    kept.set(k, result);
    if (kept.size > size) kept.delete(kept.keys().next().value as string);
    return result;
  };
}
