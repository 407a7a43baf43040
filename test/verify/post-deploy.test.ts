// The post-deploy runner (verify/post-deploy/, started by tools/post-deploy-verify.ts), run for
// real as the Command runs it, against a fake SMTP server on loopback: readiness wait, verify,
// summary. And the JSON it shares with the Pulumi program: the request the core writes is the
// one the runner reads, the summary the runner writes is the one the core reads.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { type Server, type Socket, createServer } from "node:net";
import { createServer as createTlsServer } from "node:tls";
import { randomInt } from "node:crypto";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, expectTypeOf, it } from "vitest";
import { VERIFY_AFTER_DEPLOY_GROUPS } from "../../infra/config/schema";
import {
  type VerificationSummary as CoreSummary, createCommand, mailboxEnvVar, notRunSummary, parseSummary, postDeployRequest,
} from "../../infra/core/post-deploy-verify";
import { selfSignedCertificate } from "../../infra/synth/certificates";
import { REPO_ROOT } from "../../infra/synth/in-process";
import { generateKeyPair } from "../../infra/synth/keys";
import { type CheckResult, GROUPS, type VerificationSummary, summarize } from "../../verify/contract";
import { type PostDeployRequest, readPostDeployRequest } from "../../verify/post-deploy/request";
import { PASSWORD, base, parse } from "../support/post-deploy";

describe("the JSON between the Pulumi program and the runner", () => {
  const records = [{ zone: "shop.example", name: "shop.example", type: "MX", ttl: 3600, values: ["10 mail.shop.example."], purpose: "MX" }];
  const cfg = parse(base({
    verifyAfterDeploy: { enabled: true, groups: ["client-relay", "client"], only: ["tls-"], resolvers: ["192.0.2.53"], mailboxes: [{ address: "owner@shop.example", passwordSecret: "owner-verify" }] },
    features: { pop3: true },
  }), { "owner-verify": PASSWORD });

  it("the request the core writes is read by the runner as it was meant", () => {
    const written = postDeployRequest(cfg, "203.0.113.10", records, "-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----\n");
    const read: PostDeployRequest = readPostDeployRequest(JSON.stringify(written));
    expect(read).toEqual(written);
    expect(read).toMatchObject({ groups: ["client", "client-relay"], pop3: true, only: ["tls-"], mailboxEnv: [mailboxEnvVar(1)] });
    expect(JSON.stringify(read)).not.toContain(PASSWORD);
  });

  it("every group the config allows after a deploy is one verify has", () => {
    for (const g of VERIFY_AFTER_DEPLOY_GROUPS) expect(GROUPS).toContain(g);
  });

  it("the runner names every missing or malformed field, and refuses what is not JSON", () => {
    expect(() => readPostDeployRequest("{}")).toThrow(/missing or malformed host, address, domains, groups, waitSeconds, onFailure, waitForTrustedTls, mailboxEnv, limits, maxRetry, pop3, resolvers, only, records$/);
    const good = postDeployRequest(cfg, "203.0.113.10", records);
    expect(() => readPostDeployRequest(JSON.stringify({ ...good, groups: ["client", "root-shell"], waitSeconds: -1 }))).toThrow(/malformed groups, waitSeconds$/);
    expect(() => readPostDeployRequest("verify, please")).toThrow(/not JSON/);
    expect(() => readPostDeployRequest("[]")).toThrow(/JSON object/);
  });

  it("the summary the runner writes is the one the core reads, field for field", () => {
    expectTypeOf<VerificationSummary>().toEqualTypeOf<CoreSummary>();
    const s = summarize({ host: "h.example", address: "192.0.2.1", groups: ["client"] }, [
      { id: "a", title: "A", status: "pass", detail: "ok", seconds: 1 },
      { id: "b", title: "B", status: "fail", detail: "line one\n  line two", seconds: 1 },
      { id: "c", title: "C", status: "skip", detail: "no mailbox", seconds: 0 },
    ], "2026-11-28T00:00:00.000Z");
    expect(s).toMatchObject({ passed: 1, failed: 1, skipped: 1, failing: [{ id: "b", detail: "line one line two" }] });
    expect(parseSummary(`noise\n${JSON.stringify(s)}\n`)).toEqual(s);
    expect(parseSummary(JSON.stringify(notRunSummary(postDeployRequest(cfg, "192.0.2.1", records))))).toMatchObject({ passed: 0, failed: 0, groups: ["client", "client-relay"] });
    expect(() => parseSummary("verify: 3 passed")).toThrow(/does not end in a JSON summary/);
    expect(() => parseSummary('{"passed": 1}')).toThrow(/lacks host/);
  });
});

// A loopback address of this run's own: engineers and CI jobs sharing a machine run this file at
// the same time, and each fake server needs port 25 on its address.
const FAKE_ADDRESS = `127.0.${100 + (process.pid % 100)}.${1 + randomInt(250)}`;
const FAKE = FAKE_ADDRESS.replace(/\./g, "\\.");
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

function sh(commandLine: string, stdin: string, env: NodeJS.ProcessEnv = {}, onStderr: (soFar: string) => void = () => undefined): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child: ChildProcess = spawn("/bin/sh", ["-c", commandLine], { cwd: REPO_ROOT, env: { ...process.env, ...env }, stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout?.on("data", (d: Buffer) => { stdout += d.toString(); });
    child.stderr?.on("data", (d: Buffer) => {
      stderr += d.toString();
      onStderr(stderr);
    });
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
  const request = (c: ReturnType<typeof parse>, address = FAKE_ADDRESS) => JSON.stringify(postDeployRequest(c, address, []));

  it.skipIf(!isRoot && !mustRun)("waits for the full greeting, runs verify, and prints a summary that matches verify's own results", async () => {
    const results = join(work, "results.json");
    // The server listens only once the runner has seen a probe refused, however slowly it starts.
    let started: Promise<Fake> | undefined;
    const { code, stdout, stderr } = await sh(`${createCommand()} --poll-seconds 1 --results ${results}`, request(cfg("fail")), {}, (soFar) => {
      if (started === undefined && soFar.includes(": not yet (")) started = fakeSmtp(0);
    });
    expect(started, `the runner ended before any refused probe: ${stderr}`).toBeDefined();
    const fake = await (started as Promise<Fake>);
    try {
      expect(stderr).toMatch(new RegExp(`SMTP greeting on ${FAKE}:25: not yet`));
      expect(stderr).toMatch(new RegExp(`SMTP greeting on ${FAKE}:25: ready after \\d+ s`));
      expect(stderr).not.toMatch(/trusted certificate/);
      expect(fake.greeted).toBeGreaterThanOrEqual(1);
      expect(fake.quits).toBeGreaterThanOrEqual(1);
      const lines = stdout.trim().split("\n");
      expect(lines, stderr).toHaveLength(1);
      const summary = parseSummary(stdout);
      const verified = JSON.parse(readFileSync(results, "utf8")) as CheckResult[];
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
      const { code, stdout, stderr } = await sh(createCommand(), request(cfg("report")));
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
      const key = await generateKeyPair("ECDSA", 2048, "P256");
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
      const req = postDeployRequest(selfSigned, FAKE_ADDRESS, [], issued.cert);
      expect(req.waitForTrustedTls).toBe(true);
      const { code, stdout, stderr } = await sh(`${createCommand()} --poll-seconds 1`, JSON.stringify(req));
      expect(stderr).toMatch(new RegExp(`trusted certificate for mail\\.shop\\.example on ${FAKE}:443: not yet \\(self[- ]signed certificate`));
      expect(stderr).toMatch(new RegExp(`trusted certificate for mail\\.shop\\.example on ${FAKE}:443: ready after [1-9]\\d* s`));
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
    const req = request(withMailbox);
    expect(`${createCommand()}${req}`).not.toContain(PASSWORD);
    const fake = await fakeSmtp(0);
    try {
      const { code, stdout, stderr } = await sh(createCommand(), req, { [mailboxEnvVar(1)]: `owner@shop.example:${PASSWORD}` });
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
    const quick = { ...postDeployRequest(cfg(onFailure), "127.0.0.87", []), waitSeconds: 2 };
    const { code, stdout, stderr } = await sh(`${createCommand()} --poll-seconds 1`, JSON.stringify(quick));
    expect(stderr).toMatch(/SMTP greeting on 127\.0\.0\.87:25: not ready before the deadline/);
    expect(stderr).not.toContain("verify --group");
    const summary = parseSummary(stdout);
    expect(summary).toMatchObject({ passed: 0, failed: 1, skipped: 0 });
    expect(summary.failing[0]?.id).toBe("deploy-ready-smtp");
    expect(summary.failing[0]?.detail).toMatch(/not ready before the deadline \(verifyAfterDeploy\.waitMinutes\); last: connect ECONNREFUSED 127\.0\.0\.87:25/);
    expect(code).toBe(onFailure === "fail" ? 1 : 0);
  }, 60_000);

  it("refuses a run without a request on stdin, naming what is missing", async () => {
    const { code, stdout, stderr } = await sh(createCommand(), JSON.stringify({ host: "mail.shop.example" }));
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).toMatch(/the post-deploy request has a missing or malformed address, domains, groups/);
  }, 60_000);
});
