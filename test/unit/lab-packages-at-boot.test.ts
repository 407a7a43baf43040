// The replacement's package check counts only what the EC2 image lacks: a package Debian's EC2
// image already holds is never fetched, and must not fail the check; one the image lacks must be.
import { describe, expect, it } from "vitest";
import { packagesAtBoot } from "../../lab/replace";

const host = ["postfix", "dovecot-imapd", "openssl", "chrony"];
const repo = ["postfix_3.10.5-1_amd64.deb", "dovecot-imapd_1%3a2.4.1-6_amd64.deb", "libsasl2-2_2.1.28_amd64.deb"];

describe("replace-packages-at-boot", () => {
  it("passes when every package of the lab repository the user data names was fetched, and names those the image holds", () => {
    const r = packagesAtBoot(host, repo, [...repo, "ssl-cert_1.1.3_all.deb"]);
    expect(r.status).toBe("pass");
    expect(r.detail).toMatch(/the 2 of the user data's the image lacks/);
    expect(r.detail).toMatch(/already in the image: openssl, chrony/);
  });
  it("fails naming a package the image lacks and apt never fetched", () => {
    const r = packagesAtBoot(host, repo, [repo[0]!]);
    expect(r.status).toBe("fail");
    expect(r.detail).toBe("never fetched: dovecot-imapd (1 fetched)");
  });
  it("fails when the repository holds none of them (the image already had everything: not the EC2 set)", () => {
    expect(packagesAtBoot(host, ["libc6_2.41_amd64.deb"], ["libc6_2.41_amd64.deb"])).toMatchObject({ status: "fail", detail: expect.stringMatching(/holds none/) });
  });
  it("does not mistake a package for another whose name it starts", () => {
    expect(packagesAtBoot(["postfix"], repo, ["postfix-pcre_3.10.5-1_amd64.deb"]).status).toBe("fail");
  });
});
