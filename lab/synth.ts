// The lab's view of the synthesized stack: run `npm run synth` for the lab stack (or a variant
// of its stack file, such as the benchmark's), then move
// what refers to the cloud address (the mock Elastic IP) onto the VM's lab address: A records
// and the reverse zone. Everything else (DKIM keys, SPF, DMARC, user data, secrets) is served
// and booted exactly as synthesized.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { MailConfig } from "../infra/config";
import { type DnsRecord, ptrRecords } from "../infra/core/dns";
import { labDir, labPaths } from "./paths";
import { LAB_STACK, repoRoot } from "./stack";
import { labHost } from "./topology";

export interface LabSynth {
  readonly outDir: string;
  /** The parameter tree (files named like the SSM parameters) for the MFSECRETS disk. */
  readonly secretsDir: string;
  /** Raw user data as EC2 would hand it to cloud-init (gzip when synth compressed it). */
  readonly userData: Buffer;
  /** The records as served in the lab (A and PTR moved onto the lab address). */
  readonly records: DnsRecord[];
  /** Forward zone files, keyed by zone, with the lab address in place of the cloud one. */
  readonly zoneFiles: Map<string, string>;
  /** The stack-made CA (tls.mode self-signed); in the ACME modes the lab's pebble issues, and this is absent. */
  readonly caPem?: string;
  readonly cloudIpv4: string;
}

interface SynthJson {
  readonly records: DnsRecord[];
  readonly outputs: { readonly ipv4: string; readonly caCertPem?: string; readonly hostname: string };
}

export interface LabSynthOptions {
  /** Synthesize this stack file instead of stacks/Pulumi.lab.yaml (cfg must be read from it too). */
  readonly configFile?: string;
}

export function runLabSynth(cfg: MailConfig, log: (l: string) => void, opts: LabSynthOptions = {}): LabSynth {
  const outDir = labPaths.synthOut();
  const secretsDir = labPaths.secrets();
  rmSync(outDir, { recursive: true, force: true });
  rmSync(secretsDir, { recursive: true, force: true });
  const started = Date.now();
  const tsx = join(repoRoot(), "node_modules", ".bin", "tsx");
  const configArgs = opts.configFile !== undefined ? ["--config-file", opts.configFile] : [];
  const r = spawnSync(tsx, [join(repoRoot(), "tools", "synth.ts"), "--stack", LAB_STACK, ...configArgs, "--out", outDir, "--secrets-dir", secretsDir], { encoding: "utf8", cwd: repoRoot(), timeout: 300_000 });
  if (r.status !== 0) throw new Error(`npm run synth -- --stack ${LAB_STACK} ${configArgs.join(" ")} failed (exit ${r.status}):\n${r.stderr || r.stdout}`);
  log(`synth: ${(r.stdout.split("\n")[0] ?? "").trim()} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  const synth = JSON.parse(readFileSync(join(outDir, "synth.json"), "utf8")) as SynthJson;
  const cloudIpv4 = synth.outputs.ipv4;
  const labIpv4 = labHost("mail").address;
  const records = synth.records
    .filter((rec) => rec.type !== "PTR")
    .map((rec) => (rec.type === "A" ? { ...rec, values: rec.values.map((v) => (v === cloudIpv4 ? labIpv4 : v)) } : rec));
  // The PTR as Route53/EC2 would hold it (synth keeps it out of records: it is set on the
  // Elastic IP), computed by the same core function for the lab address.
  records.push(...ptrRecords(cfg, { ipv4: labIpv4 }));
  const zoneFiles = new Map<string, string>();
  const zonesDir = join(outDir, "zones");
  for (const f of readdirSync(zonesDir)) {
    const zone = f.replace(/\.zone$/, "");
    if (zone.endsWith(".in-addr.arpa") || zone.endsWith(".ip6.arpa")) continue; // the lab writes its own
    const text = readFileSync(join(zonesDir, f), "utf8");
    zoneFiles.set(zone, text.split(cloudIpv4).join(labIpv4));
  }
  const userDataFile = join(outDir, "user-data");
  if (!existsSync(userDataFile)) throw new Error(`synth wrote no user-data in ${outDir}`);
  const caFile = join(secretsDir, "mailfort", LAB_STACK, "tls", "ca");
  const caPem = existsSync(caFile) ? readFileSync(caFile, "utf8") : synth.outputs.caCertPem;
  if (cfg.tls.mode === "self-signed" && !caPem?.includes("BEGIN CERTIFICATE")) throw new Error(`tls.mode self-signed but no stack CA in ${caFile} nor in synth outputs.caCertPem`);
  return { outDir, secretsDir, userData: decodeUserData(readFileSync(userDataFile, "utf8")), records, zoneFiles, ...(caPem !== undefined ? { caPem } : {}), cloudIpv4 };
}

/**
 * The user data `pulumi up` would hand the instance once the lab stack restores from a snapshot:
 * the same synth of a variant stack file (dataVolume.restoreFrom set; offline, the synth takes the
 * snapshot to be this stack's). Only its user data is used: keys and records stay the first
 * synth's, as a real `pulumi up` keeps them in its state. Runs beside the lab, in a child.
 */
/** The restoring stack's file (the lab stack with dataVolume.restoreFrom), as synthRestoreUserData wrote it. */
export const restoreStackFile = (): string => join(labDir(), "restore-synth", `Pulumi.${LAB_STACK}.yaml`);

export function synthRestoreUserData(snapshotId: string, log: (l: string) => void): Promise<Buffer> {
  const dir = join(labDir(), "restore-synth");
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const stackFile = restoreStackFile();
  writeFileSync(stackFile, `${readFileSync(join(repoRoot(), "stacks", `Pulumi.${LAB_STACK}.yaml`), "utf8").trimEnd()}\n  mailfort:dataVolume:\n    restoreFrom: ${snapshotId}\n`);
  const out = join(dir, "out");
  const tsx = join(repoRoot(), "node_modules", ".bin", "tsx");
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(tsx, [join(repoRoot(), "tools", "synth.ts"), "--stack", LAB_STACK, "--config-file", stackFile, "--out", out], { cwd: repoRoot(), stdio: ["ignore", "ignore", "pipe"] });
    let err = "";
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => {
      if (code !== 0) return reject(new Error(`synth of the restoring lab stack failed (exit ${code}):\n${err}`));
      log(`synth: the restoring lab stack's user data (${((Date.now() - started) / 1000).toFixed(1)} s)`);
      resolve(decodeUserData(readFileSync(join(out, "user-data"), "utf8")));
    });
  });
}

/** synth writes the user data as EC2's API takes it (base64 of gzip when compressed); cloud-init reads the raw bytes. */
export function decodeUserData(text: string): Buffer {
  const t = text.trim();
  if (/^(#cloud-config|#!|Content-Type:)/.test(t)) return Buffer.from(text);
  const raw = Buffer.from(t, "base64");
  if (raw[0] === 0x1f && raw[1] === 0x8b) return raw; // gzip: cloud-init decompresses it
  throw new Error("synth's user-data is neither cloud-config text nor base64 of gzip");
}

export function reverseName(ipv4: string): string {
  return `${ipv4.split(".").reverse().join(".")}.in-addr.arpa`;
}

export function reverseZone(ipv4: string): string {
  return `${ipv4.split(".").slice(0, 3).reverse().join(".")}.in-addr.arpa`;
}
