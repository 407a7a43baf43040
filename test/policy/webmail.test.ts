// The webmail and authentication policies, on the user data each repository stack renders and on
// careless variants of it: each bad variant fails with its own message; in prod, 2FA and app
// passwords are required unless relaxed with a reason; elsewhere they are the stack's choice.
import { describe, expect, it } from "vitest";
import type { MailConfig } from "../../infra/config";
import { renderHostConfig } from "../../infra/core/host";
import { parameterNames } from "../../infra/core/parameters";
import { factsFromConfig } from "../../policy/facts";
import { appPasswordsPolicy, webmailSecondFactorPolicy, webmailTlsPolicy } from "../../policy/policies/webmail";
import { runPolicy } from "../../policy/run";
import { loadStack } from "../host/stacks";
import { type Graph, editHostFile, setLine } from "./mutate";

const POLICIES = [webmailTlsPolicy, webmailSecondFactorPolicy, appPasswordsPolicy];

/** The instance with its user data, and the host bundle's SSM parameters (where the webmail's files travel). */
function graph(cfg: MailConfig): Graph {
  const host = renderHostConfig(cfg);
  return [
    { type: "aws:ec2/instance:Instance", name: "mail", inputs: { userDataBase64: host.userDataBase64 } },
    ...host.bundle.chunks.map((value, n) => {
      const name = parameterNames(cfg).hostBundlePart(n).name;
      return { type: "aws:ssm/parameter:Parameter", name, inputs: { name, type: "String", value } };
    }),
  ];
}

async function violations(cfg: MailConfig, mutate?: (g: Graph) => void, facts = factsFromConfig(cfg)) {
  const g = graph(cfg);
  mutate?.(g);
  const out: string[] = [];
  for (const p of POLICIES) out.push(...(await runPolicy(p, g, facts)).map((v) => `${p.name}: ${v.message}`));
  return out;
}

const prod = loadStack("prod");

describe("webmail and app-password policies", () => {
  it.each(["lab", "dev", "prod"])("pass on the %s stack as rendered", async (s) => {
    expect(await violations(loadStack(s))).toEqual([]);
  });

  it("prod is rendered with app passwords and the second factor on (the defaults)", () => {
    expect(prod.auth).toMatchObject({ appPasswords: true, webmailTotp: "required" });
    expect(prod.features.webmail).toBe(true);
  });

  const BAD: ReadonlyArray<[string, MailConfig, ((g: Graph) => void) | undefined, RegExp]> = [
    ["prod with app passwords off", { ...prod, auth: { ...prod.auth, appPasswords: false } }, undefined, /host-app-passwords: .*MAILFORT_APP_PASSWORDS=yes/],
    ["prod with the second factor off", { ...prod, auth: { ...prod.auth, webmailTotp: "off" } }, undefined, /host-webmail-second-factor: .*does not load the mailfort_totp plugin/],
    ["the app-password passdb after the password file", prod, (g) => editHostFile(g, "/etc/dovecot/dovecot.conf", (c) => c.replace(/passdb app-passwords \{[^}]*\}\n/, "").replace(/(passdb passwd-file \{[^}]*\}\n)/, "$1passdb app-passwords {\n  driver = lua\n  lua_file = /etc/dovecot/mailfort-app-passwords.lua\n}\n")), /first passdb is "passdb passwd-file"/],
    ["app-password refusals that fall through to the mailbox password", prod, (g) => editHostFile(g, "/etc/dovecot/dovecot.conf", (c) => c.replace("result_failure = return-fail", "result_failure = continue")), /result_failure = continue: a refusal there must be final/],
    ["app-password internal failures that fall through", prod, (g) => editHostFile(g, "/etc/dovecot/dovecot.conf", (c) => c.replace("result_internalfail = return-fail", "")), /result_internalfail = continue: a refusal there must be final/],
    ["the webmail on plain HTTP", prod, (g) => editHostFile(g, "/etc/nginx/conf.d/mailfort.conf", (c) => c.replace(/(server_name mail\.example\.com;)/, "listen 8080;\n  $1")), /serves PHP on "listen 8080" without TLS on 443/],
    ["the webmail without HSTS", prod, (g) => editHostFile(g, "/etc/nginx/conf.d/mailfort.conf", setLine(/(server_name mail\.example\.com;[\s\S]*?)add_header Strict-Transport-Security[^\n]*\n/, "$1")), /without a Strict-Transport-Security header/],
    ["port 80 serving instead of redirecting", prod, (g) => editHostFile(g, "/etc/nginx/conf.d/mailfort.conf", setLine(/return 301 https:\/\/\$host\$request_uri;/, "root /var/lib/roundcube/public_html;")), /port-80 server does more than redirect/],
    ["Roundcube cookies without Secure", prod, (g) => editHostFile(g, "/etc/roundcube/config.inc.php", setLine(/^\$config\['use_https'\] = true;$/m, "$config['use_https'] = false;")), /use_https is not true/],
    ["the plugin without its startup hook", prod, (g) => editHostFile(g, "/var/lib/roundcube/plugins/mailfort_totp/mailfort_totp.php", setLine(/\$this->add_hook\('startup'[^\n]*\n/, "")), /registers no startup hook/],
  ];

  it.each(BAD)("fails: %s", async (_what, cfg, mutate, expected) => {
    const found = await violations(cfg, mutate);
    expect(found.some((v) => expected.test(v)), found.join("\n")).toBe(true);
  });

  it("in prod the two may be relaxed with a reason, and are then advisory", async () => {
    const cfg = { ...prod, auth: { ...prod.auth, appPasswords: false, webmailTotp: "off" as const } };
    const reason = "a migration week: the old clients move to app passwords by Friday";
    const facts = { ...factsFromConfig(cfg), relax: [{ id: "host-app-passwords", reason, level: "advisory" as const }, { id: "host-webmail-second-factor", reason, level: "advisory" as const }] };
    const found = await violations(cfg, undefined, facts);
    expect(found.map((v) => v.split(":")[0]).sort()).toEqual(["host-app-passwords", "host-app-passwords", "host-webmail-second-factor"]);
    for (const v of found) expect(v).toContain(`[relaxed to advisory by stack prod: ${reason}]`);
  });

  it("outside prod, a stack may turn both off", async () => {
    const dev = loadStack("dev");
    expect(dev.auth.appPasswords).toBe(false);
    expect(await violations({ ...dev, auth: { ...dev.auth, webmailTotp: "off" } })).toEqual([]);
  });

  it("a webmail the stack asks for but the host files lack is reported, not passed unseen", async () => {
    const noWebmailFiles = { ...prod, features: { ...prod.features, webmail: false } };
    const found = await violations(noWebmailFiles, undefined, factsFromConfig(prod));
    expect(found).toEqual([
      "host-webmail-tls-only: mail: the stack turns the webmail on, but the host gets no /etc/roundcube/config.inc.php to judge",
      "host-webmail-second-factor: mail: the stack turns the webmail on, but the host gets no /etc/roundcube/config.inc.php, so its second factor cannot be checked",
    ]);
  });

  it("a stack without the webmail has nothing for the webmail policies to judge", async () => {
    expect(await violations({ ...prod, features: { ...prod.features, webmail: false }, auth: { ...prod.auth, serviceAppPasswords: [] } })).toEqual([]);
  });
});
