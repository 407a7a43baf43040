// The "ec2" image holds what Debian's EC2 image holds plus the part of the user data's list whose
// maintainer scripts the emulated CPU cannot afford; the mail daemons mailfort-boot starts itself
// are never in it, so the replacement's boot installs them with their starts denied, as on EC2.
import { describe, expect, it } from "vitest";
import { hostPackages } from "../../infra/core/host";
import { ec2PreinstalledPackages, imagePackages } from "../../lab/image/packages";
import { labStackConfig } from "../../lab/stack";

const DAEMONS_AT_BOOT = ["postfix", "rspamd", "redis-server", "unbound", "nginx", "fail2ban", "nftables", "postfix-mta-sts-resolver", "certbot"];

describe("the lab images' package lists", () => {
  const cfg = labStackConfig();

  it("the ec2 image lacks every daemon the user data installs at boot", () => {
    const ec2 = imagePackages(cfg, "ec2");
    for (const d of DAEMONS_AT_BOOT) {
      if (hostPackages(cfg).includes(d)) expect(ec2, d).not.toContain(d);
    }
    // The lab stack sends directly, so the MTA-STS resolver is on its list.
    expect(hostPackages(cfg)).toContain("postfix-mta-sts-resolver");
  });

  it("the ec2 image holds Dovecot, the webmail and the libraries (their maintainer scripts)", () => {
    const pre = ec2PreinstalledPackages(cfg);
    expect(pre).toEqual(expect.arrayContaining(["dovecot-core", "dovecot-imapd", "python3-boto3", "nodejs"]));
    expect(pre.every((p) => hostPackages(cfg).includes(p))).toBe(true);
    if (cfg.features.webmail) expect(pre).toEqual(expect.arrayContaining(["roundcube-core", "php8.4-fpm"]));
  });

  it("the preinstalled image holds the whole user data list", () => {
    expect(imagePackages(cfg, "preinstalled")).toEqual(expect.arrayContaining(hostPackages(cfg)));
  });
});
