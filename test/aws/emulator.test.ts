// The lab's AWS emulator host for real: Debian 13's moto and the lab's glue in the read-only
// emulator root, in a network namespace of this test's own. A client from the same root plays
// the mail host (IMDSv2, then boto3 over TLS with the role's credentials); the request log it
// leaves is judged by the lab's IAM evaluator against the synthesized policies.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { synthInProcess } from "../../infra/synth";
import { makeEndpointCerts } from "../../lab/aws/certs";
import { runInRoot } from "../../lab/aws/chroot";
import { controlCall } from "../../lab/aws/control";
import { type RunningEmulator, startEmulator, stopEmulator } from "../../lab/aws/host";
import { emulatorPlan, type EmulatorPlan } from "../../lab/aws/plan";
import { emulatorRoot } from "../../lab/aws/root";
import { dnskeyPublicKey, ensureZoneKey } from "../../lab/dns/dnssec";
import type { NamedPolicy } from "../../lab/aws/iam/evaluate";
import { evaluate } from "../../lab/aws/iam/evaluate";
import { type LoggedCall, iamRequests } from "../../lab/aws/iam/requests";

const unavailable = process.getuid?.() !== 0 ? "not root (namespaces, chroot)" : spawnSync("sh", ["-c", "command -v debootstrap"]).status !== 0 ? "no debootstrap" : undefined;
if (unavailable && process.env.CI === "true") throw new Error(`emulator tests cannot run in CI: ${unavailable}`);
if (unavailable) console.warn(`SKIPPING the emulator tests: ${unavailable}`);

const NETNS = `mfaws-test-${process.pid}`;
const ADDRESS = "10.77.0.50";
const LAB = join(__dirname, "..", "..", "stacks", "Pulumi.lab.yaml");

let root = "";
let state = "";
let emu: RunningEmulator;
let plan: EmulatorPlan;
let ids: Record<string, string>;
let policies: NamedPolicy[];

beforeAll(async () => {
  if (unavailable) return;
  root = emulatorRoot();
  state = mkdtempSync(join(tmpdir(), "mfaws-"));
  spawnSync("ip", ["netns", "add", NETNS]);
  spawnSync("ip", ["-n", NETNS, "link", "set", "lo", "up"]);
  spawnSync("ip", ["-n", NETNS, "addr", "add", `${ADDRESS}/32`, "dev", "lo"]);
  const synth = await synthInProcess("lab", { configText: readFileSync(LAB, "utf8") });
  plan = emulatorPlan({ resources: synth.resources, values: new Map(synth.parameters.map((p) => [p.name, p.value])), addressMap: {} });
  const certs = makeEndpointCerts(join(state, "certs"), ["ssm.eu-west-1.amazonaws.com"], [ADDRESS]);
  emu = await startEmulator({ root, netns: NETNS, address: ADDRESS, region: "eu-west-1", stateDir: state, certs, nsdPidFile: join(state, "no-nsd.pid"), nameserver: "127.0.0.1", zoneSigningKey: ensureZoneKey(join(state, "zone-key.pem")) }, () => undefined);
  const applied = await controlCall<{ ids: Record<string, string>; awsManagedPolicies: Record<string, object> }>(emu.control, "POST", "/apply", plan);
  ids = applied.ids;
  await controlCall(emu.control, "POST", "/instance", { instanceId: "i-0123456789abcdef0", privateIp: "10.77.0.10" });
  policies = [
    ...plan.roles[0]!.inline.map((p) => ({ name: p.name, document: JSON.parse(p.document) })),
    ...plan.managedPolicies.map((p) => ({ name: p.name, document: JSON.parse(p.document) })),
    ...Object.entries(applied.awsManagedPolicies).map(([name, document]) => ({ name, document: document as NamedPolicy["document"] })),
  ];
}, 900_000);

afterAll(() => {
  if (unavailable) return;
  stopEmulator(state, NETNS, () => undefined);
  spawnSync("ip", ["netns", "del", NETNS]);
  rmSync(state, { recursive: true, force: true });
});

describe.skipIf(Boolean(unavailable))("the emulator host", () => {
  let out: Record<string, unknown>;
  beforeAll(() => {
    const zone = ids[plan.zones.find((z) => z.name === "mailfort.test")!.ref]!;
    const r = runInRoot({ root, netns: NETNS, stateDir: state, codeDir: join(__dirname, "probes"),
      argv: ["python3", "-B", "/opt/host_calls.py", `https://${ADDRESS}`, "/mnt/certs/ca.pem", zone] });
    expect(r.stderr).toBe("");
    out = JSON.parse(r.stdout) as Record<string, unknown>;
  }, 120_000);

  it("IMDSv2: refuses tokenless reads, tokens without a TTL and through a proxy; serves identity and role credentials", () => {
    expect(out).toMatchObject({ tokenless_get: 401, put_without_ttl: 400, put_via_proxy: 403, instance_id: "i-0123456789abcdef0", role: "mailfort-lab-role" });
    expect(out.identity).toMatchObject({ instanceId: "i-0123456789abcdef0", region: "eu-west-1", accountId: "123456789012" });
    expect(String(out.access_key)).toMatch(/^ASIA/);
    const imds = readFileSync(emu.imdsLog, "utf8").trim().split("\n").map((l) => JSON.parse(l) as { method: string; status: number; hopLimit?: number; credentials?: string });
    expect(imds.filter((e) => e.method === "PUT" && e.status === 200).map((e) => e.hopLimit)).toEqual([1]);
    expect(imds.some((e) => e.credentials === out.access_key)).toBe(true);
  });

  it("SSM over TLS with the role's credentials: the whole tree, and nothing the role may not do", () => {
    expect(out.parameters).toEqual(plan.parameters.map((p) => p.name).sort());
    // Moto answers a JSON-protocol denial in XML, so botocore sees only the status; the log has the text.
    expect(out.put_parameter).toBe(403);
  });

  it("exports Route53 after a change: the challenge TXT is in the zone file nsd reads", () => {
    expect(readFileSync(join(emu.zonesDir, "mailfort.test.zone"), "utf8")).toMatch(/^_acme-challenge\.mail\.mailfort\.test\. 60 IN TXT "probe-token"$/m);
  });

  it("logs every call with who made it; the evaluator allows the host's calls under the synthesized policies", () => {
    const calls = readFileSync(emu.requestLog, "utf8").trim().split("\n").map((l) => JSON.parse(l) as LoggedCall);
    const mine = calls.filter((c) => c.accessKeyId === out.access_key);
    // The whole tree (the host bundle's parts too), 10 parameters a page of GetParametersByPath. A
    // full last page still carries a NextToken (as on AWS), so an exact multiple of 10 costs one
    // more, empty, page.
    const pages = Math.ceil((plan.parameters.length + 1) / 10);
    expect(pages).toBeGreaterThan(1);
    expect(mine.map((c) => `${c.action} ${c.status}`)).toEqual([...Array.from({ length: pages }, () => "GetParametersByPath 200"), "PutParameter 403", "ChangeResourceRecordSets 200", "PutMetricData 200"]);
    expect(JSON.stringify(mine[pages])).toMatch(/AccessDenied.*not authorized to perform: ssm:PutParameter/);
    const toSynthId = Object.fromEntries(Object.entries(ids).map(([synth, real]) => [real, synth]));
    const parameterKeys = Object.fromEntries(plan.parameters.filter((p) => p.keyRef).map((p) => [p.name, p.keyRef!]));
    const view = { partition: "aws", account: "123456789012", toSynthId, parameterKeys };
    const judged = mine.filter((c) => c.status < 400).flatMap((c) => iamRequests(c, view)).map((r) => [r.action, evaluate(policies, r).allowed]);
    expect(judged).toContainEqual(["ssm:GetParametersByPath", true]);
    expect(judged).toContainEqual(["kms:Decrypt", true]);
    expect(judged).toContainEqual(["route53:ChangeResourceRecordSets", true]);
    expect(judged).toContainEqual(["cloudwatch:PutMetricData", true]);
    expect(judged.filter(([, allowed]) => !allowed)).toEqual([]);
  });
});

describe.skipIf(Boolean(unavailable))("a later up's change (POST /change, the lab's DKIM rotation phase)", () => {
  it("puts and deletes parameters, upserts and deletes DKIM records, and exports the zone for nsd", async () => {
    const key = plan.parameters.find((p) => p.name === "/mailfort/lab/dkim/mailfort.test/mail")!;
    const change = {
      putParameters: [
        { ...key, name: "/mailfort/lab/dkim/mailfort.test/mail-g1", value: "-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----\n" },
        { name: "/mailfort/lab/dkim-signing", type: "String", value: '{"mailfort.test":"mail-g1","second.test":"lab2026"}', tier: "Standard" },
      ],
      deleteParameters: ["/mailfort/lab/dkim/second.test/lab2026"],
      records: {
        "mailfort.test": [{ action: "UPSERT", name: "mail-g1._domainkey.mailfort.test", type: "TXT", ttl: 3600, values: ['"v=DKIM1; k=rsa; p=MIIBtest"'] }],
        "second.test": [{ action: "DELETE", name: "lab2026._domainkey.second.test", type: "TXT" }],
      },
    };
    expect(await controlCall(emu.control, "POST", "/change", change)).toEqual({ parameters: 3, records: 2 });
    expect(readFileSync(join(emu.zonesDir, "mailfort.test.zone"), "utf8")).toMatch(/^mail-g1\._domainkey\.mailfort\.test\. 3600 IN TXT "v=DKIM1; k=rsa; p=MIIBtest"$/m);
    expect(readFileSync(join(emu.zonesDir, "second.test.zone"), "utf8")).not.toContain("lab2026._domainkey");
    // The stack's own DANE record (the lab stack sets features.dnssec) goes through Route53 into the export.
    const tlsa = plan.zones.flatMap((z) => z.records).find((r) => r.type === "TLSA")!;
    expect(tlsa).toMatchObject({ name: "_25._tcp.mail.mailfort.test", values: [expect.stringMatching(/^3 1 1 [0-9a-f]{64}$/)] });
    expect(readFileSync(join(emu.zonesDir, "mailfort.test.zone"), "utf8").toLowerCase()).toContain(`_25._tcp.mail.mailfort.test. 300 in tlsa ${tlsa.values[0]}`);
    // The re-export is DNSSEC-signed with the lab's key, and BIND's verifier finds every RRset
    // signed and every signature good (-z: one key signs all; dnssec-verify judges, not dnspython).
    const zoneFile = join(emu.zonesDir, "mailfort.test.zone");
    const dnskey = dnskeyPublicKey(readFileSync(join(state, "zone-key.pem"), "utf8"));
    expect(readFileSync(zoneFile, "utf8").replace(/ /g, "")).toContain(`mailfort.test.300INDNSKEY257313${dnskey}`);
    const verified = spawnSync("dnssec-verify", ["-z", "-o", "mailfort.test", zoneFile], { encoding: "utf8" });
    expect(`${verified.stdout}${verified.stderr}`).toContain("Zone fully signed");
    expect(verified.status).toBe(0);
    // A SecureString whose key the loaded stack does not have is refused, not stored in the clear.
    await expect(controlCall(emu.control, "POST", "/change", { putParameters: [{ ...key, keyRef: "arn:aws:kms:eu-west-1:123456789012:key/unknown" }] })).rejects.toThrow(/names no KMS key/);
  });
});
