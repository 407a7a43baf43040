// The "ec2" image holds what Debian's EC2 image holds plus the part of the user data's list whose
// maintainer scripts the emulated CPU cannot afford; Postfix and nginx are never in it, so the
// replacement's boot installs them with their starts denied (and Postfix's debconf answer), as on EC2.
import { describe, expect, it } from "vitest";
import { hostPackages } from "../../infra/core/host";
import { ec2PreinstalledPackages, imagePackages } from "../../lab/image/packages";
import { labStackConfig } from "../../lab/stack";

const DAEMONS_AT_BOOT = ["postfix", "nginx"];

describe("the lab images' package lists", () => {
  const cfg = labStackConfig();

  it("the ec2 image lacks the daemons the user data installs at boot, and only those of its list", () => {
    const ec2 = imagePackages(cfg, "ec2");
    for (const d of DAEMONS_AT_BOOT) {
      expect(hostPackages(cfg), d).toContain(d);
      expect(ec2, d).not.toContain(d);
    }
    expect(hostPackages(cfg).filter((p) => !ec2.includes(p)).sort()).toEqual([...DAEMONS_AT_BOOT].sort());
  });

  it("the ec2 image holds Dovecot, Rspamd, the webmail and the libraries (their maintainer scripts)", () => {
    const pre = ec2PreinstalledPackages(cfg);
    expect(pre).toEqual(expect.arrayContaining(["dovecot-core", "dovecot-imapd", "rspamd", "fail2ban", "postfix-mta-sts-resolver", "python3-boto3", "nodejs"]));
    expect(pre.every((p) => hostPackages(cfg).includes(p))).toBe(true);
    if (cfg.features.webmail) expect(pre).toEqual(expect.arrayContaining(["roundcube-core", "php8.4-fpm"]));
  });

  it("the preinstalled image holds the whole user data list", () => {
    expect(imagePackages(cfg, "preinstalled")).toEqual(expect.arrayContaining(hostPackages(cfg)));
  });
});
