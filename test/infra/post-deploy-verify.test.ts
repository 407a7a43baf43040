// The opt-in post-deploy verify (mailfort:verifyAfterDeploy): its config, and the one
// @pulumi/command local Command it adds under the offline synth (triggers, request, secrets,
// dependencies). The runner that command starts is test/verify/post-deploy.test.ts's.
import { beforeAll, describe, expect, it } from "vitest";
import { setStackSecret } from "../../infra/config";
import { RUNNER_SCRIPT, type PostDeployRequest, mailboxEnvVar, parseSummary, recordsDigest } from "../../infra/core/post-deploy-verify";
import { type SynthResult, runSynth } from "../../infra/synth";
import { HASH, PASSWORD, base, parse } from "../support/post-deploy";
import { ofType, only } from "./helpers";
import { issuesOf } from "../support/config-issues";

const COMMAND = "command:local:Command";
const PASSPHRASE = "post-deploy-verify-test";

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
    const stdin = JSON.parse(String(cmd.inputs.stdin)) as PostDeployRequest;
    expect(stdin.records).toEqual(on.records);
    expect(stdin.caPem).toBeUndefined();
  });

  it("runs the runner from the checkout; host, mail domains, address, groups and the stack's limits go on stdin", () => {
    const cmd = only(on, COMMAND);
    expect(String(cmd.inputs.create)).toMatch(new RegExp(`; exec node_modules/\\.bin/tsx ${RUNNER_SCRIPT.replace(".", "\\.")}$`));
    const request = JSON.parse(String(cmd.inputs.stdin)) as PostDeployRequest;
    expect(request).toMatchObject({
      host: "mail.shop.example",
      address: String(on.outputs.ipv4),
      domains: ["shop.example", "brand.example"],
      // client-relay bans the runner: whatever the order in the stack, it runs last.
      groups: ["client", "client-relay"],
      waitSeconds: 300, onFailure: "report", waitForTrustedTls: true,
      mailboxEnv: [mailboxEnvVar(1)],
      limits: { messageSizeMb: on.config.limits.messageSizeMb, recipientsPerMessage: on.config.limits.recipientsPerMessage },
      maxRetry: on.config.bruteForce.maxRetry, pop3: false, resolvers: ["192.0.2.53"], only: [],
    });
    expect(request.domains).not.toContain("parked.example");
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
