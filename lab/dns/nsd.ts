// The lab's authoritative DNS: Debian's nsd, run in the `dns` namespace with a private config,
// serving the synthesized zones (moved onto the lab address), the lab reverse zone, remote.test
// the test DNSBL and SURBL. Nothing recursive: every name the lab uses is in these zones.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { MailConfig } from "../../infra/config";
import { run } from "../exec";
import { labPaths } from "../paths";
import type { LabSynth } from "../synth";
import { labHost } from "../topology";
import { attackerZoneFile, dnsblZoneFile, remoteZoneFile, reverseZoneFile, surblZoneFile } from "./zones";

const pidFile = () => join(labPaths.dns(), "nsd.pid");

export function startDns(cfg: MailConfig, synth: LabSynth, log: (l: string) => void): void {
  stopDns(log);
  const dir = labPaths.dns();
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, "zones"), { recursive: true });
  const zones = new Map<string, string>(synth.zoneFiles);
  for (const z of [reverseZoneFile(synth.records), remoteZoneFile(), attackerZoneFile(), ...cfg.antispam.dnsbls.map((b) => dnsblZoneFile(b.zone)), surblZoneFile()]) {
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
  for (const [zone, text] of zones) {
    writeFileSync(join(dir, "zones", `${zone}.zone`), text);
    const check = run("nsd-checkzone", [zone, join(dir, "zones", `${zone}.zone`)], { allowFail: true });
    if (check.status !== 0) throw new Error(`lab DNS: zone ${zone} does not load: ${check.stderr || check.stdout}`);
    conf.push("zone:", `  name: "${zone}"`, `  zonefile: "${zone}.zone"`, "");
  }
  writeFileSync(join(dir, "nsd.conf"), conf.join("\n"));
  run("nsd-checkconf", [join(dir, "nsd.conf")]);
  run("nsd", ["-c", join(dir, "nsd.conf")], { netns: labHost("dns").netns });
  log(`dns: nsd serving ${zones.size} zones on ${labHost("dns").address} (${[...zones.keys()].join(", ")})`);
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
