// The lab's outbound-TLS receivers and their verdicts, the pure parts: the receivers sit on the
// remote host's service addresses, their zones publish what each case needs (and nsd loads them),
// the DANE record is the hash openssl computes for the certificate, the second Postfix gives each
// receiver its own smtpd, and the verdicts pass only the behaviour issue 18 asks for.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { outboundTlsVerdict, serverSide, stsPolicyKnown } from "../../lab/outbound-tls-check";
import { TLS_RECEIVERS, receiverZoneFiles, stsPolicy, tlsReceiver } from "../../lab/remote/outbound-tls-receivers";
import { masterCf } from "../../lab/remote/tls-mxes";
import { LAB_HOSTS, labHost } from "../../lab/topology";

const dir = mkdtempSync(join(tmpdir(), "mailfort-outbound-tls-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function selfSigned(name: string): string {
  const r = spawnSync("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", join(dir, `${name}.key`),
    "-out", join(dir, `${name}.pem`), "-days", "1", "-subj", `/CN=${name}`], { encoding: "utf8" });
  expect(r.status).toBe(0);
  return readFileSync(join(dir, `${name}.pem`), "utf8");
}

describe("the outbound-TLS receivers", () => {
  it("one per case, each on its own service address of the remote host, none shared with another lab host", () => {
    expect(TLS_RECEIVERS.map((r) => r.kind)).toEqual(["dane", "sts-valid", "sts-wrong", "opportunistic"]);
    const service = labHost("remote").serviceAddresses ?? [];
    const used = TLS_RECEIVERS.flatMap((r) => [r.address, ...(r.policyAddress !== undefined ? [r.policyAddress] : [])]);
    expect(new Set(used).size).toBe(used.length);
    for (const a of used) expect(service).toContain(a);
    const others = LAB_HOSTS.filter((h) => h.role !== "remote").flatMap((h) => [h.address, ...h.probeAddresses, ...(h.serviceAddresses ?? [])]);
    for (const a of used) expect(others).not.toContain(a);
    expect(tlsReceiver("sts-wrong").certName).not.toBe(tlsReceiver("sts-wrong").mx);
  });

  it("zones: TLSA 3 1 1 of the DANE MX's key (as openssl hashes it), MTA-STS TXT and policy host only for the MTA-STS cases; nsd loads each", () => {
    const certs = new Map(TLS_RECEIVERS.map((r) => [r.kind, selfSigned(r.kind)]));
    const zones = receiverZoneFiles((r) => certs.get(r.kind) ?? "");
    const spki = spawnSync("sh", ["-c", `openssl x509 -in ${join(dir, "dane.pem")} -noout -pubkey | openssl pkey -pubin -outform DER | sha256sum`], { encoding: "utf8" }).stdout.split(" ")[0];
    const text = (zone: string) => zones.find((z) => z.zone === zone)?.text ?? "";
    expect(text("dane.test")).toContain(`_25._tcp.mx.dane.test. 300 IN TLSA 3 1 1 ${spki}\n`);
    expect(text("dane.test")).not.toContain("_mta-sts");
    for (const d of ["sts-valid.test", "sts-wrong.test"]) {
      expect(text(d)).toMatch(new RegExp(`^_mta-sts\\.${d.replace(/\./g, "\\.")}\\. 300 IN TXT "v=STSv1; id=\\w+"$`, "m"));
      expect(text(d)).toMatch(new RegExp(`^mta-sts\\.${d.replace(/\./g, "\\.")}\\. 300 IN A 10\\.77\\.0\\.\\d+$`, "m"));
      expect(text(d)).not.toContain("TLSA");
    }
    expect(text("plain.test")).not.toMatch(/TLSA|_mta-sts/);
    // Every receiver asks for TLS reports, all at one address the receivers take.
    for (const z of zones) expect(text(z.zone)).toContain(`_smtp._tls.${z.zone}. 300 IN TXT "v=TLSRPTv1; rua=mailto:tlsrpt@sts-valid.test"\n`);
    for (const z of zones) {
      expect(text(z.zone)).toContain(`@ 300 IN MX 10 mx.${z.zone}.\n`);
      const file = join(dir, `${z.zone}.zone`);
      writeFileSync(file, z.text);
      const check = spawnSync("nsd-checkzone", [z.zone, file], { encoding: "utf8" });
      expect(check.status, check.stderr || check.stdout).toBe(0);
    }
  });

  it("the MTA-STS policy is enforce and lists exactly the receiver's MX", () => {
    expect(stsPolicy(tlsReceiver("sts-valid"))).toBe("version: STSv1\nmode: enforce\nmx: mx.sts-valid.test\nmax_age: 86400\n");
  });

  it("master.cf: one smtpd per receiver on its address, with its own name and certificate", () => {
    const m = masterCf(TLS_RECEIVERS, (r) => ({ cert: `/c/${r.kind}.pem`, key: `/c/${r.kind}.key` }));
    for (const r of TLS_RECEIVERS) {
      expect(m).toContain(`${r.address}:smtp inet n - n - - smtpd\n  -o myhostname=${r.mx}\n  -o smtpd_tls_chain_files=/c/${r.kind}.key,/c/${r.kind}.pem\n`);
    }
    expect(m).not.toMatch(/^smtp\s+inet/m);
    // smtpd's TLS needs the tlsmgr service (without it: "454 TLS not available due to local problem").
    expect(m).toMatch(/^tlsmgr\s+unix\s/m);
  });
});

describe("the outbound-TLS verdicts", () => {
  const rcpt = "tls-dane-x@dane.test";
  const sentLine = `ABC: to=<${rcpt}>, relay=mx.dane.test[10.77.0.31]:25, delay=1, dsn=2.0.0, status=sent (250 2.0.0 Ok)`;
  const tls = (grade: string) => `${grade} TLS connection established to mx.dane.test[10.77.0.31]:25: TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits)`;

  it("reads the TLS grade of the last connection to the MX, the sent status and the queue's reason", () => {
    expect(serverSide([tls("Untrusted"), tls("Verified"), sentLine], [], "mx.dane.test", rcpt)).toEqual({ tls: "Verified", sent: true });
    expect(serverSide([tls("Verified")], [{ recipient: rcpt, reason: "Server certificate not verified" }], "mx.dane.test", rcpt))
      .toEqual({ tls: "Verified", sent: false, queuedReason: "Server certificate not verified" });
    expect(serverSide([tls("Verified").replace("mx.dane.test", "mx.dane.test.evil")], [], "mx.dane.test", rcpt)).toEqual({ sent: false });
  });

  it("DANE and MTA-STS valid pass only Verified and delivered", () => {
    for (const kind of ["dane", "sts-valid"] as const) {
      expect(outboundTlsVerdict(kind, { tls: "Verified", sent: true }, true).pass).toBe(true);
      expect(outboundTlsVerdict(kind, { tls: "Untrusted", sent: true }, true).pass).toBe(false);
      expect(outboundTlsVerdict(kind, { tls: "Verified", sent: true }, false).pass).toBe(false);
      expect(outboundTlsVerdict(kind, { sent: false, queuedReason: "x" }, false).pass).toBe(false);
    }
  });

  it("the wrong certificate passes only deferred for a TLS reason with nothing delivered", () => {
    expect(outboundTlsVerdict("sts-wrong", { tls: "Untrusted", sent: false, queuedReason: "Server certificate not verified" }, false).pass).toBe(true);
    expect(outboundTlsVerdict("sts-wrong", { tls: "Untrusted", sent: true }, true).pass).toBe(false);
    expect(outboundTlsVerdict("sts-wrong", { sent: false, queuedReason: "Server certificate not verified" }, true).pass).toBe(false);
    expect(outboundTlsVerdict("sts-wrong", { sent: false, queuedReason: "connect to mx.sts-wrong.test[10.77.0.33]:25: Connection refused" }, false).pass).toBe(false);
    expect(outboundTlsVerdict("sts-wrong", { sent: false }, false).pass).toBe(false);
    // Seen in the lab: a receiver without a working TLS stack defers too; that is not the wrong certificate.
    expect(outboundTlsVerdict("sts-wrong", { sent: false, queuedReason: "TLS is required, but host mx.sts-wrong.test[10.77.0.33] refused to start TLS: 454 4.7.0 TLS not available due to local problem" }, false).pass).toBe(false);
  });

  it("opportunistic passes any TLS, not plaintext", () => {
    expect(outboundTlsVerdict("opportunistic", { tls: "Untrusted", sent: true }, true).pass).toBe(true);
    expect(outboundTlsVerdict("opportunistic", { tls: "Anonymous", sent: true }, true).pass).toBe(true);
    expect(outboundTlsVerdict("opportunistic", { sent: true }, true).pass).toBe(false);
  });
});

describe("the MTA-STS policy fetched before the messages go", () => {
  it("takes only an enforce answer of the policy map as the policy", () => {
    // What the DANE-first front passes on from postfix-mta-sts-resolver for an enforce policy.
    expect(stsPolicyKnown("secure match=mx.sts-valid.test servername=hostname policy_type=sts\n")).toBe(true);
    expect(stsPolicyKnown("secure")).toBe(true);
    // No answer (a fetch that timed out: NOTFOUND, postmap prints nothing), DANE, or a near miss.
    for (const a of ["", "\n", "dane", "may", "securely", "encrypt", " dane-only"]) expect(stsPolicyKnown(a)).toBe(false);
  });
});
