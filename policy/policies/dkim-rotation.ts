// DKIM rotation (docs/dkim-rotation.md), judged from outside: the selector the host signs with
// (the SSM parameter dkim-signing, which mailfort-sync turns into Rspamd's
// dkim_selectors.map; it is not a file of the host bundle, so a switch needs no new instance), the DKIM records the
// stack publishes, and the rotation state the up records in SSM. Refused: signing with a key
// whose record is missing or revoked, a switch to the new key before its record was public for
// its TTL + margin, the old key revoked or removed before the grace period, and a signing map
// that disagrees with the recorded step. The pack keeps its own reading of the selector names
// and of the state (test/policy/dkim-rotation.test.ts holds them to the product's).
import type { PolicyResource } from "@pulumi/policy";
import { stackPolicy, str } from "../define";
import { RECORD, recordsOf, type PublishedRecord } from "../lib/records";
import { txtJoined } from "../lib/txt";

const SSM_PARAMETER = "aws:ssm/parameter:Parameter";

/** Generation 0 signs with the configured selector, generation N with `<selector>-gN`. */
export function generationOfSelector(base: string, selector: string): number | undefined {
  if (selector === base) return 0;
  const m = new RegExp(`^${base.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}-g([1-9][0-9]{0,3})$`).exec(selector);
  return m ? Number(m[1]) : undefined;
}

export interface RecordedRotation {
  readonly step: string;
  readonly generation: number;
  readonly from?: number;
  readonly publishedAt?: number;
  readonly signingAt?: number;
  readonly revokedAt?: number;
}

/** The state parameter's value as the pack reads it (times in ms); a reason when it cannot. */
export function readRotationState(text: string): RecordedRotation | string {
  let o: unknown;
  try { o = JSON.parse(text); } catch { return "is not JSON"; }
  if (typeof o !== "object" || o === null) return "is not a JSON object";
  const v = o as Record<string, unknown>;
  const time = (k: string) => (typeof v[k] === "string" ? Date.parse(v[k]) : Number.NaN);
  const step = String(v.step);
  if (typeof v.generation !== "number" || !["steady", "published", "signing", "revoked"].includes(step)) return `has no known step and generation (${text})`;
  const out: RecordedRotation = {
    step, generation: v.generation,
    ...(typeof v.from === "number" ? { from: v.from } : {}),
    ...(Number.isFinite(time("publishedAt")) ? { publishedAt: time("publishedAt") } : {}),
    ...(Number.isFinite(time("signingAt")) ? { signingAt: time("signingAt") } : {}),
    ...(Number.isFinite(time("revokedAt")) ? { revokedAt: time("revokedAt") } : {}),
  };
  const needs: Record<string, string[]> = { steady: [], published: ["from", "publishedAt"], signing: ["from", "publishedAt", "signingAt"], revoked: ["from", "publishedAt", "signingAt", "revokedAt"] };
  const missing = (needs[step] ?? []).filter((k) => !(k in out));
  return missing.length > 0 ? `step ${step} lacks ${missing.join(", ")}` : out;
}

/** Where the host's signing map comes from: the parameter mailfort-sync re-reads (the pack's own
 * copy of the name; test/policy/dkim-rotation.test.ts holds it to the product's). */
export const signingParameterName = (stack: string) => `/mailfort/${stack}/dkim-signing`;

/** Domain -> selector, from the signing map the host syncs (JSON {domain: selector}); a reason when it cannot. */
export function readSigningSelectors(text: string): Map<string, string> | string {
  let o: unknown;
  try { o = JSON.parse(text); } catch { return "is not JSON"; }
  if (typeof o !== "object" || o === null || Array.isArray(o)) return "is not a JSON object of domain: selector";
  const out = new Map<string, string>();
  for (const [domain, selector] of Object.entries(o)) {
    if (typeof selector !== "string") return `gives ${domain} the selector ${JSON.stringify(selector)}, not a name`;
    out.set(domain, selector);
  }
  return out;
}

function signingSelectors(resources: readonly PolicyResource[], stack: string): Map<string, string> | string {
  const name = signingParameterName(stack);
  const param = resources.find((r) => r.type === SSM_PARAMETER && str(r.props.name) === name);
  if (!param) return `no SSM parameter ${name} tells the host which DKIM selector signs, so which key signs cannot be checked`;
  const text = str(param.props.value);
  if (text === undefined) return `${name} has no value the pack can read, so which key signs cannot be checked`;
  const map = readSigningSelectors(text);
  return typeof map === "string" ? `${name} ${map}` : map;
}

type KeyState = "key" | "revoked" | "absent";
function keyAt(records: readonly PublishedRecord[], fqdn: string): { state: KeyState } {
  const r = records.filter((x) => x.type === "TXT" && x.fqdn === fqdn);
  if (r.length === 0) return { state: "absent" };
  const values = r.flatMap((x) => x.values).map(txtJoined);
  // No values: not known yet (a key made in the same deploy), which is a key, not a revocation.
  const revoked = values.length > 0 && values.every((t) => /(^|;)\s*p=\s*(;|$)/.test(t));
  return { state: revoked ? "revoked" : "key" };
}

function ttlAt(resources: readonly PolicyResource[], records: readonly PublishedRecord[], fqdn: string): number | undefined {
  const urn = records.find((x) => x.type === "TXT" && x.fqdn === fqdn)?.urn;
  const ttl = resources.find((r) => r.type === RECORD && r.urn === urn)?.props.ttl;
  return typeof ttl === "number" ? ttl : undefined;
}

const show = (ms: number) => new Date(ms).toISOString().replace(/\.000Z$/, "Z");

export const dkimRotationPolicy = stackPolicy({
  name: "dns-dkim-rotation",
  area: "dns",
  description: "The host signs each domain with a selector whose DKIM record is published with a key; a rotation switches to the new key only after its record was public for its TTL + dkim.rotation.marginMinutes, and revokes or removes the old one only after graceHours.",
  why: "A signature with a key resolvers cannot (yet) return fails DKIM and, under DMARC p=reject, the mail is rejected; removing a key while mail signed with it is queued or in transit does the same.",
  check: (resources, report, { facts }) => {
    const records = recordsOf(resources, facts);
    const sending = facts.domains.filter((d) => d.sendsMail);
    if (sending.length === 0) return;
    const map = signingSelectors(resources, facts.stack);
    if (typeof map === "string") { report(map); return; }
    const stateParam = resources.find((r) => r.type === SSM_PARAMETER && str(r.props.name) === `/mailfort/${facts.stack}/state/dkim-rotation`);
    const text = str(stateParam?.props.value);
    const state = text === undefined ? "has no value" : readRotationState(text);
    if (stateParam === undefined) report(`no SSM parameter /mailfort/${facts.stack}/state/dkim-rotation records the DKIM rotation's step`);
    else if (typeof state === "string") report(`the DKIM rotation state ${state}`);
    const margin = facts.dkimRotation.marginMinutes * 60_000;
    const grace = facts.dkimRotation.graceHours * 3_600_000;

    for (const d of sending) {
      const at = (m: string) => report(`${d.name}: ${m}`);
      const selector = map.get(d.name);
      if (selector === undefined) { at(`${signingParameterName(facts.stack)} has no selector for it, so its mail goes out unsigned`); continue; }
      const fqdn = (s: string) => `${s}._domainkey.${d.name}`;
      const signingKey = keyAt(records, fqdn(selector));
      if (signingKey.state === "absent") at(`the host signs with selector ${selector}, but ${fqdn(selector)} is not published: receivers cannot verify its mail`);
      if (signingKey.state === "revoked") at(`the host signs with selector ${selector}, but ${fqdn(selector)} is revoked (empty p=): receivers fail its mail`);
      const signingGen = generationOfSelector(d.dkimSelector, selector);
      if (signingGen === undefined) { at(`the host signs with selector ${selector}, which is neither ${d.dkimSelector} nor ${d.dkimSelector}-g<N>`); continue; }
      if (typeof state !== "object") continue;
      const sel = (g: number) => (g === 0 ? d.dkimSelector : `${d.dkimSelector}-g${g}`);
      const expected = state.step === "published" ? state.from : state.generation;
      if (signingGen !== expected) at(`the host signs with generation ${signingGen} (${selector}), but the rotation is at step ${state.step}, which signs with generation ${expected}`);
      if (state.from !== undefined && (state.step === "published" || state.step === "signing") && keyAt(records, fqdn(sel(state.from))).state !== "key") {
        at(`generation ${state.from}'s key (${fqdn(sel(state.from))}) is not published at step ${state.step}: mail it signed, still queued or in transit, fails`);
      }
      if (state.step === "published" && keyAt(records, fqdn(sel(state.generation))).state !== "key") at(`step published, but ${fqdn(sel(state.generation))} has no key`);
      if ((state.step === "signing" || state.step === "revoked") && state.publishedAt !== undefined && state.signingAt !== undefined) {
        const ttl = ttlAt(resources, records, fqdn(sel(state.generation)));
        const wait = (ttl ?? 0) * 1000 + margin;
        if (state.signingAt - state.publishedAt < wait) {
          at(`switched to generation ${state.generation} at ${show(state.signingAt)}, ${Math.round((state.signingAt - state.publishedAt) / 60_000)} min after publishing it (${show(state.publishedAt)}); it must wait the record's TTL (${ttl ?? "?"} s) + marginMinutes (${facts.dkimRotation.marginMinutes})`);
        }
      }
      if (state.step === "revoked" && state.signingAt !== undefined && state.revokedAt !== undefined && state.revokedAt - state.signingAt < grace) {
        at(`revoked generation ${state.from ?? "?"} at ${show(state.revokedAt)}, ${Math.round((state.revokedAt - state.signingAt) / 3_600_000)} h after the switch; graceHours is ${facts.dkimRotation.graceHours}: mail signed with it may still be queued or in transit`);
      }
    }
  },
});
