// Host rendering as a specification: MailConfig in, files out: the bootstrap in the cloud-init
// user data, the rest in the SSM host bundle it pins. Strict templates (no placeholder left, no
// unknown variable), the renderer's own injection guard, a user data that stays small and fixed,
// no secret in either, and settings that follow the config.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { gunzipSync } from "node:zlib";
import { load } from "js-yaml";
import { describe, expect, it } from "vitest";
import { ConfigError, type MailConfig, parseMailConfig, parseStackFile } from "../../infra/config";
import { MAX_DOMAINS } from "../../infra/config/schema";
import { certificateNames } from "../../infra/core/certificate-names";
import { dkimSigningText } from "../../infra/core/dkim-signing";
import {
  HOST_BUNDLE_CHUNK_CHARS, TemplateError, USER_DATA_LIMIT_BYTES, UnsafeValueError, UserDataTooLargeError, checkUserDataSize, hostPackages,
  packHostBundle, renderCloudConfig, renderHost, renderHostFiles, renderTemplateText, renderUserData, unpackHostBundle,
} from "../../infra/core/host";
import { REPORTS_READER_PATH } from "../../infra/core/host/files";
import { CONFIGS_DIR } from "../../infra/core/host/template";
import { drillUserData } from "../../restore/drill-user-data";
import { recoverParameters } from "../../restore/recover-commands";
import { STACKS, bigStack, loadStack } from "./stacks";

const fileOf = (cfg: MailConfig, path: string): string => {
  const f = renderHostFiles(cfg).find((x) => x.path === path);
  if (!f) throw new Error(`no rendered file ${path}`);
  return f.content;
};

describe("strict templates", () => {
  it("throws on a variable the view does not define, naming the template", () => {
    expect(() => renderTemplateText("postfix/main.cf", "myhostname = {{hostnme}}\n", { hostname: "mx.example.com" }))
      .toThrow(TemplateError);
    expect(() => renderTemplateText("x.conf", "{{limits.noSuchLimit}}", { limits: { messageSizeMb: 1 } })).toThrow(/configs\/x\.conf/);
  });

  it("refuses output that still holds a placeholder", () => {
    expect(() => renderTemplateText("x.conf", "a = \\{{literal}}\n", {})).toThrow(/placeholder was not filled/);
  });

  it.each(STACKS)("stack %s: every file renders with no '{{' or '}}' left", (stack) => {
    const files = renderHostFiles(loadStack(stack));
    expect(files.length).toBeGreaterThan(30);
    for (const f of files) {
      // The report reader is minified JavaScript shipped verbatim, never through the template engine.
      if (f.path !== REPORTS_READER_PATH) expect(f.content, f.path).not.toMatch(/\{\{|\}\}/);
      expect(f.path).toMatch(/^\/[A-Za-z0-9/._-]+$/);
      expect(f.mode).toMatch(/^0[0-7]{3}$/);
    }
  });

  it("every template in configs/ is used, and none is left unrendered", () => {
    const all = (dir: string): string[] => readdirSync(dir).flatMap((n) => {
      const p = join(dir, n);
      return statSync(p).isDirectory() ? all(p) : [relative(CONFIGS_DIR, p)];
    });
    const headers = renderHostFiles(bigStack()).map((f) => /rendered from configs\/(\S+);/.exec(f.content)?.[1]).filter(Boolean);
    // Two scripts reach a host another way, whole: the restore's recovery through SSM, and the
    // drill's throwaway instance in its own user data.
    const recovery = recoverParameters({ region: "eu-west-1", instanceId: "i-0123456789abcdef0", previousVolumeId: "vol-0123456789abcdef0", since: "2026-01-01T00:00:00Z" }).commands.join("\n");
    const sentByRestore = ["bin/mailfort-recover", "bin/mailfort-mailcount"].filter((t) => {
      const script = readFileSync(join(CONFIGS_DIR, t), "utf8");
      return recovery.includes(script.trimEnd()) || (load(drillUserData().replace(/^#cloud-config\n/, "")) as { write_files: Array<{ content: string }> }).write_files.some((f) => f.content === script);
    });
    expect(sentByRestore).toEqual(["bin/mailfort-recover", "bin/mailfort-mailcount"]);
    // The report reader is shipped byte for byte (a generated file has no "rendered from" header).
    const reader = renderHostFiles(bigStack()).filter((f) => f.path === REPORTS_READER_PATH && f.content === readFileSync(join(CONFIGS_DIR, "lib/mailfort-reports.cjs"), "utf8")).map(() => "lib/mailfort-reports.cjs");
    const used = new Set([...headers, ...sentByRestore, ...reader, "nginx/autoconfig.xml", "nginx/autodiscover.xml"]);
    expect(all(CONFIGS_DIR).filter((t) => !used.has(t))).toEqual([]);
  });
});

describe("injection: hostile values never reach a rendered file", () => {
  const lab = loadStack("lab");
  const hostile: Array<[string, MailConfig]> = [
    ["hostname with a newline and a new directive", { ...lab, hostname: "mail.mailfort.test\nrelayhost = [evil.example]" }],
    ["domain with a space", { ...lab, domains: [{ ...lab.domains[0], name: "mailfort.test reject" }, ...lab.domains.slice(1)] }],
    ["DNSBL filter that opens a block", { ...lab, antispam: { ...lab.antispam, dnsbls: [{ zone: "zen.spamhaus.org", weight: 3, filter: "127.0.0.2}" }] } }],
    ["fail2ban ignore IP that starts a jail", { ...lab, bruteForce: { ...lab.bruteForce, ignoreIps: ["192.0.2.1\n[sshd]\nenabled = true"] } }],
    ["ACME e-mail with a quote", { ...lab, tls: { ...lab.tls, acmeEmail: "a\"b@example.com" } }],
    ["shell expansion in the stack name", { ...lab, stack: "lab$(reboot)" }],
  ];

  it.each(hostile)("renderer refuses: %s", (_what, cfg) => {
    expect(() => renderHostFiles(cfg)).toThrow(UnsafeValueError);
    expect(() => renderUserData(cfg)).toThrow(UnsafeValueError);
  });

  it("the DKIM signing map (an SSM parameter the host syncs, not a rendered file) refuses a selector with a '#' or a newline", () => {
    for (const dkimSelector of ["mail#x", "mail\nevil.test evil"]) {
      expect(() => dkimSigningText({ ...lab, domains: [{ ...lab.domains[0], dkimSelector }, ...lab.domains.slice(1)] })).toThrow(UnsafeValueError);
    }
  });

  it("the config model refuses the same values first", () => {
    const text = `config:
  mailfort:region: eu-west-1
  mailfort:hostname: "mail.x.test\\nrelayhost = [evil]"
  mailfort:domains: [{ name: "x.test reject" }]
  mailfort:bruteForce: { ignoreIps: ["192.0.2.1\\n[sshd]"] }
`;
    expect(() => parseMailConfig(parseStackFile(text, "hostile.yaml"), "hostile")).toThrow(ConfigError);
  });
});

describe("cloud-init user data: the bootstrap only", () => {
  const BOOTSTRAP = ["/etc/mailfort/mailfort.env", "/usr/local/sbin/mailfort-host-files"];
  /** The limit the user data is held to, well under EC2's: what grows goes to the host bundle. */
  const BOOTSTRAP_BUDGET = 8192;

  it.each([...STACKS, "big", "max-domains"])(`stack %s: gzip user data within ${BOOTSTRAP_BUDGET} bytes`, (stack) => {
    // max-domains: as many domains as the config model allows (MAX_DOMAINS), with POP3 and IPv6 on.
    const cfg = stack === "big" ? bigStack() : stack === "max-domains" ? bigStack(MAX_DOMAINS) : loadStack(stack);
    const raw = Buffer.from(renderUserData(cfg), "base64");
    console.log(`user data ${stack}: ${raw.length} bytes raw (gzip), ${renderCloudConfig(cfg).length} bytes as text`);
    expect(raw.length).toBeLessThanOrEqual(BOOTSTRAP_BUDGET);
    expect(BOOTSTRAP_BUDGET).toBeLessThan(USER_DATA_LIMIT_BYTES);
    expect(gunzipSync(raw).toString("utf8")).toBe(renderCloudConfig(cfg));
  });

  it("does not grow with the domains: 1, 20 and 200 domains differ by a few bytes of compression", () => {
    const sizes = [1, 20, MAX_DOMAINS].map((n) => Buffer.from(renderUserData(bigStack(n)), "base64").length);
    expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThan(64);
    // ...while the host bundle, which does grow, holds every per-domain file.
    const big = renderHost(bigStack(MAX_DOMAINS));
    expect(big.bundle.files.filter((f) => f.path.startsWith("/var/www/mailfort/mta-sts/"))).toHaveLength(MAX_DOMAINS);
  });

  it("writes exactly the bootstrap; every other file travels in the host bundle the user data pins", () => {
    const cfg = loadStack("lab");
    const host = renderHost(cfg);
    const doc = load(renderCloudConfig(cfg)) as { write_files: Array<{ path: string; content: string }> };
    expect(doc.write_files.map((f) => f.path)).toEqual(BOOTSTRAP);
    expect(host.bundle.files.map((f) => f.path).filter((p) => BOOTSTRAP.includes(p))).toEqual([]);
    expect(renderHostFiles(cfg).map((f) => f.path)).toEqual([...BOOTSTRAP, ...host.bundle.files.map((f) => f.path)]);
    const env = doc.write_files.find((f) => f.path === "/etc/mailfort/mailfort.env")?.content ?? "";
    expect(env).toContain(`\nMAILFORT_HOST_BUNDLE_PARTS=${host.bundle.chunks.length}\nMAILFORT_HOST_BUNDLE_SHA256=${host.bundle.sha256}\n`);
    expect(createHash("sha256").update(host.bundle.json).digest("hex")).toBe(host.bundle.sha256);
  });

  it("a change to any host file changes the user data (so the instance is replaced)", () => {
    const lab = loadStack("lab");
    const changed = { ...lab, limits: { ...lab.limits, recipientsPerMessage: lab.limits.recipientsPerMessage + 1 } };
    expect(fileOf(changed, "/etc/postfix/main.cf")).not.toBe(fileOf(lab, "/etc/postfix/main.cf"));
    expect(renderUserData(changed)).not.toBe(renderUserData(lab));
  });

  it("mailboxes do not grow the user data or the bundle (they come from SSM)", () => {
    const big = bigStack();
    const fewer = { ...big, mailboxes: big.mailboxes.slice(0, 1), aliases: big.aliases.slice(0, 1) };
    expect(renderUserData(fewer)).toBe(renderUserData(big));
    expect(renderHost(fewer).bundle.chunks).toEqual(renderHost(big).bundle.chunks);
  });

  it("is deterministic, the gzip header included (no build machine's OS byte)", () => {
    expect(renderUserData(loadStack("prod"))).toBe(renderUserData(loadStack("prod")));
    expect(Buffer.from(renderUserData(loadStack("prod")), "base64")[9]).toBe(3);
    expect(Buffer.from(renderHost(loadStack("prod")).bundle.chunks.join(""), "base64")[9]).toBe(3);
  });

  it("an oversized user data is refused with the fix, never truncated", () => {
    expect(checkUserDataSize("x".repeat(USER_DATA_LIMIT_BYTES))).toBe(USER_DATA_LIMIT_BYTES);
    expect(() => checkUserDataSize("x".repeat(USER_DATA_LIMIT_BYTES + 1))).toThrow(UserDataTooLargeError);
    expect(() => checkUserDataSize(Buffer.alloc(20_000))).toThrow(/20000 bytes, over EC2's limit of 16384 .*Fix:.*host bundle/);
  });

  it("is a #cloud-config with packages, the bootstrap, and one command that installs the bundle and boots", () => {
    const cfg = loadStack("lab");
    const text = renderCloudConfig(cfg);
    expect(text.startsWith("#cloud-config\n")).toBe(true);
    const doc = load(text) as { packages: string[]; runcmd: string[][] };
    expect(doc.packages).toEqual(hostPackages(cfg));
    // Nothing starts unless the bundle installed: && keeps the start denial in place otherwise.
    expect(doc.runcmd).toEqual([["sh", "-c", "/usr/local/sbin/mailfort-host-files install && rm -f /usr/sbin/policy-rc.d && exec /usr/local/sbin/mailfort-boot"]]);
  });

  it("carries no secret, and neither does the bundle: no key, no password hash, no credential", () => {
    const stackText = parseStackFile(readFileSync(join(__dirname, "../../stacks/Pulumi.lab.yaml"), "utf8"), "lab");
    const hashes = Object.values(stackText.values).filter((v) => v.startsWith("{BLF-CRYPT}"));
    expect(hashes.length).toBeGreaterThan(0);
    for (const stack of STACKS) {
      for (const text of [renderCloudConfig(loadStack(stack)), renderHost(loadStack(stack)).bundle.json]) {
        expect(text).not.toMatch(/PRIVATE KEY|\$2[aby]\$\d\d\$[./A-Za-z0-9]{53}|\$argon2id\$v=\d+\$m=\d|AKIA[0-9A-Z]{16}/);
        for (const h of hashes) expect(text).not.toContain(h.slice(12));
      }
    }
  });
});

describe("host bundle: SSM parameters of the standard tier", () => {
  it.each([1, 20, MAX_DOMAINS])("%i domains: parts of at most 4096 characters that put the document back together", (n) => {
    const { bundle } = renderHost(bigStack(n));
    console.log(`host bundle, ${n} domain(s): ${bundle.files.length} files, ${bundle.json.length} bytes as JSON, ${bundle.chunks.length} parameters, ${bundle.chunks.join("").length} characters`);
    for (const c of bundle.chunks) expect(c.length).toBeLessThanOrEqual(HOST_BUNDLE_CHUNK_CHARS);
    const back = unpackHostBundle(bundle.chunks);
    expect(back.sha256).toBe(bundle.sha256);
    expect(back.files).toEqual(bundle.files);
  });

  it("refuses a file rendered twice", () => {
    const f = { path: "/etc/postfix/main.cf", mode: "0644", owner: "root:root", content: "x\n" };
    expect(() => packHostBundle([f, f])).toThrow(/main\.cf is rendered twice/);
  });

  it("the certificate names travel in the bundle, one a line, as the stack scopes ACME to them", () => {
    const cfg = loadStack("dev");
    expect(fileOf(cfg, "/etc/mailfort/certificate-names")).toBe(`${certificateNames(cfg).join("\n")}\n`);
  });
});

describe("settings follow the config", () => {
  const lab = loadStack("lab");

  it("limits and DNSBL weights reach Postfix", () => {
    const main = fileOf(lab, "/etc/postfix/main.cf");
    expect(main).toContain(`message_size_limit = ${10 * 1048576}\n`);
    expect(main).toContain("smtpd_recipient_limit = 20\n");
    expect(main).toContain(`smtpd_client_connection_rate_limit = ${lab.limits.connectionsPerMinute}\n`);
    expect(main).toContain("postscreen_dnsbl_sites = dnsbl.mailfort.test*3\n");
    expect(main).toContain("virtual_mailbox_domains = mailfort.test second.test\n");
    expect(main).not.toContain("parked.test");
    const prod = fileOf(loadStack("prod"), "/etc/postfix/main.cf");
    expect(prod).toMatch(/postscreen_dnsbl_sites = zen\.spamhaus\.org=127\.0\.0\.\[2\.\.11\]\*3 .*list\.dnswl\.org=127\.0\.\[0\.\.255\]\.\[1\.\.3\]\*-2\n/);
  });

  it("outbound: DANE direct by default, SES relay with verified TLS when chosen", () => {
    expect(fileOf(lab, "/etc/postfix/main.cf")).toMatch(/smtp_tls_security_level = dane\nsmtp_dns_support_level = dnssec\n/);
    const ses = fileOf({ ...lab, outbound: { mode: "ses", sesRegion: "eu-central-1" } }, "/etc/postfix/main.cf");
    expect(ses).toContain("relayhost = [email-smtp.eu-central-1.amazonaws.com]:587\n");
    expect(ses).toContain("smtp_tls_security_level = secure\n");
    expect(ses).not.toContain("= dane");
  });

  it("POP3 only when enabled: Dovecot listener, firewall port and package", () => {
    expect(fileOf(lab, "/etc/dovecot/dovecot.conf")).not.toContain("pop3");
    expect(fileOf(lab, "/etc/nftables.conf")).not.toContain("995");
    expect(hostPackages(lab)).not.toContain("dovecot-pop3d");
    const pop = { ...lab, features: { ...lab.features, pop3: true } };
    expect(fileOf(pop, "/etc/dovecot/dovecot.conf")).toMatch(/inet_listener pop3s \{\n\s+port = 995/);
    expect(fileOf(pop, "/etc/nftables.conf")).toContain("tcp dport { 25, 80, 443, 465, 587, 993, 995 }");
    expect(hostPackages(pop)).toContain("dovecot-pop3d");
  });

  it("brute force and greylisting settings reach fail2ban and Rspamd", () => {
    const cfg = { ...lab, bruteForce: { maxRetry: 3, findMinutes: 15, banMinutes: 120, ignoreIps: ["198.51.100.0/24"] }, antispam: { ...lab.antispam, greylisting: false } };
    const jail = fileOf(cfg, "/etc/fail2ban/jail.local");
    expect(jail).toContain("maxretry = 3\nfindtime = 15m\nbantime = 120m\n");
    expect(jail).toContain("ignoreip = 127.0.0.1/8 ::1 198.51.100.0/24\n");
    expect(fileOf(cfg, "/etc/rspamd/local.d/greylist.conf")).toContain("enabled = false;");
    expect(fileOf(lab, "/etc/rspamd/local.d/greylist.conf")).toContain("enabled = true;");
  });

  it("DKIM selectors (synced from SSM, not in the bundle) and the MTA-STS policy per mail domain; no SSH server installed", () => {
    expect(dkimSigningText(lab)).toBe('{"mailfort.test":"mail","second.test":"lab2026"}');
    expect(renderHostFiles(lab).map((f) => f.path)).not.toContain("/etc/rspamd/local.d/dkim_selectors.map");
    expect(fileOf(lab, "/var/www/mailfort/mta-sts/mta-sts.second.test.txt")).toContain("mode: testing\r\n");
    expect(hostPackages(lab)).not.toContain("openssh-server");
  });

  it("containment settings reach the detector's settings file, and it runs every minute", () => {
    expect(fileOf(lab, "/etc/mailfort/containment-settings")).toContain("MAILFORT_CONTAINMENT=yes\nMAILFORT_OUTBOUND_PER_HOUR=10\nMAILFORT_CONTAINMENT_LIMIT_FACTOR=2\nMAILFORT_CONTAINMENT_REJECTS_PER_HOUR=5\n");
    const off = { ...lab, containment: { enabled: false, limitFactor: 1.5, rejectsPerHour: 3 } };
    expect(fileOf(off, "/etc/mailfort/containment-settings")).toContain("MAILFORT_CONTAINMENT=no\nMAILFORT_OUTBOUND_PER_HOUR=10\nMAILFORT_CONTAINMENT_LIMIT_FACTOR=1.5\nMAILFORT_CONTAINMENT_REJECTS_PER_HOUR=3\n");
    expect(fileOf(lab, "/etc/systemd/system/mailfort-containment.timer")).toContain("OnCalendar=minutely");
    expect(fileOf(lab, "/etc/systemd/system/mailfort-containment.service")).toContain("ExecStart=/usr/local/sbin/mailfort-containment scan");
    expect(fileOf(lab, "/usr/local/sbin/mailfort-containment")).toMatch(/^#!\/usr\/bin\/python3\n/);
  });
});

describe("scripts", () => {
  const scripts = ["mailfort-boot", "mailfort-sync", "mailfort-cert", "mailfort-recover", "mailfort-mailcount"].map((s) => join(CONFIGS_DIR, "bin", s));
  const noShellcheck = spawnSync("sh", ["-c", "command -v shellcheck"]).status !== 0;
  if (noShellcheck && process.env.CI === "true") throw new Error("shellcheck is missing in CI (apt-get install shellcheck)");
  if (noShellcheck) console.warn("SKIPPING shellcheck: not installed (apt-get install shellcheck)");

  it.skipIf(noShellcheck)("are shellcheck-clean, as written and as they land on the host", () => {
    const r = spawnSync("shellcheck", ["--severity=style", ...scripts], { encoding: "utf8" });
    expect(r.stdout + r.stderr).toBe("");
    expect(r.status).toBe(0);
    for (const f of renderHostFiles(lab()).filter((x) => x.path.startsWith("/usr/local/sbin/") && x.content.startsWith("#!/usr/bin/env bash"))) {
      const landed = spawnSync("shellcheck", ["--severity=style", "-"], { input: f.content, encoding: "utf8" });
      expect(landed.stdout, f.path).toBe("");
    }
  });

  it("are strict bash", () => {
    for (const s of scripts) expect(readFileSync(s, "utf8")).toMatch(/^#!\/usr\/bin\/env bash\n(?:#.*\n)*set -E?euo pipefail\n/m);
  });
});

function lab(): MailConfig {
  return loadStack("lab");
}
