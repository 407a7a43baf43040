// Ask again until there is an answer or time is up: mail takes its time to arrive.

/** Call fn every `everyMs` until it returns something (then that) or timeoutMs passed (undefined). */
export async function poll<T>(fn: () => Promise<T | undefined>, timeoutMs: number, everyMs = 3000): Promise<T | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined || Date.now() > deadline) return v;
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
