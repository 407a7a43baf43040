// The lab's DNSSEC, the pure parts: the DNSKEY and trust anchors derived from the lab's zone key
// (checked against openssl's own encoding of the public point), the bogus-signature name in the
// lab zone, and the verdict the guest's answers are judged by.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { dnssecVerdict, parseAnswers } from "../../lab/dnssec-check";
import { BOGUS_SIGNATURE_LABEL, dnskeyPublicKey, ensureZoneKey, trustAnchors } from "../../lab/dns/dnssec";
import { BOGUS_SIGNATURE_HOST, serviceZoneFiles } from "../../lab/dns/service-zones";

const dir = mkdtempSync(join(tmpdir(), "mailfort-dnssec-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("the lab's zone key", () => {
  it("is made once, ECDSA P-256, and its DNSKEY field is the uncompressed point without its 0x04 prefix (RFC 6605)", () => {
    const file = ensureZoneKey(join(dir, "k", "zone-key.pem"));
    const pem = readFileSync(file, "utf8");
    expect(ensureZoneKey(file)).toBe(file);
    expect(readFileSync(file, "utf8")).toBe(pem);
    const der = spawnSync("openssl", ["pkey", "-in", file, "-pubout", "-outform", "DER"]);
    expect(der.status).toBe(0);
    // SubjectPublicKeyInfo of a P-256 key ends in the 65-byte point 04 || X || Y.
    const point = (der.stdout as Buffer).subarray(-65);
    expect(point[0]).toBe(4);
    const field = dnskeyPublicKey(pem);
    expect(Buffer.from(field, "base64")).toEqual(point.subarray(1));
  });

  it("refuses a key of another kind, naming the fix", () => {
    const rsa = spawnSync("openssl", ["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:1024"], { encoding: "utf8" }).stdout;
    expect(() => dnskeyPublicKey(rsa)).toThrow(/not an ECDSA P-256 key: delete it/);
  });

  it("trust anchors: one per zone, absolute, lower-case, deduplicated, algorithm 13 with the SEP flag", () => {
    expect(trustAnchors(["remote.test", "Lab.test.", "lab.test"], "QUJD")).toEqual([
      "lab.test. DNSKEY 257 3 13 QUJD",
      "remote.test. DNSKEY 257 3 13 QUJD",
    ]);
  });
});

describe("the broken-signature name", () => {
  it("is in lab.test with the label the signer corrupts", () => {
    expect(BOGUS_SIGNATURE_HOST).toBe(`${BOGUS_SIGNATURE_LABEL}.lab.test`);
    const lab = serviceZoneFiles("eu-west-1").find((z) => z.zone === "lab.test");
    expect(lab?.text).toMatch(new RegExp(`^${BOGUS_SIGNATURE_HOST.replace(/\./g, "\\.")}\\. 300 IN A 10\\.77\\.0\\.\\d+$`, "m"));
  });
});

describe("the DNSSEC verdict", () => {
  const good = ["mail.mailfort.test", "mx.remote.test"];
  const bogus = ["bogus-signature.lab.test"];
  it("passes AD answers for the good names and SERVFAIL for the bogus one", () => {
    const a = parseAnswers("mail.mailfort.test NOERROR ad 1\nmx.remote.test NOERROR ad 1\nbogus-signature.lab.test SERVFAIL no-ad 0\n");
    expect(dnssecVerdict(a, good, bogus)).toEqual({ validated: [], refused: [] });
  });
  it("fails an answer without AD (no validation), an empty answer, and a bogus name that resolves", () => {
    const a = parseAnswers("mail.mailfort.test NOERROR no-ad 1\nmx.remote.test NOERROR ad 0\nbogus-signature.lab.test NOERROR no-ad 1\n");
    const v = dnssecVerdict(a, good, bogus);
    expect(v.validated).toEqual(["mail.mailfort.test: NOERROR (no AD), 1 answer RRset(s)", "mx.remote.test: NOERROR AD, 0 answer RRset(s)"]);
    expect(v.refused).toEqual(["bogus-signature.lab.test: NOERROR (no AD), 1 answer RRset(s)"]);
  });
  it("fails a name the guest did not answer for", () => {
    expect(dnssecVerdict(parseAnswers("mx.remote.test NOERROR ad 1\n"), good, bogus)).toEqual({
      validated: ["mail.mailfort.test: no answer"],
      refused: ["bogus-signature.lab.test: no answer"],
    });
  });
});
