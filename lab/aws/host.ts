// Bring the lab's AWS up and down: the emulator (moto, IMDS, request log, zone export; see
// emulator/mflab_aws.py) and pebble, each from the emulator root in the `aws` host's network
// namespace. The namespace gets 169.254.169.254 as a second address, so the VM reaches IMDS by a
// route through this host, as an instance reaches the link-local metadata service.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { run } from "../exec";
import { repoRoot } from "../stack";
import { spawnInRoot, inRoot } from "./chroot";
import { controlCall } from "./control";
import type { EndpointCerts } from "./certs";

export const IMDS_ADDRESS = "169.254.169.254";
export const ACME_PORT = 14000;
export const ACME_MANAGEMENT_PORT = 15000;

export interface EmulatorSpec {
  readonly root: string;
  readonly netns: string;
  readonly address: string;
  readonly region: string;
  /** The lab's state directory: bound at /mnt inside the root; everything below lives under it. */
  readonly stateDir: string;
  readonly certs: EndpointCerts;
  /** nsd's pid file and the lab DNS address: the zone export reloads it and waits for it. */
  readonly nsdPidFile: string;
  readonly nameserver: string;
  /** The key every exported zone is DNSSEC-signed with (lab/dns/dnssec.ts), under stateDir. */
  readonly zoneSigningKey: string;
}

export interface RunningEmulator {
  readonly spec: EmulatorSpec;
  readonly dir: string;
  readonly control: string;
  readonly zonesDir: string;
  readonly requestLog: string;
  readonly imdsLog: string;
}

export const emulatorDir = (stateDir: string) => join(stateDir, "aws");
const pidFile = (stateDir: string, name: string) => join(emulatorDir(stateDir), `${name}.pid`);

async function waitFor<T>(what: string, probe: () => Promise<T>, seconds: number, logFile: string): Promise<T> {
  const deadline = Date.now() + seconds * 1000;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      return await probe();
    } catch (e) {
      last = e;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  const tail = existsSync(logFile) ? readFileSync(logFile, "utf8").split("\n").slice(-25).join("\n") : "(no log)";
  throw new Error(`${what} did not come up within ${seconds} s (${last instanceof Error ? last.message : String(last)}); its log:\n${tail}`);
}

export async function startEmulator(spec: EmulatorSpec, log: (l: string) => void): Promise<RunningEmulator> {
  const dir = emulatorDir(spec.stateDir);
  const zonesDir = join(dir, "zones");
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(zonesDir, { recursive: true });
  run("ip", ["-n", spec.netns, "addr", "replace", `${IMDS_ADDRESS}/32`, "dev", "lo"]);
  const control = join(dir, "control.sock");
  const logFile = join(dir, "emulator.log");
  const at = (p: string) => inRoot(spec, p);
  const pid = spawnInRoot({
    root: spec.root, netns: spec.netns, stateDir: spec.stateDir, codeDir: join(repoRoot(), "lab", "aws", "emulator"), logFile,
    argv: ["python3", "-B", "/opt/mflab_aws.py", "--address", spec.address, "--tls-cert", at(spec.certs.certFile), "--tls-key", at(spec.certs.keyFile),
      "--imds-address", IMDS_ADDRESS, "--control", at(control), "--state-dir", at(dir), "--zones-dir", at(zonesDir),
      "--nsd-pid-file", at(spec.nsdPidFile), "--nameserver", spec.nameserver, "--region", spec.region,
      "--zone-signing-key", at(spec.zoneSigningKey)],
  });
  writeFileSync(pidFile(spec.stateDir, "emulator"), `${pid}\n`);
  const health = await waitFor("the AWS emulator", () => controlCall<{ account: string }>(control, "GET", "/health", undefined, 2000), 90, logFile);
  log(`aws: emulator up (pid ${pid}, account ${health.account}): endpoints https://${spec.address}, IMDS http://${IMDS_ADDRESS}`);
  return { spec, dir, control, zonesDir, requestLog: join(dir, "requests.jsonl"), imdsLog: join(dir, "imds.jsonl") };
}

export interface PebbleOptions {
  /** Seconds a certificate is valid: under 30 days puts every certificate in mailfort-cert's renewal window. */
  readonly validitySeconds: number;
}

/** Debian's pebble on the aws host: ACME on 14000, its management API (roots) on 15000. */
export async function startPebble(emu: RunningEmulator, opts: PebbleOptions, log: (l: string) => void): Promise<void> {
  const { spec, dir } = emu;
  const config = join(dir, "pebble.json");
  writeFileSync(config, `${JSON.stringify({
    pebble: {
      listenAddress: `${spec.address}:${ACME_PORT}`,
      managementListenAddress: `${spec.address}:${ACME_MANAGEMENT_PORT}`,
      certificate: inRoot(spec, spec.certs.certFile),
      privateKey: inRoot(spec, spec.certs.keyFile),
      httpPort: 5002,
      tlsPort: 5001,
      ocspResponderURL: "",
      externalAccountBindingRequired: false,
      certificateValidityPeriod: opts.validitySeconds,
    },
  }, null, 2)}\n`);
  const logFile = join(dir, "pebble.log");
  const pid = spawnInRoot({
    root: spec.root, netns: spec.netns, stateDir: spec.stateDir, codeDir: join(repoRoot(), "lab", "aws", "emulator"), logFile,
    // No random sleep before validation, no nonce rejected on purpose: the lab wants the real
    // protocol, deterministically. DNS-01 lookups go to the lab's nsd, nothing else.
    // Every order validated afresh (no reused authorization), so a renewal takes the Route53 path too.
    env: { PEBBLE_VA_NOSLEEP: "1", PEBBLE_WFE_NONCEREJECT: "0", PEBBLE_AUTHZREUSE: "0" },
    argv: ["pebble", "-config", inRoot(spec, config), "-dnsserver", `${spec.nameserver}:53`, "-strict"],
  });
  writeFileSync(pidFile(spec.stateDir, "pebble"), `${pid}\n`);
  await waitFor("pebble", async () => {
    if (!/Listening on/.test(readFileSync(logFile, "utf8"))) throw new Error("not listening yet");
  }, 60, logFile);
  log(`aws: pebble up (pid ${pid}): ACME directory https://${spec.address}:${ACME_PORT}/dir, validity ${opts.validitySeconds} s`);
}

/** Stop both processes (by the pids this lab wrote) and drop the IMDS address. Idempotent. */
export function stopEmulator(stateDir: string, netns: string, log: (l: string) => void): void {
  for (const name of ["pebble", "emulator"]) {
    const file = pidFile(stateDir, name);
    if (!existsSync(file)) continue;
    const pid = Number(readFileSync(file, "utf8").trim());
    try {
      process.kill(pid, "SIGTERM");
      log(`aws: stopped ${name} (pid ${pid})`);
    } catch {
      // already gone
    }
    rmSync(file, { force: true });
  }
  run("ip", ["-n", netns, "addr", "del", `${IMDS_ADDRESS}/32`, "dev", "lo"], { allowFail: true });
}
