// The lab's authoritative DNS: Debian's nsd, run in the `dns` namespace with a private config,
// serving the stack's zones as the emulated Route53 holds them (the emulator writes their files
// and reloads nsd after every change), the lab reverse zone, remote.test, the test DNSBL and
// SURBL, and the names of the lab's AWS and Debian mirror. Nothing recursive: every name the lab
// uses is here. Every zone is DNSSEC-signed (lab/dns/dnssec.ts): the emulator signs what it
// exports, and the lab's own zones go through the same signer here, written unsigned to
// dns/unsigned/ and served signed from dns/zones/.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { MailConfig } from "../../infra/config";
import { run } from "../exec";
import { repoRoot } from "../stack";
import { inRoot, runInRoot } from "../aws/chroot";
import { labDir, labPaths } from "../paths";
import type { DnsRecord } from "../../infra/core/dns";
import { labHost } from "../topology";
import { outboundTlsZoneFiles } from "../remote/outbound-tls-receivers";
import { ensureZoneKey, labTrustAnchors } from "./dnssec";
import { serviceZoneFiles } from "./service-zones";
import { attackerZoneFile, dnsblZoneFile, remoteZoneFile, reverseZoneFile, surblZoneFile, unreachableZoneFile } from "./zones";

export const nsdPidFile = () => join(labPaths.dns(), "nsd.pid");
const pidFile = nsdPidFile;

export interface DnsInput {
  /** The records as served (the PTR of the lab address among them): the reverse zone. */
  readonly records: readonly DnsRecord[];
  /** Zone -> file the emulated Route53 exports it to (it rewrites them; nsd is told to reload). */
  readonly exportedZones: ReadonlyMap<string, string>;
  /** The emulator's root, whose dnspython signs the lab's own zones as the emulator signs its own. */
  readonly signerRoot: string;
}

/** Set by startDns: the faults' rewrite of a zone signs it the same way. */
let signerRoot: string | undefined;

/**
 * DNSSEC-sign lab zone files with zone_sign.py in the emulator's root (one process for all):
 * each [zone, unsigned file, signed file], all under the lab directory.
 */
export function signZoneFiles(root: string, zones: ReadonlyArray<readonly [string, string, string]>): void {
  const stateDir = labDir();
  const r = runInRoot({
    root, netns: labHost("dns").netns, stateDir, codeDir: join(repoRoot(), "lab", "aws", "emulator"),
    argv: ["python3", "-B", "/opt/zone_sign.py", "--key", inRoot({ stateDir }, ensureZoneKey()),
      ...zones.map(([zone, src, out]) => `${zone}=${inRoot({ stateDir }, src)}=${inRoot({ stateDir }, out)}`)],
  });
  if (r.status !== 0) throw new Error(`lab DNS: signing ${zones.map((z) => z[0]).join(", ")} failed (exit ${r.status}): ${r.stderr || r.stdout}`);
}

/** Starts nsd; returns the unbound trust anchors of every zone it serves (the VM's vendor data). */
export function startDns(cfg: MailConfig, input: DnsInput, log: (l: string) => void): string[] {
  stopDns(log);
  const dir = labPaths.dns();
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, "zones"), { recursive: true });
  mkdirSync(join(dir, "unsigned"), { recursive: true });
  signerRoot = input.signerRoot;
  const zones = new Map<string, string>();
  for (const z of [reverseZoneFile(input.records), remoteZoneFile(), attackerZoneFile(), ...cfg.antispam.dnsbls.map((b) => dnsblZoneFile(b.zone)), surblZoneFile(), unreachableZoneFile(), ...serviceZoneFiles(cfg.region), ...outboundTlsZoneFiles()]) {
    zones.set(z.zone, z.text);
  }
  const conf = [
    "# mailfort lab: authoritative DNS for the lab zones, inside the dns namespace only.",
    "server:",
    `  ip-address: ${labHost("dns").address}`,
    "  port: 53",
    '  username: ""',
    "  chroot: \"\"",
    `  zonesdir: "${join(dir, "zones")}"`,
    `  pidfile: "${pidFile()}"`,
    `  logfile: "${join(dir, "nsd.log")}"`,
    `  xfrdfile: "${join(dir, "xfrd.state")}"`,
    `  zonelistfile: "${join(dir, "zone.list")}"`,
    '  database: ""',
    "  verbosity: 1",
    "  hide-version: yes",
    "remote-control:",
    "  control-enable: no",
    "",
  ];
  const files = new Map<string, string>(input.exportedZones);
  const toSign: Array<[string, string, string]> = [];
  for (const [zone, text] of zones) {
    if (files.has(zone)) throw new Error(`lab DNS: zone ${zone} is both the stack's and the lab's own`);
    writeFileSync(join(dir, "unsigned", `${zone}.zone`), text);
    toSign.push([zone, join(dir, "unsigned", `${zone}.zone`), join(dir, "zones", `${zone}.zone`)]);
    files.set(zone, join(dir, "zones", `${zone}.zone`));
  }
  signZoneFiles(input.signerRoot, toSign);
  for (const [zone, file] of files) {
    const check = run("nsd-checkzone", [zone, file], { allowFail: true });
    if (check.status !== 0) throw new Error(`lab DNS: zone ${zone} does not load: ${check.stderr || check.stdout}`);
    conf.push("zone:", `  name: "${zone}"`, `  zonefile: "${file}"`, "");
  }
  writeFileSync(join(dir, "nsd.conf"), conf.join("\n"));
  run("nsd-checkconf", [join(dir, "nsd.conf")]);
  run("nsd", ["-c", join(dir, "nsd.conf")], { netns: labHost("dns").netns });
  log(`dns: nsd serving ${files.size} DNSSEC-signed zones on ${labHost("dns").address} (${[...files.keys()].join(", ")})`);
  return labTrustAnchors([...files.keys()]);
}

export function stopDns(log: (l: string) => void): void {
  if (!existsSync(pidFile())) return;
  const pid = Number(readFileSync(pidFile(), "utf8").trim());
  try {
    process.kill(pid, "SIGTERM");
    log(`dns: stopped nsd (pid ${pid})`);
  } catch {
    // already gone
  }
  rmSync(pidFile(), { force: true });
}

/**
 * The induced DNSBL fault: rewrite the test DNSBL `zone` so that it lists `ip` too (a new serial),
 * and tell nsd to re-read its changed zone files (SIGHUP), as the emulated Route53 does.
 */
export function listOnDnsbl(zone: string, ip: string, log: (l: string) => void): void {
  const file = join(labPaths.dns(), "zones", `${zone}.zone`);
  const unsigned = join(labPaths.dns(), "unsigned", `${zone}.zone`);
  if (!existsSync(unsigned)) throw new Error(`lab DNS: no zone file ${unsigned}: is ${zone} one of the lab's DNSBLs?`);
  if (signerRoot === undefined) throw new Error("lab DNS: nsd was not started by this process (startDns), so there is no signer for the rewritten zone");
  const { text } = dnsblZoneFile(zone, [ip], 2);
  writeFileSync(unsigned, text);
  signZoneFiles(signerRoot, [[zone, unsigned, file]]);
  const check = run("nsd-checkzone", [zone, file], { allowFail: true });
  if (check.status !== 0) throw new Error(`lab DNS: the relisted zone ${zone} does not load: ${check.stderr || check.stdout}`);
  process.kill(Number(readFileSync(pidFile(), "utf8").trim()), "SIGHUP");
  log(`dns: ${zone} now lists ${ip} too (nsd reloaded)`);
}
