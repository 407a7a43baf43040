// The lab's DNSSEC for real, without the VM: zones the lab serves (lab.test with its
// broken-signature name, remote.test) signed by the lab's one signer (lab/aws/emulator/zone_sign.py,
// dnspython in the Debian 13 root), served by the build machine's nsd, and resolved by Debian 13's
// unbound with production's config (configs/unbound/mailfort.conf, Debian's root anchor) plus the
// lab's vendor-data snippet and trust anchors, in a network namespace of this test's own. BIND's
// dnssec-verify judges the signed files; dig judges unbound's answers (AD, SERVFAIL, NXDOMAIN).
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runInRoot } from "../../lab/aws/chroot";
import { dnskeyPublicKey, ensureZoneKey, trustAnchors } from "../../lab/dns/dnssec";
import { BOGUS_SIGNATURE_HOST, serviceZoneFiles } from "../../lab/dns/service-zones";
import { remoteZoneFile } from "../../lab/dns/zones";
import { labForwardConf } from "../../lab/vm/vendor-data";
import { baseRoot, checkerUnavailable } from "./checker-root";

const REPO = join(__dirname, "..", "..");
const tools = ["nsd", "dig", "dnssec-verify"].filter((t) => spawnSync("sh", ["-c", `command -v ${t}`]).status !== 0);
const unavailable = checkerUnavailable() ?? (tools.length > 0 ? `missing ${tools.join(", ")} (.ci/apt-packages)` : undefined);
if (unavailable && process.env.CI === "true") throw new Error(`lab DNSSEC tests cannot run in CI: ${unavailable}`);
if (unavailable) console.warn(`SKIPPING the lab DNSSEC tests: ${unavailable}`);

const NETNS = `mfdnssec-${process.pid}`;
const NSD = "10.99.0.2";
const ZONES = () => [...serviceZoneFiles("eu-west-1").filter((z) => z.zone === "lab.test"), remoteZoneFile()];

describe.skipIf(Boolean(unavailable))("the lab's signed zones, validated by Debian 13's unbound", () => {
  let root = "";
  let dir = "";
  const inNs = (argv: string[]) => spawnSync("ip", ["netns", "exec", NETNS, ...argv], { encoding: "utf8", timeout: 60_000 });
  const dig = (name: string) => inNs(["dig", "+dnssec", "+time=5", "+tries=2", "@127.0.0.1", name, "A"]).stdout;

  beforeAll(() => {
    root = baseRoot();
    dir = mkdtempSync(join(tmpdir(), "mailfort-dnssec-host-"));
    for (const d of ["zones", "conf.d", "varlib"]) mkdirSync(join(dir, d));
    spawnSync("ip", ["netns", "add", NETNS]);
    spawnSync("ip", ["-n", NETNS, "link", "set", "lo", "up"]);
    spawnSync("ip", ["-n", NETNS, "addr", "add", `${NSD}/32`, "dev", "lo"]);
    const key = ensureZoneKey(join(dir, "zone-key.pem"));
    for (const z of ZONES()) writeFileSync(join(dir, "zones", `${z.zone}.unsigned`), z.text);
    const signed = runInRoot({ root, netns: NETNS, stateDir: dir, codeDir: join(REPO, "lab", "aws", "emulator"),
      argv: ["python3", "-B", "/opt/zone_sign.py", "--key", "/mnt/zone-key.pem", ...ZONES().map((z) => `${z.zone}=/mnt/zones/${z.zone}.unsigned=/mnt/zones/${z.zone}.zone`)] });
    expect(signed.stderr).toBe("");
    expect(signed.status).toBe(0);
    writeFileSync(join(dir, "nsd.conf"), [
      "server:", `  ip-address: ${NSD}`, '  username: ""', '  chroot: ""', `  pidfile: "${dir}/nsd.pid"`, `  logfile: "${dir}/nsd.log"`,
      `  xfrdfile: "${dir}/xfrd.state"`, `  zonelistfile: "${dir}/zone.list"`, '  database: ""', "remote-control:", "  control-enable: no",
      ...ZONES().flatMap((z) => ["zone:", `  name: "${z.zone}"`, `  zonefile: "${dir}/zones/${z.zone}.zone"`]), "",
    ].join("\n"));
    expect(inNs(["nsd", "-c", join(dir, "nsd.conf")]).status).toBe(0);
    // Production's unbound config and Debian's root anchor, plus the lab's vendor-data snippet.
    copyFileSync(join(REPO, "configs", "unbound", "mailfort.conf"), join(dir, "conf.d", "mailfort.conf"));
    copyFileSync(join(root, "etc/unbound/unbound.conf.d/root-auto-trust-anchor-file.conf"), join(dir, "conf.d", "root-auto-trust-anchor-file.conf"));
    copyFileSync(join(root, "usr/share/dns/root.key"), join(dir, "varlib", "root.key"));
    const anchors = trustAnchors(ZONES().map((z) => z.zone), dnskeyPublicKey(readFileSync(key, "utf8")));
    writeFileSync(join(dir, "conf.d", "zz-mailfort-lab-forward.conf"), labForwardConf([NSD], anchors));
    writeFileSync(join(dir, "unbound.conf"), ['server:', '  username: ""', '  chroot: ""', '  directory: "/tmp"', '  pidfile: "/mnt/unbound.pid"',
      "  do-daemonize: yes", "  use-syslog: no", '  logfile: "/mnt/unbound.log"', 'include: "/etc/unbound/unbound.conf.d/*.conf"', ""].join("\n"));
    const r = spawnSync("ip", ["netns", "exec", NETNS, "unshare", "--mount", "--propagation", "private", "sh", "-c", [
      "set -e", `mount --bind ${root} ${root}`, `mount -o remount,bind,ro ${root}`, `mount -t tmpfs tmpfs ${root}/tmp`, `mount -t tmpfs tmpfs ${root}/run`,
      `mount --bind ${dir} ${root}/mnt`, `mount --bind ${dir}/conf.d ${root}/etc/unbound/unbound.conf.d`, `mount --bind ${dir}/varlib ${root}/var/lib/unbound`,
      `chroot ${root} unbound-checkconf /mnt/unbound.conf`, `chroot ${root} unbound -c /mnt/unbound.conf`,
    ].join("\n")], { encoding: "utf8", timeout: 60_000 });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
  }, 1_800_000);

  afterAll(() => {
    if (!dir) return;
    const pids: number[] = [];
    for (const pid of ["nsd.pid", "unbound.pid"]) {
      try {
        const n = Number(readFileSync(join(dir, pid), "utf8").trim());
        process.kill(n, "SIGTERM");
        pids.push(n);
      } catch {
        // not started, or already gone
      }
    }
    // The daemons write their last log lines (and unbound removes its pid file) as they exit: the
    // directory is removed only once they are gone, or its removal races their writes (ENOTEMPTY).
    const alive = (n: number) => {
      try {
        process.kill(n, 0);
        return true;
      } catch {
        return false;
      }
    };
    for (let i = 0; i < 50 && pids.some(alive); i++) spawnSync("sleep", ["0.1"]);
    spawnSync("ip", ["netns", "del", NETNS]);
    rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
  });

  it("BIND's verifier finds every signed zone complete and every signature good but the broken one", () => {
    const v = spawnSync("dnssec-verify", ["-z", "-o", "remote.test", join(dir, "zones", "remote.test.zone")], { encoding: "utf8" });
    expect(`${v.stdout}${v.stderr}`).toContain("Zone fully signed");
    expect(v.status).toBe(0);
    const lab = spawnSync("dnssec-verify", ["-z", "-o", "lab.test", join(dir, "zones", "lab.test.zone")], { encoding: "utf8" });
    expect(lab.status).not.toBe(0);
    expect(`${lab.stdout}${lab.stderr}`).toContain(`No correct ECDSAP256SHA256 signature for ${BOGUS_SIGNATURE_HOST} A`);
  });

  it("unbound answers the lab's names with the AD bit, and proves a missing name absent (NXDOMAIN, AD)", () => {
    for (const name of ["mx.remote.test", "ns.lab.test"]) {
      const out = dig(name);
      expect(out, name).toMatch(/status: NOERROR/);
      expect(out, name).toMatch(/flags: qr rd ra ad;/);
    }
    const missing = dig("nothing-here.remote.test");
    expect(missing).toMatch(/status: NXDOMAIN/);
    expect(missing).toMatch(/flags: qr rd ra ad;/);
  });

  it("unbound refuses the name with the broken signature (SERVFAIL), where nsd itself serves it", () => {
    expect(dig(BOGUS_SIGNATURE_HOST)).toMatch(/status: SERVFAIL/);
    expect(inNs(["dig", "+norec", `@${NSD}`, BOGUS_SIGNATURE_HOST, "A"]).stdout).toMatch(/status: NOERROR/);
  });
});
