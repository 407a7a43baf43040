// The rendered configuration of the lab, dev and prod stacks, checked by the real Debian 13
// daemons and tools in a debootstrapped trixie root: what `postfix check`, `doveconf`, `rspamadm`,
// `fail2ban-client`, `nft`, `unbound-checkconf`, `nginx -t` and `cloud-init schema` accept is
// what will start on the server. Negative controls prove each checker does reject a broken file.
import { appendFileSync, copyFileSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { MailConfig } from "../../infra/config";
import { MAX_DOMAINS } from "../../infra/config/schema";
import { certificateNames } from "../../infra/core/certificate-names";
import { renderCloudConfig } from "../../infra/core/host";
import { parameterNames } from "../../infra/core/parameters";
import { labForwardConf } from "../../lab/vm/vendor-data";
import { type CheckerRoot, baseRoot, checkerUnavailable, prepareRoot } from "./checker-root";
import { STACKS, bigStack, loadStack } from "./stacks";

const unavailable = checkerUnavailable();
if (unavailable && process.env.CI === "true") throw new Error(`host checker tests cannot run in CI: ${unavailable}`);
if (unavailable) console.warn(`SKIPPING host checker tests: ${unavailable}`);

const ROOTFS_BUILD_TIMEOUT = 30 * 60_000; // a cold debootstrap + install; about 1-4 minutes here
const PREPARE_TIMEOUT = 5 * 60_000;

let base = "";
beforeAll(() => {
  if (unavailable) return;
  const t0 = Date.now();
  base = baseRoot();
  console.log(`host checkers: trixie root ${base} ready in ${((Date.now() - t0) / 1000).toFixed(1)} s (cached when fast)`);
}, ROOTFS_BUILD_TIMEOUT);

/** Run and expect success with a silent stderr (warnings are failures too). */
function clean(root: CheckerRoot, argv: string[], opts: { netns?: boolean } = {}) {
  const r = root.run(argv, opts);
  expect({ cmd: argv.join(" "), status: r.status, stderr: r.stderr }).toEqual({ cmd: argv.join(" "), status: 0, stderr: "" });
  return r.stdout;
}

/** The three stacks, the largest stack the config allows, and prod with every optional path on
 * (SES relay, POP3, ClamAV, no greylisting). */
const VARIANTS: Array<[string, MailConfig]> = [
  ...STACKS.map((s): [string, MailConfig] => [s, loadStack(s)]),
  [`${MAX_DOMAINS} domains`, bigStack(MAX_DOMAINS)],
  ["prod+ses+pop3+clamav", (() => {
    const prod = loadStack("prod");
    return {
      ...prod,
      outbound: { mode: "ses" as const, sesRegion: "eu-central-1" },
      features: { ...prod.features, pop3: true, clamav: true },
      antispam: { ...prod.antispam, greylisting: false },
    };
  })()],
];

describe.skipIf(Boolean(unavailable)).each(VARIANTS)("stack %s, checked by the Debian 13 daemons", (stack, cfg) => {
  let root: CheckerRoot;
  let t0 = 0;
  beforeAll(() => {
    t0 = Date.now();
    root = prepareRoot(base, cfg);
  }, PREPARE_TIMEOUT);
  afterAll(() => {
    root?.dispose();
    console.log(`host checkers: stack ${stack} prepared and checked in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  });

  it("postfix check: no complaints", () => {
    clean(root, ["postfix", "check"]);
  });

  it("postconf -n: no warnings, hardened settings in effect", () => {
    const out = clean(root, ["postconf", "-n"]);
    expect(out).toContain("smtpd_relay_restrictions = permit_mynetworks, permit_sasl_authenticated, reject_unauth_destination");
    expect(out).toContain("mynetworks = 127.0.0.0/8 [::1]/128");
    expect(out).toContain("disable_vrfy_command = yes");
    expect(out).toContain("smtpd_tls_auth_only = yes");
    expect(out).toContain(`message_size_limit = ${cfg.limits.messageSizeMb * 1048576}`);
    expect(out).toContain(`smtpd_client_auth_rate_limit = ${cfg.limits.authAttemptsPerMinute}`);
    expect(out).toContain(`postscreen_dnsbl_threshold = ${cfg.antispam.dnsblThreshold}`);
    // smtpd's second look on port 25: the lists that refuse alone, after the allow lists; no other.
    const mx = out.match(/^mailfort_mx_client_restrictions = (.*)$/m)?.[1] ?? "";
    const named = (b: { zone: string; filter?: string | undefined }) => `${b.zone}${b.filter ? `=${b.filter}` : ""}`;
    for (const b of cfg.antispam.dnsbls) {
      const rule = b.weight < 0 ? `permit_dnswl_client ${named(b)}` : `reject_rbl_client ${named(b)}`;
      if (b.weight < 0 || b.weight >= cfg.antispam.dnsblThreshold) expect(mx, b.zone).toContain(rule);
      else expect(mx, b.zone).not.toContain(rule);
    }
    // The local block list before everything that permits.
    expect(mx.startsWith("check_client_access cidr:/etc/postfix/maps/client-access.cidr, ")).toBe(true);
    expect(out).toContain("milter_default_action = tempfail");
    expect(out).toContain(cfg.outbound.mode === "ses" ? "relayhost = [email-smtp." : "smtp_tls_security_level = dane");
  });

  it("postconf -M: postscreen on 25, STARTTLS-required 587, implicit-TLS 465", () => {
    const out = clean(root, ["postconf", "-M"]);
    expect(out).toMatch(/^smtp +inet .* postscreen$/m);
    expect(out).toMatch(/^smtpd +pass .* smtpd -o smtpd_client_restrictions=\$mailfort_mx_client_restrictions$/m);
    expect(out).toMatch(/^submission +inet .*smtpd_tls_security_level=encrypt/m);
    expect(out).toMatch(/^submissions +inet .*smtpd_tls_wrappermode=yes/m);
    // Both submission services share main.cf's sender restrictions (suspended logins, then login mismatch).
    expect(out).toMatch(/^submission .*smtpd_sender_restrictions=\$mailfort_submission_sender_restrictions/m);
    expect(out).toMatch(/^submissions .*smtpd_sender_restrictions=\$mailfort_submission_sender_restrictions/m);
  });

  it("doveconf -n: Dovecot 2.4 accepts it; TLS required, no plaintext listeners", () => {
    const out = clean(root, ["doveconf", "-n"]);
    expect(out).toMatch(/^ssl = required$/m);
    expect(out).toMatch(/inet_listener imap \{\n\s+port = 0\n/);
    expect(out).toMatch(/inet_listener imaps \{\n\s+port = 993\n\s+ssl = yes/);
    if (cfg.features.pop3) expect(out).toMatch(/inet_listener pop3 \{\n\s+port = 0\n/);
    else expect(out).not.toContain("pop3");
  });

  it("secrets land with their owners and modes; the passwd-file carries hash and quota", () => {
    const stat = (path: string) => clean(root, ["stat", "-c", "%U:%G %a", path]).trim();
    expect(stat("/etc/dovecot/passwd")).toBe("root:dovecot 640");
    expect(stat("/etc/ssl/mailfort/privkey.pem")).toBe("root:ssl-cert 640");
    expect(stat("/etc/rspamd/mailfort-controller.inc")).toBe("root:_rspamd 640");
    expect(stat("/etc/postfix/maps/sasl-passwd")).toBe("root:root 600");
    for (const d of cfg.domains.filter((x) => x.sendsMail)) expect(stat(`/srv/mailfort/dkim/${d.name}.${d.dkimSelector}.key`)).toBe("root:_rspamd 640");
    const passwd = clean(root, ["cat", "/etc/dovecot/passwd"]);
    // With app passwords on, the mailbox password is good from the host itself only (the webmail).
    const localOnly = cfg.auth.appPasswords ? " allow_nets=127.0.0.1/32,::1/128" : "";
    for (const m of cfg.mailboxes) expect(passwd).toMatch(new RegExp(`^${m.address.replace(/[.+]/g, "\\$&")}:\\{BLF-CRYPT\\}\\S+:5000:5000::::userdb_quota_storage_size=${m.quotaMb}M${localOnly.replace(/[.:/]/g, "\\$&")}$`, "m"));
  });

  it("rspamadm configtest: syntax OK", () => {
    expect(clean(root, ["rspamadm", "configtest"])).toContain("syntax OK");
  });

  it("rspamadm configdump: no module downloads a map from the internet", () => {
    const dump = clean(root, ["rspamadm", "configdump"]);
    expect(dump).toContain("MAILFORT_BLOCK_IP");
    // Top-level sections that are enabled and hold a URL as a value (descriptions that merely
    // mention a web site contain spaces, and are not fetched).
    const fetching = dump.split(/\n(?=[a-z_]+ \{\n)/)
      .filter((section) => !/^ {4}enabled = false;$/m.test(section))
      .flatMap((section) => (section.match(/"[a-z;+]*https?:\/\/[^"\s]*"/g) ?? []).map((url) => `${section.split(" ")[0]}: ${url}`));
    expect(fetching).toEqual([]);
    expect(dump).toMatch(/phishtank_enabled = false;/);
  });

  it("rspamadm configdump: only the host itself is local (SPF and DMARC are never skipped for private ranges)", () => {
    const options = clean(root, ["rspamadm", "configdump", "options"]);
    const local = options.match(/local_addrs \[([^\]]*)\]/)?.[1] ?? options.match(/local_addrs = ([^;]*);/)?.[1];
    expect(local, options).toBeDefined();
    const entries = (local ?? "").match(/"[^"]+"/g) ?? [];
    expect(entries).toEqual(expect.arrayContaining(['"127.0.0.0/8"', '"::1"']));
    // Every entry is loopback (Rspamd adds 127.2.4.7 itself); no private range.
    expect(entries.filter((e) => !/^"(127\.[0-9./]+|::1)"$/.test(e))).toEqual([]);
  });

  // Rspamd merges a list set in local.d into the packaged default instead of replacing it (the
  // lab found this with local_addrs). Every list mailfort sets in local.d must come out exactly
  // as mailfort wrote it.
  it("rspamadm configdump: every list mailfort sets in local.d holds exactly mailfort's entries", () => {
    const list = (dump: string, key: string) => {
      const m = dump.match(new RegExp(`\\b${key} \\[([^\\]]*)\\]`)) ?? dump.match(new RegExp(`\\b${key} = ("[^"]*");`));
      return m ? (m[1]?.match(/"[^"]+"/g) ?? []) : undefined;
    };
    const headers = clean(root, ["rspamadm", "configdump", "milter_headers"]);
    expect(list(headers, "use"), headers).toEqual(['"authentication-results"', '"x-spamd-bar"']);
    expect(list(headers, "authenticated_headers"), headers).toEqual(['"authentication-results"']);
    const options = clean(root, ["rspamadm", "configdump", "options"]);
    expect(list(options, "nameserver"), options).toEqual(['"127.0.0.1:53"']);
  });

  it("fail2ban-client -t: jails postfix, postfix-sasl, dovecot, recidive", () => {
    expect(clean(root, ["fail2ban-client", "-t"])).toContain("OK");
    const dump = clean(root, ["fail2ban-client", "-d"]);
    for (const jail of ["postfix", "postfix-sasl", "dovecot", "recidive"]) expect(dump).toContain(`['add', '${jail}',`);
    expect(dump).not.toContain("['add', 'sshd',");
  });

  // Lines as Dovecot 2.4.1 on Debian 13 logs them (the first one captured in the lab VM).
  it("fail2ban-regex: the dovecot jail counts Dovecot 2.4 login failures, and not successful logins", () => {
    const lines = [
      "Nov 28 00:03:04 mail dovecot[1815]: imap-login: Login aborted: Connection closed (auth failed, 1 attempts in 2 secs) (auth_failed): user=<alice@mailfort.test>, method=PLAIN, rip=10.77.0.30, lip=10.77.0.10, TLS: Connection closed, session=<aFhy5kphrqkKTQAe>",
      "Nov 28 00:03:09 mail dovecot[1815]: pop3-login: Login aborted: Logged out (auth failed, 3 attempts in 9 secs) (auth_failed): user=<bob@mailfort.test>, method=PLAIN, rip=203.0.113.9, lip=10.77.0.10, TLS, session=<bFhy5kphrqkKTQAe>",
      "Nov 28 00:03:15 mail dovecot[1815]: imap-login: Login: user=<alice@mailfort.test>, method=PLAIN, rip=10.77.0.20, lip=10.77.0.10, mpid=1900, TLS, session=<cFhy5kphrqkKTQAe>",
    ];
    writeFileSync(join(root.dir, "tmp/dovecot-2.4.log"), `${lines.join("\n")}\n`);
    const out = clean(root, ["fail2ban-regex", "--print-all-matched", "/tmp/dovecot-2.4.log", "/etc/fail2ban/filter.d/dovecot.conf"]);
    expect(out).toMatch(/Lines: 3 lines, 0 ignored, 2 matched, 1 missed/);
    expect(out).toContain("10.77.0.30");
    expect(out).toContain("203.0.113.9");
  });

  it("fail2ban-regex: the postfix-sasl jail counts Postfix 3.10 SASL failures on the submission services", () => {
    const lines = [
      "Nov 28 00:04:01 mail postfix/submission/smtpd[2101]: warning: unknown[10.77.0.66]: SASL PLAIN authentication failed: (reason unavailable), sasl_username=alice@mailfort.test",
      "Nov 28 00:04:05 mail postfix/submissions/smtpd[2102]: warning: attacker.spam.test[10.77.0.67]: SASL LOGIN authentication failed: UGFzc3dvcmQ6, sasl_username=bob@mailfort.test",
      "Nov 28 00:04:09 mail postfix/submission/smtpd[2103]: 4Bc1x2y3z4: client=sender.remote.test[10.77.0.20], sasl_method=PLAIN, sasl_username=alice@mailfort.test",
    ];
    writeFileSync(join(root.dir, "tmp/postfix-sasl.log"), `${lines.join("\n")}\n`);
    const out = clean(root, ["fail2ban-regex", "--print-all-matched", "/tmp/postfix-sasl.log", "/etc/fail2ban/filter.d/postfix.conf[mode=auth]"]);
    expect(out).toMatch(/Lines: 3 lines, 0 ignored, 2 matched, 1 missed/);
    expect(out).toContain("10.77.0.66");
    expect(out).toContain("10.77.0.67");
  });

  it("nft -c: the firewall ruleset loads", () => {
    clean(root, ["nft", "-c", "-f", "/etc/nftables.conf"], { netns: true });
  });

  it("unbound-checkconf: no errors", () => {
    expect(clean(root, ["unbound-checkconf"])).toContain("no errors");
  });

  it("unbound-checkconf: also with the lab's forward snippet (its vendor data)", () => {
    const anchor = `lab.test. DNSKEY 257 3 13 ${Buffer.alloc(64, 7).toString("base64")}`;
    expect(() => labForwardConf(["10.99.0.53", "not-an-ip; include: /etc/shadow"], [])).toThrow(/not an IPv4/);
    expect(() => labForwardConf(["10.99.0.53"], ['lab.test. DNSKEY 257 3 13 AAAA"\ninclude: "/etc/shadow'])).toThrow(/lab trust anchors not of the form/);
    const conf = labForwardConf(["10.99.0.53"], [anchor]);
    expect(conf).toContain("forward-addr: 10.99.0.53\n");
    expect(conf).toContain(`trust-anchor: "${anchor}"\n`);
    expect(conf).not.toContain("module-config");
    const snippet = join(root.dir, "etc/unbound/unbound.conf.d/zz-mailfort-lab-forward.conf");
    writeFileSync(snippet, conf);
    try {
      expect(clean(root, ["unbound-checkconf"])).toContain("no errors");
    } finally {
      rmSync(snippet);
    }
  });

  it("the host's certificate names are the ones the stack scopes ACME to", () => {
    const sans = clean(root, ["/usr/local/sbin/mailfort-boot", "cert-sans"]).trim();
    expect(sans).toBe(certificateNames(cfg).map((n) => `DNS:${n}`).join(","));
  });

  it("nginx -t: syntax ok", () => {
    const r = root.run(["nginx", "-t"]);
    expect(r.status).toBe(0);
    expect(r.stderr).toContain("test is successful");
    expect(r.stderr).not.toMatch(/\[warn\]|\[emerg\]/);
  });

  it("cloud-init schema: the user data is valid cloud-config", () => {
    writeFileSync(join(root.dir, "tmp/user-data"), renderCloudConfig(cfg));
    const r = root.run(["cloud-init", "schema", "--config-file", "/tmp/user-data"]);
    expect(r.stdout + r.stderr).toContain("Valid schema");
    expect(r.status).toBe(0);
  });

  it("mailfort-secrets apply is idempotent: a second run changes nothing", () => {
    const r = root.run(["/usr/local/sbin/mailfort-secrets", "apply"]);
    expect(r).toEqual({ status: 0, stdout: "", stderr: "" });
  });
});

describe.skipIf(Boolean(unavailable))("negative controls: each checker rejects a broken file", () => {
  let root: CheckerRoot;
  beforeAll(() => { root = prepareRoot(base, loadStack("lab")); }, PREPARE_TIMEOUT);
  afterAll(() => root?.dispose());

  const cases: Array<[string, string, string[], boolean?]> = [
    ["/etc/postfix/main.cf", "smtpd_tls_security_lvl = may\n", ["postconf", "-n"]],
    ["/etc/dovecot/dovecot.conf", "ssl_min_protocl = TLSv1.2\n", ["doveconf", "-n"]],
    ["/etc/rspamd/local.d/ratelimit.conf", "rates { broken\n", ["rspamadm", "configtest"]],
    ["/etc/fail2ban/jail.local", "[postfix-sasl]\nfilter = no-such-filter\n", ["fail2ban-client", "-t"]],
    ["/etc/nftables.conf", "table inet mailfort { chain input { tcp dport 25 acept } }\n", ["nft", "-c", "-f", "/etc/nftables.conf"], true],
    ["/etc/unbound/unbound.conf.d/mailfort.conf", "  no-such-option: yes\n", ["unbound-checkconf"]],
    ["/etc/nginx/conf.d/mailfort.conf", "server { listen 443 ssl; no_such_directive on; }\n", ["nginx", "-t"]],
  ];
  it.each(cases)("%s with a broken line is rejected", (path, line, argv, netns) => {
    const file = join(root.dir, path);
    copyFileSync(file, `${file}.orig`);
    try {
      appendFileSync(file, line);
      const r = root.run(argv, { netns });
      expect(r.status !== 0 || /warning/i.test(r.stderr)).toBe(true);
    } finally {
      copyFileSync(`${file}.orig`, file);
    }
    expect(root.run(argv, { netns }).status).toBe(0);
  });
});

describe.skipIf(Boolean(unavailable))("mailfort-secrets: the sync's fetch and apply, in the Debian 13 root", () => {
  let root: CheckerRoot;
  const seed = (name: string) => join(root.dir, "seed/mailfort/lab", name);
  const sync = () => {
    const fetched = root.run(["/usr/local/sbin/mailfort-secrets", "fetch"], { env: { MAILFORT_SECRET_DIR: "/seed" } });
    expect(fetched.status).toBe(0);
    return root.run(["/usr/local/sbin/mailfort-secrets", "apply"]);
  };
  beforeAll(() => { root = prepareRoot(base, loadStack("lab")); }, PREPARE_TIMEOUT);
  afterAll(() => root?.dispose());

  it("without a controller hash from the stack, the host makes its own once: Rspamd's packaged password never applies", () => {
    const seeded = root.run(["cat", "/etc/rspamd/mailfort-controller.inc"]).stdout;
    rmSync(seed("rspamd/controller"));
    expect(sync()).toMatchObject({ status: 0, stdout: "rspamd\n" });
    const include = root.run(["cat", "/etc/rspamd/mailfort-controller.inc"]).stdout;
    expect(include).toMatch(/^password = "\$2\$[a-z0-9]+\$[a-z0-9]+";\n$/);
    expect(include).not.toBe(seeded);
    expect(root.run(["stat", "-c", "%U:%G %a", "/srv/mailfort/rspamd-controller.password", "/srv/mailfort/rspamd-controller.hash"]).stdout).toBe("root:root 600\nroot:root 600\n");
    const password = root.run(["cat", "/srv/mailfort/rspamd-controller.password"]).stdout.trim();
    expect(password.length).toBeGreaterThanOrEqual(32);
    const dump = root.run(["rspamadm", "configdump", "worker"]).stdout;
    expect(dump).toContain(include.trim());
    expect(dump).not.toContain('password = "q1"');
    expect(sync()).toEqual({ status: 0, stdout: "", stderr: "" });
  });

  it("a new alias rewrites the Postfix maps and asks for a Postfix reload only; the next run does nothing", () => {
    writeFileSync(seed("aliases/new-alias"), JSON.stringify({ from: "sales@mailfort.test", to: ["bob@mailfort.test"] }));
    const first = sync();
    expect(first).toMatchObject({ status: 0, stdout: "postfix\n" });
    const aliases = root.run(["cat", "/etc/postfix/maps/virtual-aliases"]).stdout;
    expect(aliases).toContain("sales@mailfort.test bob@mailfort.test\n");
    expect(root.run(["cat", "/etc/postfix/maps/sender-login"]).stdout).toContain("sales@mailfort.test bob@mailfort.test\n");
    expect(sync()).toEqual({ status: 0, stdout: "", stderr: "" });
  });

  it("hostile parameter values are skipped, never written into a map", () => {
    writeFileSync(seed("mailboxes/hostile"), JSON.stringify({ address: "eve@mailfort.test\nroot@mailfort.test", quotaMb: 1, passwordHash: "{PLAIN}x" }));
    writeFileSync(seed("mailboxes/hostile2"), JSON.stringify({ address: "mallory@mailfort.test", quotaMb: 1, passwordHash: "{BLF-CRYPT}$2b$10$x:0:0::/:/bin/sh\nroot" }));
    writeFileSync(seed("mailboxes/hostile5"), JSON.stringify({ address: "victor@mailfort.test", quotaMb: "1M\nx", passwordHash: "{BLF-CRYPT}$2b$10$7F3KnM4AkwlVFTgLk3vc2OPrJRpagN5eg0Bge88bHeHcoU0v2ziBy" }));
    writeFileSync(seed("mailboxes/hostile3"), JSON.stringify({ address: "trent@mailfort.test\n", quotaMb: 1, passwordHash: "{BLF-CRYPT}abc" }));
    writeFileSync(seed("mailboxes/weak"), JSON.stringify({ address: "walter@mailfort.test", quotaMb: 1, passwordHash: "{SHA512-CRYPT}$6$salt$hash" }));
    writeFileSync(seed("mailboxes/hostile4"), JSON.stringify({ address: "peggy@mailfort.test", quotaMb: 1, passwordHash: "{BLF-CRYPT}abc\n" }));
    writeFileSync(seed("lists/block-ips"), JSON.stringify(["192.0.2.66", "0.0.0.0/0 OK\n", "198.51.100.1\n"]));
    const r = sync();
    expect(r.status).toBe(0);
    expect(r.stderr).toContain("skipping invalid mailbox address");
    expect(r.stderr).toContain("skipping invalid password hash of mallory@mailfort.test");
    expect(r.stderr).toContain("skipping invalid block-ips entry");
    expect(r.stderr).toContain("skipping mailbox victor@mailfort.test: quotaMb");
    const passwd = root.run(["cat", "/etc/dovecot/passwd"]).stdout;
    expect(passwd).not.toMatch(/eve|mallory|trent|peggy|victor|walter|root@|PLAIN|SHA512/);
    expect(root.run(["cat", "/etc/postfix/maps/client-access.cidr"]).stdout).toBe("192.0.2.66 REJECT blocked by local policy\n");
  });
});

describe.skipIf(Boolean(unavailable))("mailfort-cert: ACME with the stack's own key (DANE-stable), in the Debian 13 root", () => {
  // certbot and systemctl are replaced by recorders: the test sees the exact certbot call, and the
  // stand-in "CA" signs the CSR the way Let's Encrypt would (issuer differs from the subject).
  const FAKES = `#!/bin/sh
set -e
echo "$0 $*" >> /tmp/calls
case "$0" in *certbot)
  while [ $# -gt 0 ]; do case "$1" in --csr) csr=$2 ;; --fullchain-path) out=$2 ;; esac; shift; done
  openssl x509 -req -inform DER -in "$csr" -CA /tmp/ca.pem -CAkey /tmp/ca.key -days 90 -copy_extensions copy -out "$out" 2>/dev/null ;;
esac
`;
  let root: CheckerRoot;
  const cfg = loadStack("dev"); // acme-staging
  const run = () => root.run(["/usr/local/sbin/mailfort-cert"], { env: { PATH: "/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" } });
  const calls = () => root.run(["sh", "-c", "cat /tmp/calls 2>/dev/null; rm -f /tmp/calls"]).stdout;
  beforeAll(() => {
    root = prepareRoot(base, cfg);
    for (const fake of ["certbot", "systemctl"]) {
      writeFileSync(join(root.dir, "usr/local/bin", fake), FAKES, { mode: 0o755 });
    }
    const ca = root.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "/tmp/ca.key",
      "-out", "/tmp/ca.pem", "-days", "3650", "-subj", "/CN=Fake ACME CA"]);
    expect(ca.status).toBe(0);
  }, PREPARE_TIMEOUT);
  afterAll(() => root?.dispose());

  const pubkey = (file: string) => root.run(["sh", "-c", `openssl pkey -pubout -in ${file} 2>/dev/null || openssl x509 -pubkey -noout -in ${file}`]).stdout;

  it("replaces the bootstrap certificate: CSR from the stack key, all names, staging, then reloads", () => {
    const r = run();
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    const log = calls();
    expect(log).toMatch(/certbot certonly --non-interactive --agree-tos -m admin@dev\.example\.com --staging --dns-route53 --csr \S+request\.der /);
    expect(log).toContain("systemctl reload postfix\n");
    expect(log).toContain("systemctl reload dovecot\n");
    expect(log).toContain("systemctl reload nginx\n");
    const cert = root.run(["openssl", "x509", "-in", "/etc/ssl/mailfort/fullchain.pem", "-noout", "-issuer", "-ext", "subjectAltName"]).stdout;
    expect(cert).toContain("issuer=CN=Fake ACME CA");
    expect(cert).toContain(`DNS:${cfg.hostname}`);
    expect(cert).toContain(`DNS:mta-sts.${cfg.domains[0].name}`);
    // Same public key as the stack's key: the DANE TLSA 3 1 1 record stays valid.
    expect(pubkey("/etc/ssl/mailfort/fullchain.pem")).toBe(pubkey("/etc/ssl/mailfort/privkey.pem"));
  });

  it("does nothing while the ACME certificate has more than 30 days left", () => {
    expect(run()).toMatchObject({ status: 0, stderr: "" });
    expect(calls()).toBe("");
  });
});

describe.skipIf(Boolean(unavailable))("mailfort-sync: reload only what changed, in the Debian 13 root", () => {
  let root: CheckerRoot;
  const env = { PATH: "/usr/local/bin:/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin", MAILFORT_SECRET_DIR: "/seed" };
  const sync = () => root.run(["/usr/local/sbin/mailfort-sync"], { env });
  const reloads = () => root.run(["sh", "-c", "cat /tmp/calls 2>/dev/null; rm -f /tmp/calls"]).stdout;
  beforeAll(() => {
    root = prepareRoot(base, loadStack("lab"));
    writeFileSync(join(root.dir, "usr/local/bin/systemctl"), "#!/bin/sh\necho \"systemctl $*\" >> /tmp/calls\n", { mode: 0o755 });
  }, PREPARE_TIMEOUT);
  afterAll(() => root?.dispose());

  it("no change: reloads nothing", () => {
    expect(sync()).toMatchObject({ status: 0, stdout: "" });
    expect(reloads()).toBe("");
  });

  it("a password change reloads Dovecot only; a new DKIM key reloads Rspamd only", () => {
    const cfg = loadStack("lab");
    const mbox = join(root.dir, "seed", parameterNames(cfg).mailbox("bob@mailfort.test").name);
    writeFileSync(mbox, JSON.stringify({ address: "bob@mailfort.test", quotaMb: 4096, passwordHash: "{BLF-CRYPT}$2b$12$abcdefghijklmnopqrstuv0123456789ABCDEFGHIJKLMNOPQRSTU" }));
    expect(sync()).toMatchObject({ status: 0, stdout: "mailfort-sync: reloaded dovecot\n" });
    expect(reloads()).toBe("systemctl reload dovecot\n");
    expect(root.run(["grep", "^bob@", "/etc/dovecot/passwd"]).stdout).toContain("$2b$12$abcdefghij");

    const key = join(root.dir, "seed", parameterNames(cfg).dkimKey("mailfort.test", "mail2027").name);
    mkdirSync(dirname(key), { recursive: true });
    writeFileSync(key, root.run(["openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"]).stdout);
    expect(sync()).toMatchObject({ status: 0, stdout: "mailfort-sync: reloaded rspamd\n" });
    expect(reloads()).toBe("systemctl reload rspamd\n");
    expect(sync()).toMatchObject({ status: 0, stdout: "" });
  });
});
