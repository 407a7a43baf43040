// The inbound DANE check's judgement (lab/dane-inbound-check.ts), on posttls-finger output
// recorded in the lab (Postfix 3.7, `-l dane -L routine,certmatch,dane -c`, 2026-12-03): a
// DANE-verified receiver, the same client refusing a TLSA that pins another key, and a receiver
// with no TLSA at all (level secure, no CA file: untrusted). The resolver's config goes through
// unbound's own checker.
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ownVerdict, parseFinger, senderResolverConf, wrongVerdict } from "../../lab/dane-inbound-check";
import { DANE_WRONG_TLSA_HOST, WRONG_TLSA_VALUE, wrongTlsaZoneLines } from "../../lab/dns/service-zones";
import { trustAnchors } from "../../lab/dns/dnssec";

const OWN = "3 1 1 48813de1d1e00dc3e33be814f38019b2a273db3e6f82f6891b23c5566930a5b9";
const HEX_OWN = OWN.slice(6).toUpperCase();
const HEX_WRONG = WRONG_TLSA_VALUE.slice(6).toUpperCase();

const verified = `posttls-finger: DNSSEC-signed TLSA record: _25._tcp.mail.mailfort.test: 3 1 1 ${HEX_OWN}
posttls-finger: mail.mailfort.test[10.77.0.10]:25: Matched DANE EE certificate at depth 0: 3 1 1 ${HEX_OWN}
posttls-finger: mail.mailfort.test[10.77.0.10]:25: subject_CN=mail.mailfort.test, issuer_CN=Pebble Intermediate CA 6d2a2b, fingerprint=54:1E, pkey_fingerprint=48:81
posttls-finger: Verified TLS connection established to mail.mailfort.test[10.77.0.10]:25: TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits) key-exchange X25519 server-signature ECDSA (prime256v1) server-digest SHA256
`;
const refused = `posttls-finger: DNSSEC-signed TLSA record: _25._tcp.${DANE_WRONG_TLSA_HOST}: 3 1 1 ${HEX_WRONG}
posttls-finger: server certificate verification failed for ${DANE_WRONG_TLSA_HOST}[10.77.0.10]:25: num=65:no matching DANE TLSA records
posttls-finger: ${DANE_WRONG_TLSA_HOST}[10.77.0.10]:25: subject_CN=mail.mailfort.test, issuer_CN=mail.mailfort.test, fingerprint=17:C2, pkey_fingerprint=2D:D7
posttls-finger: Untrusted TLS connection established to ${DANE_WRONG_TLSA_HOST}[10.77.0.10]:25: TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits) key-exchange X25519 server-signature ECDSA (prime256v1) server-digest SHA256
`;
const noTlsa = `posttls-finger: certificate verification failed for mx.sts-valid.test[10.77.0.32]:25: untrusted issuer /O=mailfort lab/CN=mailfort lab endpoint CA
posttls-finger: Untrusted TLS connection established to mx.sts-valid.test[10.77.0.32]:25: TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits) key-exchange X25519 server-signature ECDSA (prime256v1) server-digest SHA256
`;
const noAddress = `posttls-finger: warning: DNSSEC validation may be unavailable
posttls-finger: Destination address lookup failed: Host or domain name not found. Name service error for name=mailfort.test type=MX: Host not found, try again
`;

describe("parseFinger", () => {
  it("reads the grade, the peer, the TLSA records found and the one matched", () => {
    expect(parseFinger(verified)).toEqual({ grade: "Verified", peer: "mail.mailfort.test[10.77.0.10]:25", daneRecords: [OWN], matched: OWN });
    expect(parseFinger(refused)).toEqual({ grade: "Untrusted", peer: `${DANE_WRONG_TLSA_HOST}[10.77.0.10]:25`, daneRecords: [WRONG_TLSA_VALUE] });
    expect(parseFinger(noAddress)).toEqual({ daneRecords: [] });
  });
});

describe("the own TLSA verdict", () => {
  it("passes a Verified connection to the hostname matched by the stack's TLSA", () => {
    const v = ownVerdict(parseFinger(verified), verified, "mail.mailfort.test", OWN.toUpperCase());
    expect(v.pass).toBe(true);
    expect(v.detail).toContain(`matched ${OWN}`);
  });

  it("fails a match by another record, another host, an untrusted connection or none at all", () => {
    const other = "3 1 1 " + "ab".repeat(32);
    expect(ownVerdict(parseFinger(verified), verified, "mail.mailfort.test", other)).toMatchObject({ pass: false, detail: expect.stringContaining(`but by ${OWN}`) });
    expect(ownVerdict(parseFinger(verified), verified, "mx.elsewhere.test", OWN).pass).toBe(false);
    expect(ownVerdict(parseFinger(noTlsa), noTlsa, "mx.sts-valid.test", OWN).pass).toBe(false);
    const none = ownVerdict(parseFinger(noAddress), noAddress, "mail.mailfort.test", OWN);
    expect(none.pass).toBe(false);
    expect(none.detail).toContain("Destination address lookup failed");
  });
});

describe("the wrong TLSA control", () => {
  it("passes only when the wrong record was found and the connection not verified", () => {
    expect(wrongVerdict(parseFinger(refused), refused).pass).toBe(true);
    // Verified despite the wrong record: the client accepted what it should refuse.
    const accepted = refused.replace("Untrusted TLS", "Verified TLS");
    expect(wrongVerdict(parseFinger(accepted), accepted).pass).toBe(false);
    // No TLSA found: level secure refused it, which says nothing about DANE.
    expect(wrongVerdict(parseFinger(noTlsa), noTlsa)).toMatchObject({ pass: false, detail: expect.stringContaining("proves nothing") });
    expect(wrongVerdict(parseFinger(noAddress), noAddress).pass).toBe(false);
  });
});

describe("the lab's side of it", () => {
  it("serves the control name at the mail server's address with a TLSA no key matches", () => {
    expect(wrongTlsaZoneLines("10.77.0.10")).toEqual([
      `${DANE_WRONG_TLSA_HOST}. 300 IN A 10.77.0.10`,
      `_25._tcp.${DANE_WRONG_TLSA_HOST}. 300 IN TLSA ${WRONG_TLSA_VALUE}`,
    ]);
    expect(WRONG_TLSA_VALUE).toMatch(/^3 1 1 [0-9a-f]{64}$/);
  });

  it("gives unbound a config it accepts: loopback, foreground, the lab's anchors, forwarding to the lab DNS", () => {
    const dir = mkdtempSync(join(tmpdir(), "dane-unbound-"));
    const anchors = trustAnchors(["mailfort.test", "lab.test"], "5nOhwqK8iZIMHUM1UUbX0Qtv6cJh5lbWnCFyTtIzjRnWMgG/mwm7pfQy7TFsIoKY9tMjfeVm/O+9pWl4MJgM3g==");
    const conf = senderResolverConf(dir, anchors);
    expect(conf).toContain("interface: 127.0.0.1");
    expect(conf).toContain("do-daemonize: no");
    for (const a of anchors) expect(conf).toContain(`trust-anchor: "${a}"`);
    expect(conf).toMatch(/forward-zone:\n {2}name: "\."\n {2}forward-addr: 10\.77\.0\.2/);
    writeFileSync(join(dir, "unbound.conf"), conf);
    const check = spawnSync("unbound-checkconf", [join(dir, "unbound.conf")], { encoding: "utf8" });
    expect(check.error, "unbound-checkconf (Debian package unbound, .ci/apt-packages)").toBeUndefined();
    expect(`${check.stdout}${check.stderr}`).toContain("no errors");
    // A broken anchor is refused before unbound ever sees it.
    expect(() => senderResolverConf(dir, ["mailfort.test. DNSKEY 256 3 8 x"])).toThrow(/trust anchors/);
  });
});
