// Values the offline synth invents on every run (mock ids, ARNs with account-specific ids, fresh
// keys and certificates, hashes of them) are not changes a reviewer needs to see. Both sides of a
// plan are normalized the same way before comparing, so only real differences remain.

const MASKS: readonly [RegExp, string][] = [
  [/-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----/g, "<$1>"],
  [/\bp=[A-Za-z0-9+/=" ]{40,}/g, "p=<public key>"],
  // Not snap-: a snapshot id in the inputs is a restore's source, from the stack file, not invented.
  [/\b(?:vol|i|sg|subnet|vpc|eipalloc|eni|igw|rtb|rtbassoc|acl|ami|lt|dopt|policy)-[0-9a-f]{6,17}\b/g, "<id>"],
  [/\/hostedzone\/Z[A-Z0-9]{6,31}\b/g, "/hostedzone/<zone>"],
  [/(?<![A-Z0-9])Z[A-Z0-9]{12,31}\b/g, "<zone>"], // also inside Sids such as AcmeChallengeZ0…
  [/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/g, "<uuid>"],
  [/\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/g, "<access key>"],
  [/\b[0-9a-fA-F]{32,}\b/g, "<hash>"],
  [/\b[A-Za-z0-9+/]{60,}={0,2}/g, "<base64>"],
];

export function normalizeText(s: string): string {
  let out = s;
  for (const [re, sub] of MASKS) out = out.replace(re, sub);
  return out;
}

/** A deep copy with every string normalized. */
export function normalizeValue(v: unknown): unknown {
  if (typeof v === "string") return normalizeText(v);
  if (Array.isArray(v)) return v.map(normalizeValue);
  if (typeof v === "object" && v !== null) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, normalizeValue(x)]));
  return v;
}

/** Stable JSON (sorted keys) for equality checks. */
export function stableJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableJson).join(",")}]`;
  if (typeof v === "object" && v !== null) return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${stableJson((v as Record<string, unknown>)[k])}`).join(",")}}`;
  return JSON.stringify(v) ?? "null";
}
