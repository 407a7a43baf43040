// The lab's AWS checks judged on evidence made here, good and broken: each passes only on the
// evidence of the path really taken, and fails, naming why, when a piece of it is missing.
import { X509Certificate, createPublicKey } from "node:crypto";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { certificateNames } from "../../infra/core/certificate-names";
import { acmeCertificate } from "../../lab/aws/checks/certificate";
import { alarmsHealthy, metricsPublished } from "../../lab/aws/checks/metrics";
import { type UnitState, forcedRunRenewed, renewalKeepsKey } from "../../lab/aws/checks/renewal";
import { secretsViaSsm } from "../../lab/aws/checks/secrets";
import { type ServedCert, tlsa311 } from "../../lab/aws/checks/served-cert";
import type { ImdsEntry, RequestLogCall } from "../../lab/aws/logs";
import type { PlannedAlarm } from "../../lab/aws/plan";
import { loadStack } from "../host/stacks";

const KEY = "ASIAHOSTROLE";
const PATH = "/mailfort/lab";
const PARAMS = [`${PATH}/tls/key`, `${PATH}/dkim/mailfort.test/mail`];
const imds: ImdsEntry[] = [
  { time: 1, source: "10.77.0.10", method: "PUT", path: "/latest/api/token", status: 200, token: false, hopLimit: 1 },
  { time: 2, source: "10.77.0.10", method: "GET", path: "/latest/meta-data/iam/security-credentials/mailfort-lab-role", status: 200, token: true, credentials: KEY, role: "mailfort-lab-role" },
];
const call = (over: Partial<RequestLogCall> = {}): RequestLogCall => ({
  time: 3, source: "10.77.0.10", service: "ssm", region: "eu-west-1", accessKeyId: KEY, action: "GetParametersByPath",
  params: { Path: PATH, Recursive: true, WithDecryption: true }, status: 200, sessionToken: true,
  returned: PARAMS.map((name) => ({ name, type: "SecureString" })), ...over,
});
const secrets = (over: { calls?: RequestLogCall[]; imds?: ImdsEntry[]; secretsDisk?: boolean } = {}) =>
  secretsViaSsm({ calls: over.calls ?? [call()], imds: over.imds ?? imds, keys: new Set([KEY]), parameters: PARAMS, path: PATH, secretsDisk: over.secretsDisk ?? false });

describe("aws-secrets-ssm", () => {
  it("passes on an IMDSv2 token, the role's credentials and the whole tree from GetParametersByPath", () => {
    expect(secrets()).toMatchObject({ status: "pass" });
  });
  it("fails, naming why, for each missing piece of that path", () => {
    expect(secrets({ secretsDisk: true }).detail).toMatch(/MFSECRETS disk was attached/);
    expect(secrets({ imds: imds.slice(1) }).detail).toMatch(/no IMDSv2 session token/);
    expect(secrets({ imds: [imds[0]!, { ...imds[1]!, token: false }] }).detail).toMatch(/not handed out by IMDS to a token-holding request/);
    expect(secrets({ calls: [] }).detail).toMatch(/no GetParametersByPath call/);
    expect(secrets({ calls: [call({ accessKeyId: "AKIALABSETUP" })] }).detail).toMatch(/no GetParametersByPath call/);
    expect(secrets({ calls: [call({ status: 400, error: "AccessDeniedException", returned: [] })] }).detail).toMatch(/-> HTTP 400 AccessDeniedException/);
    expect(secrets({ calls: [call({ params: { Path: PATH, Recursive: true, WithDecryption: false } })] }).detail).toMatch(/expected Path \/mailfort\/lab, recursive, decrypted/);
    expect(secrets({ calls: [call({ returned: [{ name: PARAMS[0]!, type: "SecureString" }] })] }).detail).toMatch(/1 of 2 parameters never returned/);
    for (const r of [secrets({ secretsDisk: true }), secrets({ calls: [] })]) expect(r.status).toBe("fail");
  });
});

const alarm: PlannedAlarm = {
  name: "disk-root", namespace: "mailfort/lab", metricName: "disk_used_percent", dimensions: { InstanceId: "i-synth", path: "/" },
  statistic: "Maximum", period: 60, evaluationPeriods: 5, datapointsToAlarm: 5, threshold: 80, comparisonOperator: "GreaterThanThreshold", treatMissingData: "missing",
};
const metric = (dims: Record<string, string>, namespace = alarm.namespace) => ({ Namespace: namespace, MetricName: alarm.metricName, Dimensions: Object.entries(dims).map(([Name, Value]) => ({ Name, Value })) });

describe("aws-metrics-published and aws-alarms-healthy", () => {
  it("a metric counts for its alarm only with the running instance's id and exactly the alarm's dimensions", () => {
    expect(metricsPublished([alarm], [metric({ InstanceId: "i-0run", path: "/" })], "i-synth", "i-0run").status).toBe("pass");
    const wrong = metricsPublished([alarm], [metric({ InstanceId: "i-0run", Path: "/" }), metric({ InstanceId: "i-0run", path: "/" }, "CWAgent")], "i-synth", "i-0run");
    expect(wrong).toMatchObject({ status: "fail" });
    expect(wrong.detail).toMatch(/disk-root: no .* \(arrived with other dimensions: \{InstanceId=i-0run,Path=\/\}\)/);
    expect(metricsPublished([alarm], [metric({ InstanceId: "i-synth", path: "/" })], "i-synth", "i-0run").status).toBe("fail");
  });
  it("no alarm to judge is a failure, not a pass", () => {
    expect(metricsPublished([], [], "i-synth", "i-0run").status).toBe("fail");
    expect(alarmsHealthy([], 600).status).toBe("fail");
  });
  it("an alarm without data, or breaching, is not healthy", () => {
    const now = 1000 * 60 + 30;
    const points = (v: number) => [1, 2, 3, 4, 5].map((i) => ({ time: (1000 - i) * 60, value: v }));
    expect(alarmsHealthy([{ alarm, points: points(12) }], now).status).toBe("pass");
    expect(alarmsHealthy([{ alarm, points: points(95) }], now)).toMatchObject({ status: "fail", detail: expect.stringMatching(/^ALARM /) });
    expect(alarmsHealthy([{ alarm, points: [] }], now)).toMatchObject({ status: "fail", detail: expect.stringMatching(/^INSUFFICIENT_DATA /) });
  });
});

// A CA (playing pebble's root), the stack's key, and certificates for it made with openssl.
const dir = mkdtempSync(join(tmpdir(), "mailfort-checks-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const cfg = loadStack("lab");
const names = certificateNames(cfg);
const f = (n: string) => join(dir, n);
const ssl = (...args: string[]) => execFileSync("openssl", args, { stdio: ["ignore", "pipe", "pipe"] });
ssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", f("ca.key"), "-out", f("ca.pem"), "-days", "2", "-subj", "/CN=test ACME root",
  "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign");
ssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", f("stack.key"));
let serial = 0;
function leaf(sans: readonly string[], opts: { key?: string; ca?: string } = {}): X509Certificate {
  const n = ++serial;
  ssl("req", "-new", "-key", opts.key ?? f("stack.key"), "-out", f(`${n}.csr`), "-subj", `/CN=${sans[0]}`);
  writeFileSync(f(`${n}.ext`), `subjectAltName=${sans.map((s) => `DNS:${s}`).join(",")}\n`);
  const ca = opts.ca ?? "ca";
  ssl("x509", "-req", "-in", f(`${n}.csr`), "-CA", f(`${ca}.pem`), "-CAkey", f(`${ca}.key`), "-set_serial", String(1000 + n), "-days", "1", "-extfile", f(`${n}.ext`), "-out", f(`${n}.pem`));
  return new X509Certificate(readFileSync(f(`${n}.pem`)));
}
const rootPem = readFileSync(f("ca.pem"), "utf8");
const serve = (cert: X509Certificate, ports = [25, 465, 993]): ServedCert[] => ports.map((port) => ({ port, leaf: cert, chain: [cert] }));
const challenges = (action: string, which = names) => which.map((n) => ({ action, name: `_acme-challenge.${n}.`, type: "TXT" }));

describe("aws-cert-acme-dns01", () => {
  const good = leaf(names);
  const both = [...challenges("UPSERT"), ...challenges("DELETE")];
  it("passes when every port serves the CA's certificate for every name, each challenge published and removed", () => {
    expect(acmeCertificate(cfg, serve(good), rootPem, both)).toMatchObject({ status: "pass" });
  });
  it("fails on another CA's certificate, a missing name, a port without one, or a challenge the role never published or removed", () => {
    ssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", f("other.key"), "-out", f("other.pem"), "-days", "2", "-subj", "/CN=self-signed bootstrap");
    const fail = (served: ServedCert[], changes = both) => acmeCertificate(cfg, served, rootPem, changes);
    expect(fail(serve(leaf(names, { ca: "other" }))).detail).toMatch(/does not chain to the ACME CA's root/);
    expect(fail(serve(leaf(names.slice(0, 1)))).detail).toMatch(/does not cover/);
    expect(fail([...serve(good), { port: 443, chain: [], error: "no certificate" }]).detail).toMatch(/443: no certificate/);
    expect(fail(serve(good), challenges("DELETE")).detail).toMatch(/no Route53 UPSERT of the challenge TXT/);
    expect(fail(serve(good), challenges("UPSERT")).detail).toMatch(/challenge TXT never removed/);
    expect(fail(serve(good), [...challenges("UPSERT", names.slice(1)), ...challenges("DELETE")]).status).toBe("fail");
  });
});

describe("aws-cert-renewal-keeps-key", () => {
  const keyTlsa = tlsa311(createPublicKey(readFileSync(f("stack.key"))));
  const units = (pid: string) => new Map<string, UnitState>(["postfix", "dovecot", "nginx", "rspamd", "redis-server", "unbound", "fail2ban", "chrony"].map((u) => [u, { mainPid: pid, activeSince: "100" }]));
  const before = serve(leaf(names));
  const renewal = (after: ServedCert[], unitsAfter = units("42"), afterUnforced = before[2]!) =>
    renewalKeepsKey({ before, after, unitsBefore: units("42"), unitsAfter, rootPem, keyTlsa, hostOutput: "renewed", afterUnforced });
  it("passes on a new certificate for the same key, served everywhere, no daemon restarted", () => {
    expect(renewal(serve(leaf(names)))).toMatchObject({ status: "pass" });
  });
  it("fails when the old one is still served, the key changed, or a daemon was restarted", () => {
    expect(renewal(before).detail).toMatch(/still serves serial/);
    ssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", f("new.key"));
    expect(renewal(serve(leaf(names, { key: f("new.key") }))).detail).toMatch(/is not the stack key's/);
    const restarted = units("42");
    restarted.set("dovecot", { mainPid: "77", activeSince: "200" });
    expect(renewal(serve(leaf(names)), restarted).detail).toMatch(/dovecot was restarted/);
    expect(renewal(serve(leaf(names)), units("42"), serve(leaf(names), [993])[0]).detail).toMatch(/an unforced run renewed a certificate/);
  });
  it("knows a forced start that changed nothing (it joined a run under way) from one that renewed", () => {
    expect(forcedRunRenewed("serial=0A1B serial=0C2D\nmailfort-cert: installed a certificate valid until Mar  3 2027 GMT")).toBe(true);
    expect(forcedRunRenewed("serial=0A1B serial=0A1B\nmailfort-cert.service: Consumed 2.1s CPU time.")).toBe(false);
    expect(forcedRunRenewed("serial=0A1B\n")).toBe(false);
    expect(forcedRunRenewed("")).toBe(false);
    expect(forcedRunRenewed("Could not read certificate serial=0C2D")).toBe(false);
  });
  it("says when the forced renewal needed a second start, pass or fail", () => {
    const e = { before, unitsBefore: units("42"), unitsAfter: units("42"), rootPem, keyTlsa, hostOutput: "renewed", afterUnforced: before[2]!, firstForcedRun: "serial=0A1B serial=0A1B | Consumed 2.1s CPU time." };
    expect(renewalKeepsKey({ ...e, after: serve(leaf(names)) })).toMatchObject({ status: "pass", detail: expect.stringMatching(/started twice: the first forced start's run renewed nothing \(serial=0A1B/) });
    expect(renewalKeepsKey({ ...e, after: before })).toMatchObject({ status: "fail", detail: expect.stringMatching(/still serves serial.*started twice/) });
  });
});
