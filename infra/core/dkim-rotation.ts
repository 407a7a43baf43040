// DKIM key rotation as a step machine, one step per `pulumi up`:
//
//   steady(A) --generation raised to B--> published (A signs; A and B published)
//     --TTL + margin after publishing--> signing (B signs; A still published: mail in transit verifies)
//     --grace after switching--> revoked (B signs; A's record says p= empty, its private key is gone)
//     --TTL + margin after revoking--> steady(B) (A's record removed)
//
// Pure: the recorded state of the last up (an SSM parameter the program writes after the DNS
// records, read back at the start of the next run) and the clock come in as arguments. The
// state only moves when a step is due, and a step's time is the one recorded when it was taken,
// so a preview shows the same thing until the next step falls due: no flapping.
import { ConfigError, type DkimLayout } from "../config";

export const ROTATION_STATE_FORMAT = 1;

/** What the last up left in place (JSON in the state parameter). Times: ISO 8601 UTC, seconds. */
export type RotationState =
  | { readonly v: 1; readonly step: "steady"; readonly generation: number }
  | { readonly v: 1; readonly step: "published"; readonly from: number; readonly generation: number; readonly publishedAt: string }
  | { readonly v: 1; readonly step: "signing"; readonly from: number; readonly generation: number; readonly publishedAt: string; readonly signingAt: string }
  | { readonly v: 1; readonly step: "revoked"; readonly from: number; readonly generation: number; readonly publishedAt: string; readonly signingAt: string; readonly revokedAt: string };

export type RotationStep = RotationState["step"];

export interface RotationTiming {
  /** TTL of the DKIM records, seconds: how long a resolver may keep the previous answer. */
  readonly ttlSeconds: number;
  readonly marginMinutes: number;
  readonly graceHours: number;
}

/** What the next up would do, and from when. */
export interface NextStep {
  readonly step: RotationStep | "start";
  /** The earliest time it is due; undefined: whenever the generation is raised. */
  readonly notBefore?: Date;
  readonly says: string;
}

export interface RotationDecision {
  /** The state this up leaves (written to the state parameter). */
  readonly state: RotationState;
  /** Whether this up takes a step (the state differs from the recorded one). */
  readonly advanced: boolean;
  readonly layout: DkimLayout;
  /** One line: where the rotation is after this up. */
  readonly says: string;
  readonly next: NextStep;
}

/** A stack with no recorded state: everything made before rotation existed signs with generation 0. */
export const INITIAL_STATE: RotationState = { v: 1, step: "steady", generation: 0 };

const iso = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, "Z");
const after = (t: string, ms: number) => new Date(Date.parse(t) + ms);
const publishWait = (t: RotationTiming) => (t.ttlSeconds + t.marginMinutes * 60) * 1000;
const graceWait = (t: RotationTiming) => t.graceHours * 3600 * 1000;

export function layoutOf(s: RotationState): DkimLayout {
  switch (s.step) {
    case "steady": return { signing: s.generation, published: [s.generation], revoked: [] };
    case "published": return { signing: s.from, published: [s.from, s.generation], revoked: [] };
    case "signing": return { signing: s.generation, published: [s.from, s.generation], revoked: [] };
    case "revoked": return { signing: s.generation, published: [s.generation], revoked: [s.from] };
  }
}

/** The step after `s` and when it is due (target: the configured generation). */
export function nextStepOf(s: RotationState, target: number, t: RotationTiming): NextStep {
  switch (s.step) {
    case "steady":
      return target > s.generation
        ? { step: "published", says: `publish generation ${target}'s key beside generation ${s.generation}'s (due now)` }
        : { step: "start", says: `nothing: generation ${s.generation} signs; raise dkim.rotation.generation to ${s.generation + 1} to rotate` };
    case "published":
      return { step: "signing", notBefore: after(s.publishedAt, publishWait(t)), says: `sign with generation ${s.generation} (its record has then been public for its TTL + margin)` };
    case "signing":
      return { step: "revoked", notBefore: after(s.signingAt, graceWait(t)), says: `revoke generation ${s.from}'s record (p= empty) after the grace period` };
    case "revoked":
      return { step: "steady", notBefore: after(s.revokedAt, publishWait(t)), says: `remove generation ${s.from}'s revoked record; generation ${s.generation} alone` };
  }
}

function describe(s: RotationState): string {
  switch (s.step) {
    case "steady": return `steady: generation ${s.generation} published and signing`;
    case "published": return `published: generation ${s.generation}'s key public since ${s.publishedAt}; generation ${s.from} still signs`;
    case "signing": return `signing: generation ${s.generation} signs since ${s.signingAt}; generation ${s.from}'s key stays published (grace)`;
    case "revoked": return `revoked: generation ${s.from}'s record has p= empty since ${s.revokedAt}; generation ${s.generation} signs`;
  }
}

/** The state this up leaves: at most one step past the recorded one, and only when it is due. */
export function decideRotation(recorded: RotationState | undefined, target: number, timing: RotationTiming, now: Date): RotationDecision {
  if (Number.isNaN(now.getTime())) throw new Error("internal: the rotation clock is not a valid time");
  const from = recorded ?? INITIAL_STATE;
  if (target < from.generation) {
    // Keys only move forward: going back would sign with a key deleted (or never made) without a wait.
    throw new ConfigError([{
      path: "mailfort:dkim.rotation.generation",
      problem: `is ${target}, but generation ${from.generation} is already ${from.step === "steady" ? "signing" : "being rolled out"} (recorded by the last pulumi up)`,
      fix: `set it to ${from.generation} (or higher to rotate again)`,
    }]);
  }
  const next = nextStepOf(from, target, timing);
  const due = next.step !== "start" && (next.notBefore === undefined || now.getTime() >= next.notBefore.getTime());
  const state = due ? take(from, target, now) : from;
  const advanced = state !== from || recorded === undefined;
  return { state, advanced, layout: layoutOf(state), says: describe(state), next: nextStepOf(state, target, timing) };
}

function take(s: RotationState, target: number, now: Date): RotationState {
  const at = iso(now);
  switch (s.step) {
    case "steady": return { v: 1, step: "published", from: s.generation, generation: target, publishedAt: at };
    case "published": return { v: 1, step: "signing", from: s.from, generation: s.generation, publishedAt: s.publishedAt, signingAt: at };
    case "signing": return { ...s, step: "revoked", revokedAt: at };
    case "revoked": return { v: 1, step: "steady", generation: s.generation };
  }
}

/** The recorded state from the parameter's text; anything else is refused (a hand-edited
 * parameter must not move keys). undefined text: no state recorded yet. */
export function parseRotationState(text: string | undefined, where: string): RotationState | undefined {
  if (text === undefined) return undefined;
  const fail = (why: string): never => {
    throw new Error(`${where}: ${why}; it is written by \`pulumi up\` only: put back its last good value (\`aws ssm get-parameter-history\`), `
      + `or {"v":1,"step":"steady","generation":<N>} for the generation whose selector the host signs with (docs/dkim-rotation.md)`);
  };
  let raw: unknown;
  try { raw = JSON.parse(text); } catch { return fail("is not JSON"); }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return fail("is not a JSON object");
  const o = raw as Record<string, unknown>;
  if (o.v !== ROTATION_STATE_FORMAT) fail(`has format ${JSON.stringify(o.v)}, not ${ROTATION_STATE_FORMAT}`);
  const gen = (k: string) => {
    const n = o[k];
    if (typeof n !== "number" || !Number.isInteger(n) || n < 0 || n > 9999) fail(`${k} is ${JSON.stringify(n)}, not a generation 0..9999`);
    return n as number;
  };
  const time = (k: string) => {
    const t = o[k];
    if (typeof t !== "string" || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/.test(t) || Number.isNaN(Date.parse(t))) fail(`${k} is ${JSON.stringify(t)}, not a UTC time like 2026-12-01T10:00:00Z`);
    return t as string;
  };
  const keys = (allowed: string[]) => {
    const extra = Object.keys(o).filter((k) => !allowed.includes(k));
    if (extra.length > 0) fail(`has unknown fields ${extra.join(", ")}`);
  };
  switch (o.step) {
    case "steady":
      keys(["v", "step", "generation"]);
      return { v: 1, step: "steady", generation: gen("generation") };
    case "published": {
      keys(["v", "step", "from", "generation", "publishedAt"]);
      const s = { v: 1, step: "published", from: gen("from"), generation: gen("generation"), publishedAt: time("publishedAt") } as const;
      if (s.generation <= s.from) fail(`rotates from generation ${s.from} to ${s.generation}, not forward`);
      return s;
    }
    case "signing": {
      keys(["v", "step", "from", "generation", "publishedAt", "signingAt"]);
      const s = { v: 1, step: "signing", from: gen("from"), generation: gen("generation"), publishedAt: time("publishedAt"), signingAt: time("signingAt") } as const;
      if (s.generation <= s.from) fail(`rotates from generation ${s.from} to ${s.generation}, not forward`);
      if (Date.parse(s.signingAt) < Date.parse(s.publishedAt)) fail("signingAt is before publishedAt");
      return s;
    }
    case "revoked": {
      keys(["v", "step", "from", "generation", "publishedAt", "signingAt", "revokedAt"]);
      const s = { v: 1, step: "revoked", from: gen("from"), generation: gen("generation"), publishedAt: time("publishedAt"), signingAt: time("signingAt"), revokedAt: time("revokedAt") } as const;
      if (s.generation <= s.from) fail(`rotates from generation ${s.from} to ${s.generation}, not forward`);
      if (Date.parse(s.signingAt) < Date.parse(s.publishedAt) || Date.parse(s.revokedAt) < Date.parse(s.signingAt)) fail("its times are out of order");
      return s;
    }
    default:
      return fail(`step is ${JSON.stringify(o.step)}, not steady, published, signing or revoked`);
  }
}

/** The parameter's text: stable key order, so an unchanged state is an unchanged parameter. */
export function rotationStateText(s: RotationState): string {
  return JSON.stringify(s);
}
