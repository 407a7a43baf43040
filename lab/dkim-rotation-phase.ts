// A DKIM rotation on the running lab VM (docs/dkim-rotation.md), step by step, the way `pulumi up`
// would take it: each step is synthesized from the state the last one recorded (--dkim-state),
// with the keys the last one made (--keep-keys) and the rotation clock moved to the time the step
// falls due (--now, so the lab does not wait two hours and a week); what the step changes in SSM
// and Route53 is pushed to the lab's AWS emulator (which exports the zones to the lab's nsd); the
// host is made to sync through the guest agent (on AWS its timer does, within 5 minutes); then
// verify's dkim-rotation group checks that mail goes out signed with the step's selector and
// verifies at the remote MX, and a message queued before the switch still verifies after it.
// Every step must leave the user data as it was: a rotation never replaces the instance.
//
// lab/run.ts runs it on the instance then running (the replacement), just before the induced
// faults (lab/rotation-then-faults.ts says why there and not beside them). Needs the SSM path
// (not --secrets-disk).
import { spawn } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { MailConfig } from "../infra/config";
import type { DnsRecord } from "../infra/core/dns";
import type { CheckResult } from "../verify/contract";
import { controlCall } from "./aws/control";
import type { LabAws } from "./aws/lab-aws";
import type { EmulatorPlan, PlannedParameter } from "./aws/plan";
import { planFromSynth } from "./aws/plan-files";
import { labDir, labPaths } from "./paths";
import { startRemote, stopRemote } from "./remote/postfix";
import { LAB_STACK, repoRoot } from "./stack";
import { decodeUserData } from "./synth";
import { labHost } from "./topology";
import { remoteMessagesWith } from "../verify/checks/replace-notes";
import { replaceNotesFile, runVerifyGroup } from "./verify-run";
import { guestExec, guestShell } from "./vm/guest-agent";

/** The lab stack file with `dkim.rotation.generation` raised to `generation` (the one setting a rotation takes). */
export function rotationStackText(stackText: string, generation: number): string {
  if (/^\s+mailfort:dkim:/m.test(stackText)) throw new Error("the lab stack already sets mailfort:dkim; the rotation phase adds only dkim.rotation.generation");
  if (!/^config:\n/m.test(stackText)) throw new Error("the lab stack file has no top-level config: section");
  return stackText.replace(/^config:\n/m, `config:\n  mailfort:dkim:\n    rotation:\n      generation: ${generation}\n`);
}

/** What a rotation's step changes, and nothing else: the DKIM keys, the signing map, the state. */
export function isRotationParameter(name: string, stack: string): boolean {
  const p = `/mailfort/${stack}`;
  return name.startsWith(`${p}/dkim/`) || name === `${p}/dkim-signing` || name === `${p}/state/dkim-rotation`;
}
const isDkimRecord = (name: string) => /\._domainkey\./.test(name);

export interface RecordEdit {
  readonly action: "UPSERT" | "DELETE";
  readonly name: string;
  readonly type: string;
  readonly ttl?: number;
  readonly values?: readonly string[];
}

/** The body of the emulator's POST /change: what `pulumi up` would put, delete, upsert. */
export interface RotationPush {
  readonly putParameters: PlannedParameter[];
  readonly deleteParameters: string[];
  /** Zone name (as the loaded plan names it) -> record edits. */
  readonly records: Record<string, RecordEdit[]>;
}

/**
 * The DKIM part of the difference between the stack the emulator holds (`loaded`, updated after
 * each push) and the next step's synth. Other differences between two synths are the mocks' (fresh
 * ids, a fresh self-signed chain), which Pulumi's state would not show, and are left alone.
 * SecureStrings name the KMS key by the loaded stack's reference (each synth has its own mock id:
 * matched by the key's alias).
 */
export function rotationPush(loaded: EmulatorPlan, next: EmulatorPlan, stack: string): RotationPush {
  // A parameter names its key by ARN, which holds the key's (mock) id: put the loaded key's id in.
  const keyRef = (ref: string | undefined) => {
    const key = next.kmsKeys.find((k) => ref !== undefined && ref.includes(k.ref));
    const same = loaded.kmsKeys.find((k) => key?.aliases[0] !== undefined && k.aliases.includes(key.aliases[0]));
    if (!key || !same) throw new Error(`the next step's parameter names KMS key ${ref ?? "(none)"}, which matches no key of the loaded stack by alias`);
    return (ref as string).replace(key.ref, same.ref);
  };
  const before = new Map(loaded.parameters.filter((p) => isRotationParameter(p.name, stack)).map((p) => [p.name, p]));
  const after = next.parameters.filter((p) => isRotationParameter(p.name, stack));
  const putParameters = after.filter((p) => before.get(p.name)?.value !== p.value)
    .map((p) => (p.type === "SecureString" ? { ...p, keyRef: keyRef(p.keyRef) } : p));
  const deleteParameters = [...before.keys()].filter((n) => !after.some((p) => p.name === n)).sort();
  const records: Record<string, RecordEdit[]> = {};
  for (const zone of loaded.zones) {
    const nextZone = next.zones.find((z) => z.name === zone.name);
    if (!nextZone) throw new Error(`the next step has no zone ${zone.name}: a rotation adds and removes DKIM records only`);
    const key = (r: { name: string; type: string }) => `${r.name} ${r.type}`;
    const old = new Map(zone.records.filter((r) => isDkimRecord(r.name)).map((r) => [key(r), r]));
    const edits: RecordEdit[] = [];
    for (const r of nextZone.records.filter((x) => isDkimRecord(x.name))) {
      const was = old.get(key(r));
      if (was === undefined || was.ttl !== r.ttl || JSON.stringify(was.values) !== JSON.stringify(r.values)) {
        edits.push({ action: "UPSERT", name: r.name, type: r.type, ttl: r.ttl, values: r.values });
      }
      old.delete(key(r));
    }
    for (const r of old.values()) edits.push({ action: "DELETE", name: r.name, type: r.type });
    if (edits.length > 0) records[zone.name] = edits;
  }
  return { putParameters, deleteParameters, records };
}

/** The loaded stack after a push: what the emulator now holds, for the next step's difference. */
export function afterPush(loaded: EmulatorPlan, push: RotationPush): EmulatorPlan {
  const put = new Map(push.putParameters.map((p) => [p.name, p]));
  const parameters = [...loaded.parameters.filter((p) => !push.deleteParameters.includes(p.name) && !put.has(p.name)), ...put.values()];
  const zones = loaded.zones.map((z) => {
    const edits = push.records[z.name] ?? [];
    const touched = new Set(edits.map((e) => `${e.name} ${e.type}`));
    const upserts = edits.filter((e) => e.action === "UPSERT").map((e) => ({ name: e.name, type: e.type, ttl: e.ttl ?? 0, values: e.values ?? [] }));
    return { ...z, records: [...z.records.filter((r) => !touched.has(`${r.name} ${r.type}`)), ...upserts] };
  });
  return { ...loaded, parameters, zones };
}

/** The lab's record list (lab-records.json, what verify's record checks expect) with the DKIM
 * records of the step in place of the earlier ones; every other record as the lab served it. */
export function withStepDkimRecords(labRecords: readonly DnsRecord[], stepRecords: readonly DnsRecord[]): DnsRecord[] {
  return [...labRecords.filter((r) => !isDkimRecord(r.name)), ...stepRecords.filter((r) => isDkimRecord(r.name))];
}

/** Domain -> selector, from Rspamd's signing map as the host wrote it (comments skipped). */
export function parseSigningMap(text: string): Record<string, string> {
  return Object.fromEntries(text.split("\n").map((l) => l.replace(/#.*$/, "").trim()).filter(Boolean).map((l) => l.split(/\s+/) as [string, string]));
}

/** The d= and s= of each DKIM-Signature header field of a message (folded fields unfolded). */
export function dkimSignatures(message: string): Array<{ domain: string; selector: string }> {
  const header = message.split(/\r?\n\r?\n/)[0] ?? "";
  const fields = header.replace(/\r?\n[ \t]+/g, " ").split(/\r?\n/);
  return fields.filter((f) => /^dkim-signature:/i.test(f)).map((f) => {
    const tags = Object.fromEntries(f.slice(f.indexOf(":") + 1).split(";").map((t) => t.trim().split("=")).map(([k, ...v]) => [(k ?? "").trim(), v.join("=").replace(/\s+/g, "")]));
    return { domain: (tags.d ?? "").toLowerCase(), selector: tags.s ?? "" };
  });
}

interface StepSynth {
  readonly dir: string;
  readonly secretsDir: string;
  readonly plan: EmulatorPlan;
  readonly userData: Buffer;
  readonly step: string;
  /** The state this step records (the next step's --dkim-state). */
  readonly state: string;
  /** When the step after this one falls due (the next --now). */
  readonly nextAt?: string;
  readonly selectors: Record<string, string>;
  readonly records: DnsRecord[];
}

interface SynthJsonView {
  readonly outputs: { readonly ipv4: string };
  readonly records: DnsRecord[];
  readonly dkimRotation: { readonly state: string; readonly next: { readonly notBefore?: string } };
  readonly parameters: ReadonlyArray<{ readonly name: string; readonly value: string }>;
}

/** A child process to its end, without blocking the event loop (nothing else in the run stalls
 * while a step synthesizes). */
function runAsync(cmd: string, args: readonly string[], timeoutMs: number): Promise<{ status: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: repoRoot(), stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.stdout.on("data", (d: Buffer) => (output += d.toString()));
    child.stderr.on("data", (d: Buffer) => (output += d.toString()));
    child.on("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on("close", (status) => {
      clearTimeout(timer);
      resolve({ status, output });
    });
  });
}

/** One step's synth, as `pulumi up` at `now` would run it after the up that wrote `keysFrom` and `state`. */
async function synthStep(n: number, stackFile: string, state: string, keysFrom: string, now: string): Promise<StepSynth> {
  const dir = join(labDir(), "dkim-rotation", `step-${n}`);
  const out = join(dir, "synth");
  const secretsDir = join(dir, "secrets");
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const stateFile = join(dir, "state.json");
  writeFileSync(stateFile, `${state}\n`);
  const tsx = join(repoRoot(), "node_modules", ".bin", "tsx");
  const r = await runAsync(tsx, [join(repoRoot(), "tools", "synth.ts"), "--stack", LAB_STACK, "--config-file", stackFile, "--out", out, "--secrets-dir", secretsDir,
    "--dkim-state", stateFile, "--keep-keys", keysFrom, "--now", now], 300_000);
  if (r.status !== 0) throw new Error(`synth of rotation step ${n} failed (exit ${r.status}): ${r.output.trim().slice(-2000)}`);
  const json = JSON.parse(readFileSync(join(out, "synth.json"), "utf8")) as SynthJsonView;
  const selectors = JSON.parse(json.parameters.find((p) => p.name === `/mailfort/${LAB_STACK}/dkim-signing`)?.value ?? "{}") as Record<string, string>;
  return {
    dir, secretsDir, selectors, records: json.records,
    plan: planFromSynth(out, secretsDir, { [json.outputs.ipv4]: labHost("mail").address }),
    userData: decodeUserData(readFileSync(join(out, "user-data"), "utf8")),
    step: (JSON.parse(json.dkimRotation.state) as { step: string }).step,
    state: json.dkimRotation.state,
    ...(json.dkimRotation.next.notBefore !== undefined ? { nextAt: json.dkimRotation.next.notBefore } : {}),
  };
}

const check = (id: string, title: string, pass: boolean, detail: string, started: number): CheckResult =>
  ({ id, title, status: pass ? "pass" : "fail", detail, seconds: Math.round((Date.now() - started) / 1000) });

/** The host syncs now (its timer would within 5 minutes) and says which selector Rspamd signs with. */
async function syncHost(): Promise<Record<string, string>> {
  const r = await guestExec(["systemctl", "start", "mailfort-sync.service"], { timeoutMs: 180_000 });
  if (r.exitCode !== 0) throw new Error(`mailfort-sync failed on the guest (${r.exitCode}): ${r.stderr.trim()}`);
  return parseSigningMap(await guestShell("cat /etc/rspamd/local.d/dkim_selectors.map"));
}

export interface RotationPhaseInput {
  readonly cfg: MailConfig;
  readonly aws: LabAws;
  /** The user data the running instance booted with. */
  readonly userData: Buffer;
  /** The stack file that user data was synthesized from (the replacement's names its snapshot). */
  readonly stackFile: string;
}

/**
 * Walks the lab stack from generation 0 to 1: publish, sign, revoke, remove. After each step: the
 * user data is unchanged, the host's signing map is the step's, and (but at revoked) verify's
 * dkim-rotation group passes with the step's selector for the first test mailbox's domain. Around the switch a message
 * is left queued (remote MX stopped) while the old key signs, and must verify once delivered.
 */
export interface RotationPhaseResult {
  readonly results: CheckResult[];
  /**
   * Every parameter a step put into the lab's SSM (the new keys among them), kept even when a
   * later step deleted it: the host may have read it in between, and the least-privilege check
   * judges those reads against the keys the parameters were encrypted with.
   */
  readonly putParameters: PlannedParameter[];
}

export async function dkimRotationPhase(input: RotationPhaseInput, log: (l: string) => void): Promise<RotationPhaseResult> {
  const { cfg, aws } = input;
  const results: CheckResult[] = [];
  const putParameters = new Map<string, PlannedParameter>();
  const stackFile = join(labDir(), "dkim-rotation", "Pulumi.lab.yaml");
  mkdirSync(join(labDir(), "dkim-rotation"), { recursive: true });
  writeFileSync(stackFile, rotationStackText(readFileSync(input.stackFile, "utf8"), 1));
  let loaded = aws.plan;
  let state = loaded.parameters.find((p) => p.name === `/mailfort/${LAB_STACK}/state/dkim-rotation`)?.value ?? '{"v":1,"step":"steady","generation":0}';
  let keysFrom = labPaths.secrets();
  let now = new Date().toISOString().replace(/\.\d{3}Z$/, "Z");
  const firstDomain = cfg.domains.find((d) => d.sendsMail)?.name ?? "";
  let remoteDown = false;
  let oldSelector = "";
  try {
    for (const [n, expected] of [[1, "published"], [2, "signing"], [3, "revoked"], [4, "steady"]] as const) {
      const started = Date.now();
      const s = await synthStep(n, stackFile, state, keysFrom, now);
      if (s.step !== expected) throw new Error(`rotation step ${n}: the synth took step ${s.step}, not ${expected}`);
      const push = rotationPush(loaded, s.plan, LAB_STACK);
      const sameUserData = s.userData.equals(input.userData);
      results.push(check(`dkim-rotation-${expected}-no-replacement`, `DKIM rotation, step ${expected}: the user data is unchanged (no new instance)`, sameUserData,
        sameUserData ? `${push.putParameters.length} parameter(s) put, ${push.deleteParameters.length} deleted, ${Object.values(push.records).flat().length} DKIM record edit(s)` : "the step's synth changed the user data: this step would replace the instance", started));
      await controlCall(aws.emu.control, "POST", "/change", push);
      for (const p of push.putParameters) putParameters.set(p.name, p);
      loaded = afterPush(loaded, push);
      // Verify's record checks (the client group, again after a restore) expect what the lab serves now.
      const recordsFile = join(labDir(), "lab-records.json");
      const served = (JSON.parse(readFileSync(recordsFile, "utf8")) as { records: DnsRecord[] }).records;
      writeFileSync(recordsFile, `${JSON.stringify({ records: withStepDkimRecords(served, s.records) }, null, 2)}\n`);
      const signs = await syncHost();
      const mapOk = JSON.stringify(signs) === JSON.stringify(s.selectors);
      results.push(check(`dkim-rotation-${expected}-host-map`, `DKIM rotation, step ${expected}: after mailfort-sync the host's signing map is the step's`, mapOk,
        `host: ${JSON.stringify(signs)}; step: ${JSON.stringify(s.selectors)}`, started));
      const selector = s.selectors[firstDomain];
      if (selector === undefined) throw new Error(`rotation step ${n}: no signing selector for ${firstDomain}`);
      if (expected === "signing") {
        startRemote(log, { keepMaildir: true });
        remoteDown = false;
        await guestExec(["postqueue", "-f"]);
        for (const r of await runVerifyGroup(cfg, { group: "after-replace", from: "sender", only: "replace-queue-delivered" }, log)) {
          results.push({ ...queuedWithOldKey(r, firstDomain, oldSelector), id: "dkim-rotation-queued-across-switch", title: "a message queued before the switch, signed with the old key, verifies when delivered after it" });
        }
      }
      // Not at revoked (it signs as at signing): each run spends one of the first mailbox's hourly
      // outbound budget (limits.outboundPerUserPerHour, 10 in the lab), which later checks need too.
      if (expected !== "revoked") {
        results.push(...(await runVerifyGroup(cfg, { group: "dkim-rotation", from: "sender", dkimSelector: selector }, log))
          .map((r) => ({ ...r, id: `${r.id}-${expected}` })));
      }
      // After the step's own check (which needs the remote MX up).
      if (expected === "published") {
        // A message signed with the old key, left queued across the switch.
        stopRemote(log);
        remoteDown = true;
        oldSelector = selector;
        // Its own id: the replacement's before-replace (which ran earlier on this instance) keeps "replace-before".
        results.push(...(await runVerifyGroup(cfg, { group: "before-replace", from: "remote" }, log))
          .map((r) => ({ ...r, id: "dkim-rotation-queued-before-switch", title: "before the switch (the old key signing, remote MX down): one outbound message left queued" })));
      }
      state = s.state;
      keysFrom = s.secretsDir;
      if (s.nextAt !== undefined) now = new Date(Date.parse(s.nextAt) + 60_000).toISOString().replace(/\.\d{3}Z$/, "Z");
    }
  } finally {
    // A step that threw between the stop and the switch: the remote MX takes mail again.
    if (remoteDown) startRemote(log, { keepMaildir: true });
  }
  return { results, putParameters: [...putParameters.values()] };
}

/**
 * Verify's replace-queue-delivered found the queued message delivered with a passing signature;
 * the phase adds that the signature is the old key's (signed before the switch, not re-signed),
 * read from the delivered copy in the remote maildir.
 */
function queuedWithOldKey(r: CheckResult, domain: string, oldSelector: string): CheckResult {
  if (r.status !== "pass") return r;
  const token = (JSON.parse(readFileSync(replaceNotesFile(), "utf8")) as { queuedToken: string }).queuedToken;
  const message = remoteMessagesWith(labPaths.remoteMaildir(), token)[0];
  const signed = message ? dkimSignatures(message.toString("utf8")) : [];
  const shown = signed.map((x) => `s=${x.selector} d=${x.domain}`).join(", ") || "no DKIM-Signature";
  const old = signed.some((x) => x.domain === domain && x.selector === oldSelector);
  return { ...r, status: old ? "pass" : "fail", detail: `${r.detail}; signed ${shown}${old ? "" : `, not with the old key's selector ${oldSelector}`}` };
}
