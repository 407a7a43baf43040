// The lab's vendor script, run for real in the Debian 13 root: after it, OpenSSL (by its hashed
// directory and by the bundle) and Python's certifi trust a certificate the lab's endpoint CA
// issued, exactly as update-ca-certificates would have made it trusted: a real
// update-ca-certificates run afterwards finds nothing to add and leaves the bundle as it was.
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeEndpointCerts } from "../../lab/aws/certs";
import { vendorData } from "../../lab/vm/vendor-data";
import { type CheckerRoot, baseRoot, checkerUnavailable, prepareRoot } from "./checker-root";
import { loadStack } from "./stacks";

const unavailable = checkerUnavailable();
if (unavailable && process.env.CI === "true") throw new Error(`vendor data tests cannot run in CI: ${unavailable}`);
if (unavailable) console.warn(`SKIPPING the vendor data tests: ${unavailable}`);

const BUNDLE = "/etc/ssl/certs/ca-certificates.crt";

describe("vendor data: hostile inputs", () => {
  it("refuses a CA that is not one PEM certificate, and a resolver or gateway that is not an IPv4 address", () => {
    const pem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
    expect(() => vendorData({ caPems: [`${pem}MAILFORT_LAB_CA\nrm -rf /\n`], resolvers: ["10.0.0.2"], trustAnchors: [] })).toThrow(/lab CA 1 is not one PEM certificate/);
    expect(() => vendorData({ caPems: [pem], resolvers: ["10.0.0.2'; reboot; '"], trustAnchors: [] })).toThrow(/lab resolver .* is not an IPv4 address/);
    expect(() => vendorData({ caPems: [], resolvers: ["10.0.0.2"], metadataGateway: "10.0.0.3 dev eth0", trustAnchors: [] })).toThrow(/lab metadata gateway .* is not an IPv4 address/);
  });
});

describe.skipIf(Boolean(unavailable))("vendor data: the lab's CA, trusted in the Debian 13 root", () => {
  let root: CheckerRoot;
  let work = "";
  const verify = (how: string[]) => root.run(["openssl", "verify", ...how, "/tmp/leaf.pem"]);

  beforeAll(() => {
    root = prepareRoot(baseRoot(), loadStack("lab"));
    work = mkdtempSync(join(tmpdir(), "mailfort-vendor-"));
    const certs = makeEndpointCerts(work, ["ssm.eu-west-1.amazonaws.com"], ["10.77.0.3"]);
    copyFileSync(certs.certFile, join(root.dir, "tmp/leaf.pem"));
    writeFileSync(join(root.dir, "tmp/vendor.sh"), vendorData({ caPems: [certs.caPem], resolvers: ["10.99.0.53"], trustAnchors: [] }));
  }, 30 * 60_000);

  afterAll(() => {
    root?.dispose();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it("before the script nothing trusts the lab's endpoint certificate (the control)", () => {
    expect(verify(["-no-CAfile", "-CApath", "/etc/ssl/certs"]).status).not.toBe(0);
    expect(verify(["-no-CApath", "-CAfile", BUNDLE]).status).not.toBe(0);
  });

  it("after it, OpenSSL's directory and the bundle certifi names both verify it", () => {
    expect(root.run(["sh", "/tmp/vendor.sh"], { netns: true })).toMatchObject({ status: 0, stderr: "" });
    expect(verify(["-no-CAfile", "-CApath", "/etc/ssl/certs"])).toMatchObject({ status: 0, stdout: "/tmp/leaf.pem: OK\n" });
    expect(verify(["-no-CApath", "-CAfile", BUNDLE])).toMatchObject({ status: 0, stdout: "/tmp/leaf.pem: OK\n" });
    expect(root.run(["python3", "-c", "import certifi; print(certifi.where())"]).stdout.trim()).toBe(BUNDLE);
    expect(readFileSync(join(root.dir, "etc/resolv.conf"), "utf8")).toBe("nameserver 10.99.0.53\n");
  });

  it("is what update-ca-certificates would have done: a real run adds nothing and rewrites the same bundle", () => {
    const bundle = readFileSync(join(root.dir, BUNDLE), "utf8");
    const r = root.run(["update-ca-certificates"]);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("0 added, 0 removed");
    expect(readFileSync(join(root.dir, BUNDLE), "utf8")).toBe(bundle);
    expect(verify(["-no-CAfile", "-CApath", "/etc/ssl/certs"]).status).toBe(0);
  });
});
