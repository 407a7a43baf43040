// Run the mailfort program in this process under Pulumi mocks. Mocks are process-global, so one
// stack at a time: each synth starts from a clean runtime (setMocks resets the monitor, the stack
// resource and what the SDK tracks; setAllConfig replaces the whole config), which is what lets a
// synth worker (worker.ts) run many stacks one after the other without reloading its modules.
// Tests, the policy pack, the plan and the fleet use runSynth or a worker pool (workers.ts).
import * as pulumi from "@pulumi/pulumi";
import { chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { gunzipSync } from "node:zlib";
import { DKIM_KEY, dkimKeyResourceName } from "../aws/dkim-keys";
import { type MailConfig, type StackFile, decryptStackSecrets, mailDomains, parseMailConfig, parseStackFile } from "../config";
import { renderReverseZone, renderZoneFile } from "../core/dns";
// Imported up front: the program is a function (nothing runs at import), so it is enough that the
// mocks are set before it is CALLED. A static import also keeps the synth loadable by Node's
// CommonJS loader alone (`node --require tsx/cjs`), which starts faster than tsx's ESM hooks.
import { mailfort } from "../program";
import { generateAhead } from "./keys";
import { type RenderedHost, unpackHostBundle } from "../core/host";
import { parameterNames } from "../core/parameters";
import { MailfortMocks, type MockSnapshot } from "./mocks";
import { resolveOutput } from "./resolve";
import type { SynthHostFiles, SynthParameter, SynthResult, SynthRotation } from "./result";
import { type RotationDecision, rotationStateText } from "../core/dkim-rotation";
import { hiddenSecretPaths } from "./hidden-secrets";
import { REPO_ROOT } from "./paths";

export interface SynthOptions {
  /** A stack file to read instead of stacks/Pulumi.<stack>.yaml. */
  configFile?: string;
  /** Stack file text (e.g. a generated stack); wins over configFile. */
  configText?: string;
  /** Write the SSM parameter tree (real secret values) as files <dir>/<parameter name>, mode 0600. */
  secretsDir?: string;
  /** SOA serial for the zone files; defaults to today's YYYYMMDD01 (UTC). */
  serial?: number;
  /** Decrypt the stack file's `secure:` values with this passphrase (default: $PULUMI_CONFIG_PASSPHRASE);
   * without one (or with ""), secure values are opaque placeholders. */
  passphrase?: string;
  /** The synthetic account's EBS snapshots, for a restore to look up (default: see MockSettings). */
  snapshots?: readonly MockSnapshot[];
  /** The DKIM rotation state the last up recorded (the JSON of /mailfort/<stack>/state/dkim-rotation); none: none recorded. */
  dkimRotationState?: string;
  /** A previous synth's --secrets-dir: its DKIM private keys are kept (as Pulumi's state keeps a
   * tls.PrivateKey across ups), so a synth of the next up publishes and signs with the same keys. */
  keepKeysFrom?: string;
  /** The rotation clock, ISO 8601 (a string: options cross to worker processes as JSON): what an
   * up at this time would do (default: now). */
  now?: string;
}

// Re-exported: callers that synthesize in-process already have it from here.
export { REPO_ROOT };
let running = false;

export function stackFilePath(stack: string): string {
  return join(REPO_ROOT, "stacks", `Pulumi.${stack}.yaml`);
}

/** Read and validate a stack's configuration (throws ConfigError with every problem). */
export function loadStack(stack: string, opts: Pick<SynthOptions, "configFile" | "configText" | "passphrase"> = {}): { file: StackFile; config: MailConfig } {
  const source = opts.configText !== undefined ? `<${stack} config text>` : (opts.configFile ?? stackFilePath(stack));
  const text = opts.configText ?? readFileSync(source, "utf8");
  let file = parseStackFile(text, source);
  const passphrase = opts.passphrase ?? process.env.PULUMI_CONFIG_PASSPHRASE;
  if (passphrase !== undefined && passphrase !== "" && file.opaque.length > 0) {
    const plain = decryptStackSecrets(text, passphrase);
    file = { ...file, values: { ...file.values, ...plain }, opaque: file.opaque.filter((k) => !(k in plain)) };
  }
  return { file, config: parseMailConfig(file, stack) };
}

export async function synthInProcess(stack: string, opts: SynthOptions = {}): Promise<SynthResult> {
  if (running) throw new Error("synthInProcess runs one stack at a time (Pulumi mocks are global): use a worker pool (startSynthWorkers) for several at once");
  // Validate first: a bad config fails here, before mocks, resources or files exist.
  const { file, config } = loadStack(stack, opts);
  // One DKIM key per sending domain (MailServer): generated in the thread pool while the program is built.
  generateAhead(DKIM_KEY, mailDomains(config).length);
  running = true;

  const failures: unknown[] = [];
  const onFailure = (e: unknown) => failures.push(e);
  process.on("unhandledRejection", onFailure);
  process.on("uncaughtException", onFailure);
  try {
    const existingZones = Object.fromEntries(config.domains.filter((d) => d.zoneId !== undefined).map((d) => [d.zoneId as string, d.name]));
    const mocks = new MailfortMocks({
      stack, project: "mailfort", region: config.region, existingZones, dataVolumeGb: config.instance.dataVolumeGb,
      ...(opts.snapshots !== undefined ? { snapshots: opts.snapshots } : {}),
      ...(opts.dkimRotationState !== undefined ? { dkimRotationState: opts.dkimRotationState } : {}),
      ...(opts.keepKeysFrom !== undefined ? { keptKeys: keptDkimKeys(opts.keepKeysFrom, stack) } : {}),
    });
    await pulumi.runtime.setMocks(mocks, "mailfort", stack, false);
    mocks.attach(pulumi.runtime.getMonitor());
    pulumi.runtime.setAllConfig(file.values, [...file.secretKeys]);

    const program = await Promise.race([mailfort(opts.now !== undefined ? { now: rotationClock(opts.now) } : {}), failed(failures)]);
    const outputs = await Promise.race([
      resolveOutput(pulumi.output(program.outputs as unknown as Record<string, pulumi.Input<unknown>>)),
      failed(failures),
    ]);
    const records = await resolveOutput(program.server.records);
    const zoneServers = await resolveOutput(pulumi.all(Object.fromEntries(program.server.zones.map((z) => [z.domain, z.nameServers]))));
    await Promise.race([pulumi.runtime.disconnect(), failed(failures)]);
    if (failures.length > 0) throw failures[0];

    const serial = opts.serial ?? Number(`${new Date().toISOString().slice(0, 10).replace(/-/g, "")}01`);
    const zones: Record<string, string> = {};
    for (const d of config.domains) {
      zones[d.name] = renderZoneFile(d.name, records, { nameservers: zoneServers[d.name] ?? [], hostmaster: `hostmaster@${d.name}`, serial });
    }
    const hostZone = config.domains.find((d) => config.hostname === d.name || config.hostname.endsWith(`.${d.name}`))?.name ?? config.domains[0].name;
    const reverse = renderReverseZone(config, { ipv4: String(outputs.ipv4) }, { nameservers: zoneServers[hostZone] ?? [], hostmaster: `hostmaster@${hostZone}`, serial });
    zones[reverse.zone] = reverse.text;

    // In URN order: the order of registration depends on when the asynchronous mocks (keys from
    // the thread pool, certificate signing) finish, and the artifacts should not change between runs.
    const registered = [...mocks.resources].sort((a, b) => (a.urn < b.urn ? -1 : a.urn > b.urn ? 1 : 0));
    const resources = registered.map((r) => ({
      type: r.type, name: r.name, urn: r.urn, custom: r.custom, id: r.id, inputs: r.inputs,
      ...(hiddenSecretPaths(r).length > 0 ? { secretPaths: hiddenSecretPaths(r) } : {}),
      ...(r.options !== undefined ? { options: r.options } : {}),
    }));
    const parameters: SynthParameter[] = registered
      .filter((r) => r.type === "aws:ssm/parameter:Parameter")
      .map((r) => ({ name: String(r.inputs.name), type: r.inputs.type === "SecureString" ? "SecureString" : "String", value: String(r.inputs.value) }));
    if (opts.secretsDir !== undefined) writeSecretsDir(opts.secretsDir, parameters);

    return {
      stack, config: program.config, dkimRotation: rotationSummary(program.dkimRotation), resources, userData: program.userData, cloudConfig: decodeUserData(program.userData),
      hostFiles: hostFilesFrom(parameters, program.host, stack), records, zones,
      outputs: JSON.parse(JSON.stringify(outputs)) as Record<string, unknown>,
      parameters, opaqueSecrets: file.opaque,
    };
  } finally {
    running = false;
    process.off("unhandledRejection", onFailure);
    process.off("uncaughtException", onFailure);
  }
}


/** The DKIM private keys of a previous synth's secrets dir (<dir>/mailfort/<stack>/dkim/<domain>/<selector>),
 * by the name of the tls.PrivateKey that made each (MailServer mailfort-<stack>, its DkimKeys <name>-dkim). */
function keptDkimKeys(dir: string, stack: string): Record<string, string> {
  const root = join(dir, "mailfort", stack, "dkim");
  if (!existsSync(root)) throw new Error(`keepKeysFrom: ${root} does not exist; pass the --secrets-dir of an earlier synth of stack ${stack}`);
  const kept: Record<string, string> = {};
  for (const domain of readdirSync(root)) {
    for (const selector of readdirSync(join(root, domain))) kept[dkimKeyResourceName(`mailfort-${stack}-dkim`, selector, domain)] = readFileSync(join(root, domain, selector), "utf8");
  }
  return kept;
}

function rotationClock(text: string): Date {
  const t = new Date(text);
  if (Number.isNaN(t.getTime())) throw new Error(`the synth's clock ${JSON.stringify(text)} is not a time; write e.g. 2026-12-09T12:00:00Z`);
  return t;
}

/** The rotation decision as plain data (times as ISO strings), for the plan and the workers. */
function rotationSummary(d: RotationDecision): SynthRotation {
  return {
    state: rotationStateText(d.state), advanced: d.advanced, says: d.says,
    next: { step: d.next.step, says: d.next.says, ...(d.next.notBefore !== undefined ? { notBefore: d.next.notBefore.toISOString() } : {}) },
  };
}

/** base64 (of gzip, or of plain text) -> the text cloud-init runs. */
export function decodeUserData(base64: string): string {
  const raw = Buffer.from(base64, "base64");
  return (raw[0] === 0x1f && raw[1] === 0x8b ? gunzipSync(raw) : raw).toString("utf8");
}

/** The host's files from what the stack holds: the bundle decoded from the synthesized SSM
 * parameters (the same set the lab seeds), checked against the rendering the user data pins. */
function hostFilesFrom(parameters: readonly SynthParameter[], host: RenderedHost, stack: string): SynthHostFiles {
  const part = (n: number) => parameterNames({ stack }).hostBundlePart(n).name;
  const values = new Map(parameters.map((p) => [p.name, p.value]));
  const chunks: string[] = [];
  for (let n = 0; values.has(part(n)); n++) chunks.push(values.get(part(n)) as string);
  const bundle = unpackHostBundle(chunks);
  if (bundle.sha256 !== host.bundle.sha256) throw new Error(`internal: the host bundle in the SSM parameters (sha256:${bundle.sha256}) is not the one the user data pins (sha256:${host.bundle.sha256})`);
  return { bootstrap: host.bootstrap, bundle: bundle.files, bundleSha256: bundle.sha256, bundleParameters: chunks.length, bundleChars: chunks.join("").length };
}

/** Resolves never; rejects as soon as a failure was recorded (polls: failures arrive as events). */
function failed(failures: unknown[]): Promise<never> {
  return new Promise((_, reject) => {
    const timer = setInterval(() => {
      if (failures.length > 0) {
        clearInterval(timer);
        reject(failures[0] instanceof Error ? failures[0] : new Error(String(failures[0])));
      }
    }, 20);
    timer.unref();
  });
}

/** The SSM parameter tree as files (what the lab's "file" secret source reads). */
export function writeSecretsDir(dir: string, parameters: readonly SynthParameter[]): void {
  for (const p of parameters) {
    const path = join(dir, p.name);
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    writeFileSync(path, p.value, { mode: 0o600 });
    chmodSync(path, 0o600);
  }
}
