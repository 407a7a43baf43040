// The host-file installer (configs/bin/mailfort-host-files), run for real: `check` on every bundle
// the renderer makes (so each path it renders is one the installer accepts), hostile bundles that
// must be refused whole, and `install` in the Debian 13 root: modes, owners, the manifest, and a
// tampered or redirected bundle that writes nothing and reports MAILFORT-FAILED.
import { spawnSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MAX_DOMAINS } from "../../infra/config/schema";
import { HOST_BUNDLE_FORMAT, type HostBundle, type HostFile, packHostBundle, renderHost } from "../../infra/core/host";
import { CONFIGS_DIR } from "../../infra/core/host/template";
import { GUEST_HOST_FILES_SCRIPT, hostFilesCheck } from "../../lab/host-files-check";
import { type CheckerRoot, baseRoot, checkerUnavailable, prepareRoot } from "./checker-root";
import { STACKS, bigStack, loadStack } from "./stacks";

const INSTALLER = join(CONFIGS_DIR, "bin", "mailfort-host-files");
const work = mkdtempSync(join(tmpdir(), "mailfort-host-files-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** The seed the lab's secrets disk holds (<seed>/mailfort/lab/host/bundle/NNN, the SSM names)
 * and an env file pinning `pin` and `pinnedParts` parts, as the installer finds them. */
function staged(name: string, parts: readonly string[], pin: string, pinnedParts = parts.length): { seed: string; env: string } {
  const seed = join(work, name, "seed");
  const dir = join(seed, "mailfort", "lab", "host", "bundle");
  mkdirSync(dir, { recursive: true });
  parts.forEach((p, n) => writeFileSync(join(dir, String(n).padStart(3, "0")), p));
  const env = join(work, name, "mailfort.env");
  writeFileSync(env, `MAILFORT_STACK=lab\nMAILFORT_SSM_PREFIX=/mailfort/lab\nMAILFORT_HOST_BUNDLE_PARTS=${pinnedParts}\nMAILFORT_HOST_BUNDLE_SHA256=${pin}\n`);
  return { seed, env };
}
const partFile = (s: { seed: string }, n: number) => join(s.seed, "mailfort", "lab", "host", "bundle", String(n).padStart(3, "0"));

function check(s: { seed: string; env: string }) {
  const r = spawnSync("python3", [INSTALLER, "check"], { encoding: "utf8", env: { PATH: process.env.PATH ?? "/usr/bin:/bin", MAILFORT_SECRET_DIR: s.seed, MAILFORT_ENV_FILE: s.env } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A bundle of these files, pinned correctly: only the installer's own rules can refuse it. */
const pinnedBundle = (name: string, files: readonly HostFile[]) => {
  const b = packHostBundle(files);
  return staged(name, b.chunks, b.sha256);
};
const file = (path: string, extra: Partial<HostFile> = {}): HostFile => ({ path, mode: "0644", owner: "root:root", content: "x = 1\n", ...extra });

describe("mailfort-host-files check: every rendered bundle is accepted", () => {
  const cases: Array<[string, () => ReturnType<typeof renderHost>]> = [
    ...STACKS.map((s): [string, () => ReturnType<typeof renderHost>] => [s, () => renderHost(loadStack(s))]),
    [`${MAX_DOMAINS} domains, POP3 and IPv6`, () => renderHost(bigStack(MAX_DOMAINS))],
  ];
  it.each(cases)("%s", (name, render) => {
    const { bundle } = render();
    const r = check(staged(name.replace(/\W+/g, "-"), bundle.chunks, bundle.sha256));
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    const listed = r.stdout.trim().split("\n");
    expect(listed.at(-1)).toBe(`bundle sha256:${bundle.sha256}, ${bundle.chunks.length} parameters, ${bundle.files.length} files`);
    expect(listed.slice(0, -1)).toEqual(bundle.files.map((f) => `${f.mode} ${f.owner} ${Buffer.byteLength(f.content)} ${f.path}`));
  });
});

describe("mailfort-host-files check: only the pinned parts are read", () => {
  it("a stale part beyond the pin (a deploy that shrank the bundle deletes it only after the new instance boots) and a stray file are left alone", () => {
    const { bundle } = renderHost(loadStack("lab"));
    const s = staged("stale", [...bundle.chunks, bundle.chunks[0] ?? ""], bundle.sha256, bundle.chunks.length);
    writeFileSync(join(s.seed, "mailfort", "lab", "host", "bundle", "notes"), "hi");
    expect(check(s)).toMatchObject({ status: 0, stderr: "", stdout: expect.stringContaining(`bundle sha256:${bundle.sha256}, ${bundle.chunks.length} parameters`) });
  });
});

describe("mailfort-host-files check: a bundle it must refuse whole", () => {
  const lab = renderHost(loadStack("lab")).bundle;

  it("another bundle than the one the user data pins (a later deploy, or an edit by hand)", () => {
    const other = renderHost(loadStack("dev")).bundle;
    expect(check(staged("other", other.chunks, lab.sha256))).toMatchObject({ status: 1, stderr: expect.stringMatching(new RegExp(`has SHA-256 ${other.sha256}, but this instance's user data pins ${lab.sha256}`)) });
  });

  it("parts missing, emptied, fewer than the stack holds, or padded", () => {
    expect(check(staged("emptied", [lab.chunks[0] ?? "", "", ...lab.chunks.slice(2)], lab.sha256))).toMatchObject({ status: 1, stderr: expect.stringMatching(/does not decode|not one gzip stream/) });
    const gap = staged("gap", lab.chunks, lab.sha256);
    rmSync(partFile(gap, 1));
    expect(check(gap).stderr).toMatch(/lacks \/mailfort\/lab\/host\/bundle\/001 \(the stack was not deployed with this bundle\)/);
    expect(check(staged("short", lab.chunks, lab.sha256, lab.chunks.length - 1)).stderr).toMatch(/not one gzip stream|does not decode/);
    expect(check(staged("padded", [...lab.chunks.slice(0, -1), `${lab.chunks.at(-1)}QUFB`], lab.sha256)).stderr).toMatch(/does not decode|not one gzip stream/);
    const none = staged("none", [], lab.sha256, lab.chunks.length);
    expect(check(none).stderr).toMatch(/lacks \/mailfort\/lab\/host\/bundle\/000/);
  });

  it("a pin the installer cannot read: no count, a count out of range, no digest", () => {
    for (const [name, parts, pin] of [["zero", 0, lab.sha256], ["many", 101, lab.sha256], ["no-digest", lab.chunks.length, "pending"]] as const) {
      expect(check(staged(name, lab.chunks, pin, parts)).stderr).toMatch(/pins no host bundle \(MAILFORT_SSM_PREFIX, MAILFORT_HOST_BUNDLE_PARTS 1\.\.100, MAILFORT_HOST_BUNDLE_SHA256\)/);
    }
  });

  it("a gzip bomb: more than 16 MiB once inflated, refused before it is parsed", () => {
    const bomb = gzipSync(Buffer.alloc(17 * 1024 * 1024, 0x20)).toString("base64");
    const parts = bomb.match(/.{1,4096}/g) ?? [];
    expect(check(staged("bomb", parts, "0".repeat(64))).stderr).toMatch(/not one gzip stream of at most 16777216 bytes/);
  });

  it("a pinned document of another format", () => {
    const json = JSON.stringify({ format: "tar", files: [] });
    const parts = [gzipSync(json).toString("base64")];
    expect(check(staged("format", parts, createHash("sha256").update(json).digest("hex"))).stderr).toMatch(new RegExp(`not a ${HOST_BUNDLE_FORMAT} document`));
  });

  const hostile: Array<[string, HostFile, RegExp]> = [
    ["/etc/passwd", file("/etc/passwd"), /'\/etc\/passwd' is not a place mailfort installs host files/],
    ["a climb out of /etc/postfix", file("/etc/postfix/../shadow"), /is not a plain absolute path/],
    ["root's SSH keys", file("/root/.ssh/authorized_keys"), /is not a plain absolute path|is not a place/],
    ["a cron job", file("/etc/cron.d/mailfort"), /is not a place mailfort installs/],
    ["an SSH server unit", file("/etc/systemd/system/ssh.service"), /is not a place mailfort installs/],
    ["the env file that pins the digest", file("/etc/mailfort/mailfort.env"), /mailfort\.env' is not a place/],
    ["the installer itself", file("/usr/local/sbin/mailfort-host-files", { mode: "0755" }), /mailfort-host-files' is not a place/],
    ["the manifest it writes", file("/etc/mailfort/host-files.manifest"), /host-files\.manifest' is not a place/],
    ["a relative path", file("etc/postfix/main.cf"), /is not a plain absolute path/],
    ["a world-writable file", file("/etc/postfix/main.cf", { mode: "0666" }), /mode '0666' is not an octal mode without group\/other write/],
    ["a setuid script", file("/usr/local/sbin/mailfort-x", { mode: "4755" }), /mode '4755'/],
    ["a group-writable unit", file("/etc/systemd/system/mailfort-x.service", { mode: "0664" }), /mode '0664'/],
    ["another owner", file("/etc/postfix/main.cf", { owner: "postfix:postfix" }), /owner 'postfix:postfix' is not one of root:root/],
    // The webmail's places are exact: its config, its one pool, mailfort's own plugins' sources.
    ["the webmail's des_key file (mailfort-secrets writes it)", file("/etc/roundcube/mailfort-secrets.inc.php"), /mailfort-secrets\.inc\.php' is not a place/],
    ["Roundcube's database settings", file("/etc/roundcube/debian-db.php"), /debian-db\.php' is not a place/],
    ["a second PHP-FPM pool", file("/etc/php/8.4/fpm/pool.d/shell.conf"), /shell\.conf' is not a place/],
    ["PHP's own php.ini", file("/etc/php/8.4/fpm/php.ini"), /php\.ini' is not a place/],
    ["a plugin that is not mailfort's", file("/var/lib/roundcube/plugins/managesieve/managesieve.php"), /managesieve\.php' is not a place/],
    ["a PHP archive in mailfort's plugin", file("/var/lib/roundcube/plugins/mailfort_totp/x.phar"), /x\.phar' is not a place/],
    ["a climb out of mailfort's plugin", file("/var/lib/roundcube/plugins/mailfort_totp/../../program/x.php"), /is not a plain absolute path/],
    ["a hidden file in mailfort's plugin", file("/var/lib/roundcube/plugins/mailfort_totp/.htaccess"), /is not a plain absolute path|is not a place/],
    ["a script beside Dovecot's Lua passdb", file("/etc/dovecot/checkpassword.sh", { mode: "0755" }), /checkpassword\.sh' is not a place/],
  ];
  it.each(hostile)("%s", (name, f, why) => {
    const r = check(pinnedBundle(name.replace(/\W+/g, "-"), [file("/etc/postfix/master.cf"), f]));
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/the host bundle is refused whole/);
    expect(r.stderr).toMatch(why);
  });

  it("a path listed twice (the later would silently win)", () => {
    const json = JSON.stringify({ format: HOST_BUNDLE_FORMAT, files: [file("/etc/postfix/main.cf"), file("/etc/postfix/main.cf")] });
    const r = check(staged("twice", [gzipSync(json).toString("base64")], createHash("sha256").update(json).digest("hex")));
    expect(r.stderr).toMatch(/main\.cf' is listed twice/);
  });
});

/** Whether the host's Python has boto3 and moto (Debian: python3-boto3, python3-moto). */
function motoUnavailable(): string | undefined {
  const r = spawnSync("python3", ["-c", "import boto3, moto"], { encoding: "utf8" });
  return r.status === 0 ? undefined : `python3 cannot import boto3 and moto (apt-get install python3-boto3 python3-moto): ${r.stderr.trim().split("\n").at(-1) ?? ""}`;
}
const noMoto = motoUnavailable();
if (noMoto && process.env.CI === "true") throw new Error(`the installer's SSM tests cannot run in CI: ${noMoto}`);
if (noMoto) console.warn(`SKIPPING mailfort-host-files SSM tests: ${noMoto}`);

describe.skipIf(Boolean(noMoto))("mailfort-host-files on AWS: the pinned parts from SSM (moto), by name", () => {
  const part = (n: number) => `/mailfort/lab/host/bundle/${String(n).padStart(3, "0")}`;
  type Probe = { ok: boolean; refused?: string; parts?: number; files?: string[]; putErrors: string[]; calls: Array<{ op: string; names?: string[] }> };
  /** The bundle's parameters, plus what must not be read: a stale part a later deploy is about
   * to delete, and a secret beside it; then the installer's fetch against them. */
  const run = (bundle: HostBundle, ...extra: string[]): Probe => {
    const params = [
      ...bundle.chunks.map((value, n) => ({ name: part(n), type: "String", value })),
      { name: part(bundle.chunks.length), type: "String", value: "c3RhbGU=" },
      { name: "/mailfort/lab/dkim/example.org", type: "SecureString", value: "-----BEGIN PRIVATE KEY-----" },
    ];
    const dir = mkdtempSync(join(work, "ssm-"));
    writeFileSync(join(dir, "params.json"), JSON.stringify(params));
    writeFileSync(join(dir, "mailfort.env"), `MAILFORT_REGION=eu-central-1\nMAILFORT_SSM_PREFIX=/mailfort/lab\nMAILFORT_HOST_BUNDLE_PARTS=${bundle.chunks.length}\nMAILFORT_HOST_BUNDLE_SHA256=${bundle.sha256}\n`);
    const r = spawnSync("python3", [join(__dirname, "probes", "host_files_ssm.py"), INSTALLER, join(dir, "mailfort.env"), join(dir, "params.json"), ...extra], { encoding: "utf8", timeout: 120_000 });
    if (r.status !== 0) throw new Error(`probe failed: ${r.stderr}`);
    return JSON.parse(r.stdout) as Probe;
  };
  const lab = renderHost(loadStack("lab")).bundle;

  it("reads exactly the pinned parts (GetParameters by name, nothing else) and decodes the bundle", () => {
    const out = run(lab);
    expect(out.putErrors).toEqual([]);
    expect(out).toMatchObject({ ok: true, parts: lab.chunks.length, files: lab.files.map((f) => f.path) });
    // Ten names a call at most (GetParameters' limit): the lab's bundle has grown past ten parts.
    expect(out.calls.map((c) => c.op)).toEqual(Array.from({ length: Math.ceil(lab.chunks.length / 10) }, () => "GetParameters"));
    expect(out.calls.flatMap((c) => c.names ?? [])).toEqual(lab.chunks.map((_, n) => part(n)));
  }, 120_000);

  it("more than ten parts: fetched ten names a call (GetParameters' limit), in order", () => {
    // Incompressible content: about 17 parts of 4096 characters.
    const big = packHostBundle([file("/etc/mailfort/noise", { content: randomBytes(50_000).toString("base64") })]);
    expect(big.chunks.length).toBeGreaterThan(10);
    const out = run(big);
    expect(out).toMatchObject({ ok: true, parts: big.chunks.length, files: ["/etc/mailfort/noise"] });
    expect(out.calls.map((c) => c.names?.length)).toEqual([10, big.chunks.length - 10]);
  }, 120_000);

  it("a part missing from SSM is refused, naming it", () => {
    expect(run(lab, `drop:${part(1)}`)).toMatchObject({ ok: false, refused: expect.stringMatching(/SSM has no \/mailfort\/lab\/host\/bundle\/001/) });
  }, 120_000);
});

const unavailable = checkerUnavailable();
if (unavailable && process.env.CI === "true") throw new Error(`host installer tests cannot run in CI: ${unavailable}`);
if (unavailable) console.warn(`SKIPPING mailfort-host-files install tests: ${unavailable}`);

describe.skipIf(Boolean(unavailable))("mailfort-host-files install, in the Debian 13 root", () => {
  let root: CheckerRoot;
  const cfg = loadStack("lab");
  const bundle = renderHost(cfg).bundle;
  const part = (n: number) => join(root.dir, "seed/mailfort/lab/host/bundle", String(n).padStart(3, "0"));
  const install = () => root.run(["/usr/local/sbin/mailfort-host-files", "install"], { env: { MAILFORT_SECRET_DIR: "/seed" } });
  beforeAll(() => { root = prepareRoot(baseRoot(), cfg); }, 30 * 60_000);
  afterAll(() => root?.dispose());

  it("landed every bundle file with its mode and owner, and a manifest of them", () => {
    const stat = root.run(["stat", "-c", "%a %U:%G %n", ...bundle.files.map((f) => f.path)]).stdout.trim().split("\n");
    expect(stat).toEqual(bundle.files.map((f) => `${f.mode.replace(/^0/, "")} ${f.owner} ${f.path}`));
    for (const f of bundle.files.slice(0, 5)) expect(readFileSync(join(root.dir, f.path), "utf8")).toBe(f.content);
    const manifest = readFileSync(join(root.dir, "etc/mailfort/host-files.manifest"), "utf8").split("\n");
    expect(manifest[0]).toBe(`# mailfort: host files installed from the host bundle sha256:${bundle.sha256} (${bundle.chunks.length} SSM parameters)`);
    expect(manifest).toContain(`${createHash("sha256").update(bundle.files[0]?.content ?? "").digest("hex")} 0644 root:root ${bundle.files[0]?.path}`);
  });

  it("the lab's lab-host-files check, its guest script run here: passes as installed, fails on a changed file, mode or bundle", () => {
    const expected = { bundleSha256: bundle.sha256, files: bundle.files.map((f) => ({ path: f.path, mode: f.mode, owner: f.owner, sha256: createHash("sha256").update(f.content).digest("hex") })) };
    const guest = () => root.run(["sh", "-c", GUEST_HOST_FILES_SCRIPT]).stdout;
    expect(hostFilesCheck(guest(), expected)).toMatchObject({ status: "pass", detail: expect.stringContaining(`all ${bundle.files.length} files on disk as rendered`) });
    const main = join(root.dir, "etc/postfix/main.cf");
    const before = readFileSync(main, "utf8");
    try {
      writeFileSync(main, `${before}smtpd_tls_security_level = none\n`);
      chmodSync(main, 0o666);
      expect(hostFilesCheck(guest(), expected)).toMatchObject({ status: "fail", detail: expect.stringMatching(/^\/etc\/postfix\/main\.cf: on disk [0-9a-f]{64} 0666 root:root, rendered [0-9a-f]{64} 0644 root:root$/) });
    } finally {
      writeFileSync(main, before);
      chmodSync(main, 0o644);
    }
    expect(hostFilesCheck(guest(), { ...expected, bundleSha256: "0".repeat(64) }).detail).toMatch(/not the synthesized bundle sha256:0{64}/);
    expect(hostFilesCheck(guest(), { ...expected, files: [...expected.files, { path: "/etc/mailfort/extra", mode: "0644", owner: "root:root", sha256: "0".repeat(64) }] }).detail).toMatch(/\/etc\/mailfort\/extra is not in the manifest/);
  });

  it("a tampered parameter: nothing written, MAILFORT-FAILED reported", () => {
    const main = join(root.dir, "etc/postfix/main.cf");
    const before = readFileSync(main, "utf8");
    writeFileSync(main, "# changed on the host\n");
    const original = readFileSync(part(0), "utf8");
    writeFileSync(part(0), `${original.slice(0, -8)}AAAAAAAA`);
    try {
      const r = install();
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(/^MAILFORT-FAILED host files: /m);
      expect(readFileSync(join(root.dir, "run/mailfort/failed"), "utf8")).toMatch(/^MAILFORT-FAILED host files: /);
      expect(readFileSync(main, "utf8")).toBe("# changed on the host\n");
    } finally {
      writeFileSync(part(0), original);
      writeFileSync(main, before);
    }
  });

  it("a directory redirected by a symlink: refused before the first write", () => {
    const www = join(root.dir, "var/www/mailfort");
    const elsewhere = join(root.dir, "tmp/elsewhere");
    rmSync(www, { recursive: true, force: true });
    mkdirSync(elsewhere, { recursive: true });
    symlinkSync("/tmp/elsewhere", www);
    const main = join(root.dir, "etc/postfix/main.cf");
    writeFileSync(main, "# before\n");
    chmodSync(main, 0o644);
    try {
      const r = install();
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(/reached through \/var\/www\/mailfort, which is not a plain directory \(it leads to \/tmp\/elsewhere\); nothing was written/);
      expect(readFileSync(main, "utf8")).toBe("# before\n");
      expect(spawnSync("ls", ["-A", elsewhere], { encoding: "utf8" }).stdout).toBe("");
    } finally {
      rmSync(www, { force: true });
    }
    expect(install()).toMatchObject({ status: 0, stdout: expect.stringMatching(/installed \d+ files from bundle sha256:/) });
    expect(readFileSync(main, "utf8")).toBe(bundle.files.find((f) => f.path === "/etc/postfix/main.cf")?.content);
  });
});
