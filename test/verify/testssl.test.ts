// testssl.sh as verify drives it: the command line per port, and which findings fail a port.
// The findings below are the shapes testssl 3.0.8 wrote against the lab VM (flat --jsonfile).
import { describe, expect, it } from "vitest";
import { type TestsslFinding, failingFindings, testsslArgs } from "../../verify/checks/testssl";
import { tlsPorts } from "../../verify/checks/tls";

const port = (n: number) => tlsPorts({ pop3: true }).find((p) => p.port === n)!;

describe("testssl command line", () => {
  it("SMTP ports use STARTTLS, the others implicit TLS; always the given address, CA and JSON file", () => {
    const smtp = testsslArgs(port(587), "mail.example.com", "192.0.2.10", "/tmp/ca.pem", "/tmp/f.json");
    expect(smtp).toEqual(expect.arrayContaining(["--starttls", "smtp", "--ip", "192.0.2.10", "--add-ca", "/tmp/ca.pem", "--jsonfile", "/tmp/f.json", "--nodns", "none"]));
    expect(smtp.at(-1)).toBe("mail.example.com:587");
    const imaps = testsslArgs(port(993), "mail.example.com", "192.0.2.10", undefined, "/tmp/f.json");
    expect(imaps).not.toContain("--starttls");
    expect(imaps).not.toContain("--add-ca");
    expect(testsslArgs(port(443), "mta-sts.example.com", "192.0.2.10", undefined, "/tmp/f.json")).toContain("-h");
    expect(imaps).not.toContain("-h");
  });
});

describe("findings that fail a port", () => {
  const f = (id: string, severity: string): TestsslFinding => ({ id, severity, finding: "x" });

  it("MEDIUM and above fail, LOW/INFO/OK/WARN do not", () => {
    const got = failingFindings([f("BREACH", "MEDIUM"), f("cipher_order", "HIGH"), f("heartbleed", "CRITICAL"), f("scanProblem", "FATAL"), f("LUCKY13", "LOW"), f("engine_problem", "WARN"), f("TLS1_3", "OK"), f("DNS_CAArecord", "INFO")]);
    expect(got.map((x) => x.id)).toEqual(["BREACH", "cipher_order", "heartbleed", "scanProblem"]);
  });

  it("only the test setup's revocation facts are waived, also when numbered per certificate", () => {
    const got = failingFindings([f("cert_revocation", "HIGH"), f("cert_ocspURL <#1>", "HIGH"), f("cert_chain_of_trust", "CRITICAL"), f("cert_expirationStatus", "CRITICAL")]);
    expect(got.map((x) => x.id)).toEqual(["cert_chain_of_trust", "cert_expirationStatus"]);
  });
});
