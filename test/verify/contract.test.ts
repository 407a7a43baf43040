// The verify contract: a request becomes verify's command line (verify/contract.ts) and verify's
// own parser (verify/cli.ts) reads back exactly that request; the lab's request carries the
// lab's facts; results are counted once.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { labVerifyRequest } from "../../lab/verify-run";
import { labStackConfig } from "../../lab/stack";
import { LAB_CREDENTIALS } from "../../lab/credentials";
import { labHost } from "../../lab/topology";
import { parseVerifyArgs, selectedChecks } from "../../verify/cli";
import { type CheckResult, type VerifyRequest, tally, tallyText, verifyArgv } from "../../verify/contract";

const dir = mkdtempSync(join(tmpdir(), "mailfort-verify-contract-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const caFile = join(dir, "ca.pem");
const recordsFile = join(dir, "records.json");
writeFileSync(caFile, "-----BEGIN CERTIFICATE-----\nMA==\n-----END CERTIFICATE-----\n");
const RECORDS = [{ name: "shop.example", type: "MX", values: ["10 mail.shop.example."], purpose: "MX" }];
writeFileSync(recordsFile, JSON.stringify({ records: RECORDS }));

describe("verifyArgv -> verify's parser", () => {
  it("a full request comes back field for field", () => {
    const request: VerifyRequest = {
      host: "mail.shop.example", domains: ["shop.example", "brand.example"], group: "attacker", address: "192.0.2.10",
      caFile, resolvers: ["192.0.2.53", "192.0.2.54"], recordsFile, mailboxes: ["a@shop.example:pw:with:colons"], mailboxEnv: ["MB_1"],
      external: "x@elsewhere.invalid", helo: "probe.invalid", sourceAddresses: ["10.0.0.1", "10.0.0.2"], remoteMaildir: "/tmp/md",
      remoteRecipient: "r@remote.test", limits: { messageSizeMb: 25, recipientsPerMessage: 50 }, maxRetry: 3, pop3: true,
      snapshotFile: "/tmp/snap.json", dkimSelector: "mail-g1", only: ["relay-", "flood"], jsonFile: "/tmp/out.json",
      dnsblListedIn: "dnsbl.shop.test", surblListedHost: "phish.lab.arpa", outboundPerUserPerHour: 10,
      webmail: true, webmailAccounts: ["a@shop.example:mailbox:pw"], appPasswords: true, webmailStateFile: "/tmp/webmail.json", screenshotDir: "/tmp/shots",
    };
    const inv = parseVerifyArgs(verifyArgv(request), { MB_1: "b@shop.example:secret" });
    expect(inv).toMatchObject({ group: "attacker", only: ["relay-", "flood"], jsonFile: "/tmp/out.json", list: false });
    expect(inv.target).toEqual({
      host: "mail.shop.example", domains: ["shop.example", "brand.example"], address: "192.0.2.10",
      caPem: "-----BEGIN CERTIFICATE-----\nMA==\n-----END CERTIFICATE-----\n", resolvers: ["192.0.2.53", "192.0.2.54"], expectedRecords: RECORDS,
      mailboxes: [{ address: "a@shop.example", password: "pw:with:colons" }, { address: "b@shop.example", password: "secret" }],
      externalRecipient: "x@elsewhere.invalid", heloName: "probe.invalid", sourceAddresses: ["10.0.0.1", "10.0.0.2"],
      remoteMaildir: "/tmp/md", remoteRecipient: "r@remote.test", bruteForce: { maxRetry: 3 },
      limits: { messageSizeMb: 25, recipientsPerMessage: 50 }, pop3: true, snapshotFile: "/tmp/snap.json", dkimSelector: "mail-g1",
      dnsblListedIn: "dnsbl.shop.test", surblListedHost: "phish.lab.arpa", outboundPerUserPerHour: 10,
      webmail: true, webmailAccounts: [{ address: "a@shop.example", password: "mailbox:pw" }], appPasswords: true,
      webmailStateFile: "/tmp/webmail.json", screenshotDir: "/tmp/shots",
    });
  });

  it("a bare request gets verify's defaults, and --only narrows the checks to its prefixes", () => {
    const inv = parseVerifyArgs(verifyArgv({ host: "mail.shop.example", domains: ["shop.example"], only: ["tls-25"] }), {});
    expect(inv.group).toBe("client");
    expect(inv.target).toMatchObject({ externalRecipient: "relaytest@relay-target.invalid", heloName: "verify.invalid", bruteForce: { maxRetry: 5 }, pop3: false, mailboxes: [] });
    expect(inv.target.limits).toBeUndefined();
    const ids = selectedChecks(inv).map((c) => c.id);
    expect(ids.length).toBeGreaterThan(0);
    for (const id of ids) expect(id.startsWith("tls-25")).toBe(true);
  });

  it("a mailbox variable without address:password is refused without showing its value", () => {
    const argv = verifyArgv({ host: "h.example", domains: ["example"], mailboxEnv: ["MB_1"] });
    expect(() => parseVerifyArgs(argv, { MB_1: "hunter2" })).toThrow(/MB_1: the variable must hold address:password \(value not shown\)/);
    expect(() => parseVerifyArgs(argv, { MB_1: "hunter2" })).not.toThrow(/hunter2/);
  });
});

describe("the lab's request", () => {
  it("asks for the lab's mail host, DNS, CA, throwaway mailboxes (app passwords for mail clients, mailbox passwords for the webmail) and the sender's probe addresses", () => {
    const cfg = labStackConfig();
    const inv = parseVerifyArgs(verifyArgv({ ...labVerifyRequest(cfg, { group: "client-relay", from: "sender" }, "/tmp/v.json"), caFile, recordsFile }), {});
    expect(inv.group).toBe("client-relay");
    expect(inv.target).toMatchObject({
      host: cfg.hostname,
      domains: cfg.domains.filter((d) => d.sendsMail).map((d) => d.name),
      address: labHost("mail").address,
      resolvers: [labHost("dns").address],
      mailboxes: LAB_CREDENTIALS.map((c) => ({ address: c.address, password: c.appPassword })),
      webmail: true, appPasswords: true,
      webmailAccounts: LAB_CREDENTIALS.slice(0, 2).map((c) => ({ address: c.address, password: c.password })),
      sourceAddresses: labHost("sender").probeAddresses,
      bruteForce: { maxRetry: cfg.bruteForce.maxRetry },
      limits: { messageSizeMb: cfg.limits.messageSizeMb, recipientsPerMessage: cfg.limits.recipientsPerMessage },
    });
  });
});

describe("the lab's restored server", () => {
  it("runs every client check again but the outbound limit, whose hourly budget the restore brings back spent, and the webmail's first enrolment, which the restore brings back done", () => {
    const cfg = labStackConfig();
    const ids = (group: "client" | "after-restore" | "after-replace") =>
      selectedChecks(parseVerifyArgs(verifyArgv({ ...labVerifyRequest(cfg, { group, from: "sender" }, "/tmp/v.json"), caFile, recordsFile }), {})).map((c) => c.id);
    const client = ids("client");
    expect(client).toEqual(expect.arrayContaining(["limit-outbound-per-user", "webmail-totp-enrol-browser", "webmail-app-passwords"]));
    expect(ids("after-restore")).toEqual(client.filter((id) => id !== "limit-outbound-per-user" && id !== "webmail-totp-enrol-browser"));
    // The enrolment the restore kept is what the replaced server's webmail check signs in with.
    expect(ids("after-replace")).toContain("webmail-replace-kept");
  });
});

describe("counting results", () => {
  it("counts each status once", () => {
    const r = (status: CheckResult["status"]): CheckResult => ({ id: status, title: status, status, detail: "", seconds: 0 });
    const counts = tally([r("pass"), r("pass"), r("fail"), r("skip")]);
    expect(counts).toEqual({ passed: 2, failed: 1, skipped: 1 });
    expect(tallyText(counts)).toBe("2 passed, 1 failed, 1 skipped");
    expect(tally([])).toEqual({ passed: 0, failed: 0, skipped: 0 });
  });
});
