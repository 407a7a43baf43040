// The opt-in post-deploy verify (mailfort:verifyAfterDeploy): its config, the one
// @pulumi/command local Command it adds under the offline synth (triggers, arguments, secrets,
// dependencies), and the runner that command starts, run for real against a fake SMTP server on
// loopback (readiness wait, verify, summary).
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { type Server, type Socket, createServer } from "node:net";
import { createServer as createTlsServer } from "node:tls";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type MailConfig, parseMailConfig, setStackSecret } from "../../infra/config";
import {
  RUNNER_SCRIPT, type VerificationSummary, type VerifyResult, createCommand, mailboxEnvVar, parseSummary, recordsDigest, summarize, verifyRun,
} from "../../infra/core/post-deploy-verify";
import { type SynthResult, runSynth } from "../../infra/synth";
import { selfSignedCertificate } from "../../infra/synth/certificates";
import { REPO_ROOT } from "../../infra/synth/in-process";
import { generateKeyPair } from "../../infra/synth/keys";
import { ofType, only } from "./helpers";
import { issuesOf } from "../support/config-issues";

const COMMAND = "command:local:Command";
const HASH = "{BLF-CRYPT}$2b$10$7F3KnM4AkwlVFTgLk3vc2OPrJRpagN5eg0Bge88bHeHcoU0v2ziBy";
const PASSWORD = "verify-Pa55word-never-in-plain-sight";
const PASSPHRASE = "post-deploy-verify-test";

type Cfg = Record<string, unknown>;

function base(extra: Cfg = {}): Cfg {
  return {
    region: "eu-west-1",
    environment: "staging",
    hostname: "mail.shop.example",
    domains: [{ name: "shop.example" }, { name: "parked.example", sendsMail: false }],
    mailboxes: [{ address: "owner@shop.example", passwordHashSecret: "owner-password" }],
    tls: { mode: "acme", acmeEmail: "ops@elsewhere.example.net" },
    ...extra,
  };
}

function parse(cfg: Cfg, secrets: Record<string, string> = {}, plain: string[] = []): MailConfig {
  const values: Record<string, string> = { "mailfort:owner-password": HASH };
  const secretKeys = new Set(["mailfort:owner-password"]);
  for (const [k, v] of Object.entries(cfg)) values[`mailfort:${k}`] = typeof v === "string" ? v : JSON.stringify(v);
  for (const [k, v] of Object.entries(secrets)) {
    values[`mailfort:${k}`] = v;
    if (!plain.includes(k)) secretKeys.add(`mailfort:${k}`);
  }
  return parseMailConfig({ values, secretKeys }, "pdv");
}


describe("mailfort:verifyAfterDeploy config", () => {
  it("is off by default, with the client group, 20 minutes of waiting and failing deploys on failure", () => {
    const v = parse(base()).verifyAfterDeploy;
    expect(v).toEqual({ enabled: false, groups: ["client"], only: [], waitMinutes: 20, onFailure: "fail", resolvers: [], mailboxes: [] });
  });

  it("refuses a group that would get the deployer banned or needs the lab, naming the field and the fix", () => {
    const issues = issuesOf(() => parse(base({ verifyAfterDeploy: { enabled: true, groups: ["client", "attacker"] } })));
    expect(issues).toHaveLength(1);
    expect(issues[0]?.path).toBe("mailfort:verifyAfterDeploy.groups[1]");
    expect(issues[0]?.problem).toContain('"attacker"');
    expect(issues[0]?.fix).toMatch(/use client .*client-relay/);
    expect(issues[0]?.fix).toContain("npm run lab");
  });

  it("refuses unknown keys, out-of-range waits and a bad onFailure, all at once", () => {
    const issues = issuesOf(() => parse(base({ verifyAfterDeploy: { enabled: true, waitMinutes: 0, onFailure: "ignore", group: "client" } })));
    const paths = issues.map((i) => i.path).sort();
    expect(paths).toEqual(["mailfort:verifyAfterDeploy.group", "mailfort:verifyAfterDeploy.onFailure", "mailfort:verifyAfterDeploy.waitMinutes"]);
    expect(issues.find((i) => i.path.endsWith("waitMinutes"))?.fix).toContain("between 1 and 120");
    expect(issues.find((i) => i.path.endsWith("onFailure"))?.problem).toContain('"report"');
  });

  it("needs its test mailbox to exist and its password to be a set, encrypted secret", () => {
    const v = (mailboxes: unknown[]) => base({ verifyAfterDeploy: { enabled: true, mailboxes } });
    const missing = issuesOf(() => parse(v([{ address: "nobody@shop.example", passwordSecret: "nobody-verify" }])));
    expect(missing.map((i) => i.path).sort()).toEqual(["mailfort:verifyAfterDeploy.mailboxes[0].address", "mailfort:verifyAfterDeploy.mailboxes[0].passwordSecret"]);
    expect(missing.find((i) => i.path.endsWith("passwordSecret"))?.fix).toBe("pulumi config set --secret mailfort:nobody-verify '<the mailbox password>'");
    const plain = issuesOf(() => parse(v([{ address: "owner@shop.example", passwordSecret: "owner-verify" }]), { "owner-verify": PASSWORD }, ["owner-verify"]));
    expect(plain).toEqual([expect.objectContaining({ path: "mailfort:owner-verify", problem: expect.stringContaining("plain text") })]);
    expect(plain[0]?.problem).not.toContain(PASSWORD);
    const good = parse(v([{ address: "owner@shop.example", passwordSecret: "owner-verify" }]), { "owner-verify": PASSWORD });
    expect(good.verifyAfterDeploy.mailboxes).toEqual([{ address: "owner@shop.example", passwordSecret: "owner-verify" }]);
  });

  it("does not check the mailboxes of a disabled block (nothing would use them)", () => {
    const cfg = parse(base({ verifyAfterDeploy: { enabled: false, mailboxes: [{ address: "nobody@shop.example", passwordSecret: "unset" }] } }));
    expect(cfg.verifyAfterDeploy.enabled).toBe(false);
  });
});

describe("the record digest that re-runs verify", () => {
  const records = [{ zone: "shop.example", name: "shop.example", type: "MX", ttl: 3600, values: ["10 mail.shop.example."] }];
  it("changes when a record changes and ignores key order", () => {
    const digest = recordsDigest(records);
    expect(digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(recordsDigest([{ ...records[0], values: ["20 mail.shop.example."] }])).not.toBe(digest);
    expect(recordsDigest([...records, { ...records[0], type: "A", values: ["203.0.113.10"] }])).not.toBe(digest);
    expect(recordsDigest([{ values: ["10 mail.shop.example."], ttl: 3600, type: "MX", name: "shop.example", zone: "shop.example" }])).toBe(digest);
  });
});

const ENABLED_STACK = setStackSecret(`
config:
  mailfort:region: eu-west-1
  mailfort:environment: staging
  mailfort:hostname: mail.shop.example
  mailfort:domains:
    - name: shop.example
    - name: brand.example
    - name: parked.example
      sendsMail: false
  mailfort:mailboxes:
    - address: owner@shop.example
      passwordHashSecret: owner-password
  mailfort:tls:
    mode: acme
    acmeEmail: ops@elsewhere.example.net
  mailfort:verifyAfterDeploy:
    enabled: true
    groups: [client-relay, client]
    waitMinutes: 5
    onFailure: report
    resolvers: [192.0.2.53]
    mailboxes:
      - address: owner@shop.example
        passwordSecret: owner-verify
`, PASSPHRASE, "mailfort:owner-password", HASH);
const ENABLED = setStackSecret(ENABLED_STACK, PASSPHRASE, "mailfort:owner-verify", PASSWORD);

describe("under the offline synth", () => {
  let off: SynthResult;
  let on: SynthResult;
  beforeAll(async () => {
    off = await runSynth("dev", { passphrase: "" });
    on = await runSynth("pdvstaging", { configText: ENABLED, passphrase: PASSPHRASE });
  }, 240_000);

  it("adds nothing by default: no Command, no verification output", () => {
    expect(off.config.verifyAfterDeploy.enabled).toBe(false);
    expect(ofType(off, COMMAND)).toHaveLength(0);
    expect(off.resources.filter((r) => r.type.includes("PostDeployVerify"))).toHaveLength(0);
    expect(off.outputs).not.toHaveProperty("verification");
  });

  it("adds exactly one local Command, re-run by the instance id and the record digest", () => {
    expect(on.opaqueSecrets).toEqual([]);
    const cmd = only(on, COMMAND);
    expect(cmd.inputs.triggers).toEqual([on.outputs.instanceId, recordsDigest(on.records)]);
    expect(String(on.outputs.instanceId)).toMatch(/^i-0/);
    expect(cmd.options?.replaceOnChanges).toContain("triggers[*]");
    expect(cmd.inputs.addPreviousOutputInEnv).toBe(false);
    // The records it checks are the very set Route53 gets.
    const stdin = JSON.parse(String(cmd.inputs.stdin)) as { records: unknown[]; caPem?: string };
    expect(stdin.records).toEqual(on.records);
    expect(stdin.caPem).toBeUndefined();
  });

  it("runs the runner from the checkout with host, mail domains, address, groups and the stack's limits", () => {
    const create = String(only(on, COMMAND).inputs.create);
    expect(create).toContain(`exec node_modules/.bin/tsx ${RUNNER_SCRIPT} `);
    expect(create).toContain("--host mail.shop.example");
    expect(create).toContain(`--address ${String(on.outputs.ipv4)}`);
    expect(create).toContain("--domain shop.example --domain brand.example");
    expect(create).not.toContain("parked.example");
    // client-relay bans the runner: whatever the order in the stack, it runs last.
    expect(create).toContain("--group client --group client-relay");
    expect(create).toContain("--wait-seconds 300 --on-failure report --wait-for-trusted-tls");
    expect(create).toContain(`--mailbox-env ${mailboxEnvVar(1)}`);
    expect(create).toContain(`-- --max-size-mb ${on.config.limits.messageSizeMb} --max-recipients ${on.config.limits.recipientsPerMessage} --max-retry ${on.config.bruteForce.maxRetry} --resolver 192.0.2.53`);
  });

  it("keeps the test mailbox password a secret: only in the environment, marked secret, never in plain text", () => {
    const cmd = only(on, COMMAND);
    expect(cmd.secretPaths ?? []).toEqual(expect.arrayContaining([expect.stringMatching(/^environment(\.MAILFORT_VERIFY_MAILBOX_1)?$/)]));
    expect(JSON.stringify(cmd.inputs.environment)).toContain("[secret]");
    // runSynth returns the public view: the password must be nowhere in it.
    expect(JSON.stringify(on)).not.toContain(PASSWORD);
    expect(JSON.stringify(on)).not.toContain("Pa55word");
  });

  it("waits for the whole server: every DNS record, the PTR and the address association", () => {
    const deps = new Set(only(on, COMMAND).options?.dependencies ?? []);
    const needed = on.resources.filter((r) => ["aws:route53/record:Record", "aws:ec2/eipDomainName:EipDomainName", "aws:ec2/eipAssociation:EipAssociation", "aws:ec2/instance:Instance"].includes(r.type));
    expect(needed.length).toBeGreaterThan(10);
    for (const r of needed) expect(deps.has(r.urn ?? ""), `${r.type} ${r.name}`).toBe(true);
  });

  it("exports the summary as the verification output (the mocks never run the command)", () => {
    const v = parseSummary(JSON.stringify(on.outputs.verification));
    expect(v).toMatchObject({ host: "mail.shop.example", address: on.outputs.ipv4, groups: ["client", "client-relay"], passed: 0, failed: 0 });
    expect(v.finishedAt).toContain("not run");
  });
});

// ---- the runner, for real, against a fake SMTP server on loopback ----

const FAKE_ADDRESS = "127.0.0.86";
const isRoot = process.getuid?.() === 0;
const mustRun = process.env.CI === "true";
if (!isRoot && !mustRun) console.warn("post-deploy-verify runner tests skipped: binding the fake SMTP server to port 25 needs root");

interface Fake { server: Server; connections: number; greeted: number; quits: number }

/** Listens after `delayMs`; greets in two lines like postscreen's pregreet test, answers a little SMTP. */
function fakeSmtp(delayMs: number): Promise<Fake> {
  const fake: Fake = { server: createServer(), connections: 0, greeted: 0, quits: 0 };
  fake.server.on("connection", (s: Socket) => {
    fake.connections++;
    s.on("error", () => undefined);
    s.write("220-mail.shop.example pregreet\r\n");
    const later = setTimeout(() => {
      fake.greeted++;
      s.write("220 mail.shop.example ESMTP fake\r\n");
    }, 400);
    let buf = "";
    s.on("data", (d: Buffer) => {
      buf += d.toString("latin1");
      let i: number;
      while ((i = buf.indexOf("\r\n")) >= 0) {
        const line = buf.slice(0, i).toUpperCase();
        buf = buf.slice(i + 2);
        if (line.startsWith("QUIT")) {
          fake.quits++;
          s.end("221 2.0.0 bye\r\n");
        } else if (line.startsWith("EHLO")) s.write("250-mail.shop.example\r\n250 SIZE 26214400\r\n");
        else s.write("502 5.5.2 not implemented\r\n");
      }
    });
    s.on("close", () => clearTimeout(later));
  });
  return new Promise((resolve, reject) => {
    setTimeout(() => {
      fake.server.once("error", reject);
      fake.server.listen(25, FAKE_ADDRESS, () => resolve(fake));
    }, delayMs);
  });
}

function sh(commandLine: string, stdin: string, env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child: ChildProcess = spawn("/bin/sh", ["-c", commandLine], { cwd: REPO_ROOT, env: { ...process.env, ...env }, stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout?.on("data", (d: Buffer) => { stdout += d.toString(); });
    child.stderr?.on("data", (d: Buffer) => { stderr += d.toString(); });
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin?.end(stdin);
  });
}

describe("the runner the Command starts", () => {
  const work = mkdtempSync(join(tmpdir(), "mailfort-pdv-test-"));
  afterAll(() => rmSync(work, { recursive: true, force: true }));
  // acme-staging: no wait for a trusted certificate (the fake has no HTTPS).
  const cfg = (onFailure: "fail" | "report") => parse(base({
    tls: { mode: "acme-staging", acmeEmail: "ops@elsewhere.example.net" },
    verifyAfterDeploy: { enabled: true, waitMinutes: 1, onFailure, only: ["auth-port25", "auth-plaintext", "tls-25-cert"] },
  }));

  it.skipIf(!isRoot && !mustRun)("waits for the full greeting, runs verify, and prints a summary that matches verify's own results", async () => {
    const create = createCommand(verifyRun(cfg("fail"), FAKE_ADDRESS));
    expect(create).not.toContain("--wait-for-trusted-tls");
    const results = join(work, "results.json");
    // Start the command before the server listens: the first probes are refused.
    const running = sh(create.replace(" --on-failure", ` --results ${results} --on-failure`), JSON.stringify({ records: [] }));
    const fake = await fakeSmtp(1500);
    try {
      const { code, stdout, stderr } = await running;
      expect(stderr).toMatch(/SMTP greeting on 127\.0\.0\.86:25: not yet/);
      expect(stderr).toMatch(/SMTP greeting on 127\.0\.0\.86:25: ready after \d+ s/);
      expect(fake.greeted).toBeGreaterThanOrEqual(1);
      expect(fake.quits).toBeGreaterThanOrEqual(1);
      const lines = stdout.trim().split("\n");
      expect(lines, stderr).toHaveLength(1);
      const summary = parseSummary(stdout);
      const verified = JSON.parse(readFileSync(results, "utf8")) as VerifyResult[];
      // The readiness wait is reported first, like a check; then only the selected checks ran.
      expect(verified[0]).toMatchObject({ id: "deploy-ready-smtp", status: "pass" });
      const checks = verified.slice(1);
      expect(checks.length).toBeGreaterThanOrEqual(3);
      for (const r of checks) expect(["auth-port25", "auth-plaintext", "tls-25-cert"].some((p) => r.id.startsWith(p)), r.id).toBe(true);
      const expected: VerificationSummary = summarize({ host: "mail.shop.example", address: FAKE_ADDRESS, groups: ["client"] }, verified, summary.finishedAt);
      expect(summary).toEqual(expected);
      expect(summary.passed + summary.failed + summary.skipped).toBe(verified.length);
      expect(Number.isNaN(Date.parse(summary.finishedAt))).toBe(false);
      // onFailure fail: a failing check fails the command (and so `pulumi up`).
      expect(code, stderr).toBe(summary.failed > 0 ? 1 : 0);
    } finally {
      await new Promise((r) => fake.server.close(r));
    }
  }, 180_000);

  it.skipIf(!isRoot && !mustRun)("with onFailure report, exits 0 whatever verify found", async () => {
    const fake = await fakeSmtp(0);
    try {
      const { code, stdout, stderr } = await sh(createCommand(verifyRun(cfg("report"), FAKE_ADDRESS)), JSON.stringify({ records: [] }));
      expect(code, stderr).toBe(0);
      const summary = parseSummary(stdout);
      expect(summary.passed + summary.failed + summary.skipped).toBeGreaterThanOrEqual(3);
      expect(summary.failing.map((f) => f.id)).toHaveLength(summary.failed);
    } finally {
      await new Promise((r) => fake.server.close(r));
    }
  }, 180_000);

  it.skipIf(!isRoot && !mustRun)("waits until HTTPS presents a certificate that verifies (ACME replaces the boot-time stand-in)", async () => {
    const cert = async () => {
      const key = generateKeyPair("ECDSA", 2048, "P256");
      const c = await selfSignedCertificate({ privateKeyPem: key.privateKeyPem, subject: { commonName: "mail.shop.example" }, dnsNames: ["mail.shop.example"], isCaCertificate: true, validityPeriodHours: 24, allowedUses: ["digital_signature", "server_auth", "cert_signing"] });
      return { key: key.privateKeyPem, cert: c.certPem };
    };
    const standIn = await cert();
    const issued = await cert();
    const https = createTlsServer(standIn, (s) => s.end());
    // The first client to refuse the stand-in "triggers ACME": from then on the issued certificate is served.
    let refusals = 0;
    https.on("tlsClientError", () => {
      if (refusals++ === 0) https.setSecureContext(issued);
    });
    await new Promise<void>((r) => https.listen(443, FAKE_ADDRESS, r));
    const fake = await fakeSmtp(0);
    try {
      const selfSigned = parse(base({ tls: { mode: "self-signed" }, verifyAfterDeploy: { enabled: true, waitMinutes: 1, onFailure: "report", only: ["auth-port25"] } }));
      const create = createCommand(verifyRun(selfSigned, FAKE_ADDRESS)).replace("--wait-seconds 60", "--wait-seconds 60 --poll-seconds 1");
      expect(create).toContain("--wait-for-trusted-tls");
      const { code, stdout, stderr } = await sh(create, JSON.stringify({ records: [], caPem: issued.cert }));
      expect(stderr).toMatch(/trusted certificate for mail\.shop\.example on 127\.0\.0\.86:443: not yet \(self[- ]signed certificate/);
      expect(stderr).toMatch(/trusted certificate for mail\.shop\.example on 127\.0\.0\.86:443: ready after [1-9]\d* s/);
      expect(refusals).toBeGreaterThanOrEqual(1);
      expect(code, stderr).toBe(0);
      expect(parseSummary(stdout).groups).toEqual(["client"]);
    } finally {
      await new Promise((r) => https.close(r));
      await new Promise((r) => fake.server.close(r));
    }
  }, 180_000);

  it.skipIf(!isRoot && !mustRun)("hands a test mailbox to verify only through the environment, and never prints its password", async () => {
    const help = await sh("exec node_modules/.bin/tsx tools/verify.ts --help", "");
    expect(help.stdout).toContain("--mailbox-env");
    const withMailbox = parse(base({ tls: { mode: "acme-staging", acmeEmail: "ops@elsewhere.example.net" }, verifyAfterDeploy: {
      enabled: true, waitMinutes: 1, onFailure: "report", only: ["auth-port25", "auth-wrong-password-smtp"],
      mailboxes: [{ address: "owner@shop.example", passwordSecret: "owner-verify" }],
    } }), { "owner-verify": PASSWORD });
    const create = createCommand(verifyRun(withMailbox, FAKE_ADDRESS));
    expect(create).not.toContain(PASSWORD);
    const fake = await fakeSmtp(0);
    try {
      const { code, stdout, stderr } = await sh(create, JSON.stringify({ records: [] }), { [mailboxEnvVar(1)]: `owner@shop.example:${PASSWORD}` });
      expect(`${stdout}${stderr}`).not.toContain(PASSWORD);
      expect(code, stderr).toBe(0);
      const summary = parseSummary(stdout);
      expect(summary.groups).toEqual(["client"]);
      // The mailbox reached verify: the password check ran (and failed fast: the fake has no 587).
      expect(summary.failing.map((f) => f.id)).toContain("auth-wrong-password-smtp");
    } finally {
      await new Promise((r) => fake.server.close(r));
    }
  }, 180_000);

  it.each(["fail", "report"] as const)("gives up when the server never greets, and reports it as a failed check (onFailure %s)", async (onFailure) => {
    const args = ["--host", "mail.shop.example", "--address", "127.0.0.87", "--domain", "shop.example", "--wait-seconds", "2", "--poll-seconds", "1", "--on-failure", onFailure];
    const { code, stdout, stderr } = await sh(`exec node_modules/.bin/tsx ${RUNNER_SCRIPT} ${args.join(" ")}`, JSON.stringify({ records: [] }));
    expect(stderr).toMatch(/SMTP greeting on 127\.0\.0\.87:25: not ready before the deadline/);
    expect(stderr).not.toContain("verify --group");
    const summary = parseSummary(stdout);
    expect(summary).toMatchObject({ passed: 0, failed: 1, skipped: 0 });
    expect(summary.failing[0]?.id).toBe("deploy-ready-smtp");
    expect(summary.failing[0]?.detail).toMatch(/not ready before the deadline \(--wait-seconds\); last: connect ECONNREFUSED 127\.0\.0\.87:25/);
    expect(code).toBe(onFailure === "fail" ? 1 : 0);
  }, 60_000);

  it("refuses a run without the record set on stdin", async () => {
    const { code, stderr } = await sh(`exec node_modules/.bin/tsx ${RUNNER_SCRIPT} --host mail.shop.example --address 127.0.0.87 --domain shop.example`, "{}");
    expect(code).toBe(2);
    expect(stderr).toContain('stdin must be JSON {"records"');
  }, 60_000);

  it("reads a summary back, and refuses output that is not one", () => {
    const s = summarize({ host: "h.example", address: "192.0.2.1", groups: ["client"] }, [
      { id: "a", title: "A", status: "pass", detail: "ok", seconds: 1 },
      { id: "b", title: "B", status: "fail", detail: "line one\n  line two", seconds: 1 },
      { id: "c", title: "C", status: "skip", detail: "no mailbox", seconds: 0 },
    ], "2026-11-28T00:00:00.000Z");
    expect(s).toMatchObject({ passed: 1, failed: 1, skipped: 1, failing: [{ id: "b", detail: "line one line two" }] });
    expect(parseSummary(`noise\n${JSON.stringify(s)}\n`)).toEqual(s);
    expect(() => parseSummary("verify: 3 passed")).toThrow(/does not end in a JSON summary/);
    expect(() => parseSummary('{"passed": 1}')).toThrow(/lacks host/);
  });
});
