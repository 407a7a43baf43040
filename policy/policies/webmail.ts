// The webmail and how clients authenticate, judged on the files the instance receives: nginx's
// configuration, Roundcube's, Dovecot's passdbs and mailfort's environment file. The webmail must
// be reachable only over TLS; in prod its second factor and app passwords must be on (so a stolen
// mailbox password opens nothing), unless the stack relaxes the policy with a reason.
import { dovecotHostSettings } from "../lib/dovecot";
import { hostFilesPolicy, lastFile as last } from "../lib/host-files";
import { blocksNamed, directiveArgs, parseNginx, type NginxBlock } from "../lib/nginx";
import { filesMatching } from "../lib/user-data";

const ROUNDCUBE_CONFIG = "/etc/roundcube/config.inc.php";
const TOTP_PLUGIN = "/var/lib/roundcube/plugins/mailfort_totp/mailfort_totp.php";

/** Roundcube's `$config['plugins']` entries, as the PHP file lists them. */
function roundcubePlugins(config: string): string[] {
  const list = /\$config\['plugins'\]\s*=\s*(?:\[|array\()([^\])]*)/.exec(config)?.[1] ?? "";
  return [...list.matchAll(/'([a-z0-9_]+)'|"([a-z0-9_]+)"/g)].map((m) => m[1] ?? m[2] ?? "");
}

/** Server blocks that hand requests to PHP (the webmail), and those that serve port 80. */
function servers(nginx: NginxBlock) {
  const all = blocksNamed(nginx, "server");
  const listens = (s: NginxBlock) => s.directives.filter((d) => d.name === "listen").map((d) => d.args);
  const port = (args: readonly string[]) => Number(/(?:^|:|\])(\d+)$/.exec(args[0] ?? "")?.[1] ?? (/^\d+$/.test(args[0] ?? "") ? args[0] : 80));
  return { all, listens, port, php: all.filter((s) => directiveArgs(s, "fastcgi_pass").length > 0) };
}

export const webmailTlsPolicy = hostFilesPolicy({
  name: "host-webmail-tls-only",
  area: "host",
  description: "The webmail (PHP behind nginx) is served only over HTTPS: every server block that passes requests to PHP listens on 443 with ssl only and sends HSTS; port 80 only redirects; Roundcube marks its cookies secure (use_https).",
  why: "A webmail reachable over plain HTTP hands its password, its second-factor code and its session cookie to anyone on the path.",
}, (files, report, { facts }) => {
  const conf = last(files, ROUNDCUBE_CONFIG);
  if (!conf) {
    // A webmail the stack asked for but the pack cannot find is reported, never passed unseen.
    if (facts.features.webmail) report(`the stack turns the webmail on, but the host gets no ${ROUNDCUBE_CONFIG} to judge`);
    return;
  }
  const nginx = parseNginx(filesMatching(files, /^\/etc\/nginx\/(conf\.d|sites-enabled)\/[^/]+$/).map((f) => f.content).join("\n"));
  const s = servers(nginx);
  if (s.php.length === 0) report("Roundcube is configured, but no nginx server passes requests to PHP-FPM");
  for (const server of s.php) {
    const names = directiveArgs(server, "server_name").flat().join(" ") || "(no server_name)";
    for (const l of s.listens(server)) {
      if (!l.includes("ssl") || s.port(l) !== 443) report(`nginx server ${names} serves PHP on "listen ${l.join(" ")}" without TLS on 443`);
    }
    if (!directiveArgs(server, "add_header").some((a) => a[0]?.toLowerCase() === "strict-transport-security")) report(`nginx server ${names} serves the webmail without a Strict-Transport-Security header`);
  }
  for (const server of s.all.filter((x) => s.listens(x).some((l) => !l.includes("ssl") && s.port(l) === 80))) {
    const returns = directiveArgs(server, "return");
    const serves = ["root", "fastcgi_pass", "proxy_pass", "alias"].filter((d) => directiveArgs(server, d).length > 0);
    if (serves.length > 0 || !returns.some((r) => /^30[18]$/.test(r[0] ?? "") && (r[1] ?? "").startsWith("https://"))) {
      report(`nginx's port-80 server does more than redirect to https:// (${serves.join(", ") || "no https redirect"})`);
    }
  }
  if (!/\$config\['use_https'\]\s*=\s*true\s*;/.test(conf.content)) report(`${ROUNDCUBE_CONFIG}: use_https is not true, so Roundcube may set cookies without the Secure flag`);
});

export const webmailSecondFactorPolicy = hostFilesPolicy({
  name: "host-webmail-second-factor",
  area: "host",
  description: "In prod, the webmail enforces its TOTP second factor: Roundcube loads mailfort_totp, whose startup hook (the choke point every request passes) is on the host.",
  why: "A webmail behind a password alone gives a phished or guessed password the whole mailbox; the second factor is what the security model asks of webmail.",
}, (files, report, { facts }) => {
  const conf = last(files, ROUNDCUBE_CONFIG);
  if (facts.environment !== "prod") return;
  if (!conf) {
    if (facts.features.webmail) report(`the stack turns the webmail on, but the host gets no ${ROUNDCUBE_CONFIG}, so its second factor cannot be checked`);
    return;
  }
  if (!roundcubePlugins(conf.content).includes("mailfort_totp")) report(`${ROUNDCUBE_CONFIG} does not load the mailfort_totp plugin: the webmail signs in with the password alone`);
  const plugin = last(files, TOTP_PLUGIN);
  if (!plugin || !/add_hook\(\s*'startup'/.test(plugin.content)) report(`${TOTP_PLUGIN} is missing or registers no startup hook, so no request is held back for the second factor`);
});

export const appPasswordsPolicy = hostFilesPolicy({
  name: "host-app-passwords",
  area: "host",
  description: "In prod, IMAP, POP3 and SMTP AUTH accept only app passwords: Dovecot's first passdb is the app-password Lua script and its refusals are final (result_failure and result_internalfail = return-fail), and mailfort.env sets MAILFORT_APP_PASSWORDS=yes (the mailbox password is then limited to the host itself, i.e. the webmail).",
  why: "Webmail 2FA is worthless while IMAP and SMTP accept the same password: a stolen password would open the mailbox from any mail app.",
}, (files, report, { facts }) => {
  if (facts.environment !== "prod") return;
  const env = last(files, "/etc/mailfort/mailfort.env");
  if (!/^MAILFORT_APP_PASSWORDS=yes$/m.test(env?.content ?? "")) report("mailfort.env does not set MAILFORT_APP_PASSWORDS=yes: the mailbox password is accepted from anywhere");
  const passdbs = [...(dovecotHostSettings(files)?.blocks.entries() ?? [])].filter(([k]) => /^passdb(\s|$)/.test(k));
  const first = passdbs[0];
  if (!first || first[1].get("driver") !== "lua" || !/app-passwords\.lua$/.test(first[1].get("lua_file") ?? "")) {
    report(`Dovecot's first passdb is ${first ? `"${first[0]}"` : "missing"}, not the app-password Lua script`);
  } else if (!last(files, first[1].get("lua_file") ?? "")) {
    report(`Dovecot's app-password passdb reads ${first[1].get("lua_file")}, which the host does not get`);
  } else {
    // Its refusals are final (the script passes the host's own clients on with "next"): with
    // "continue" every outside guess would also go through the mailbox password's hash.
    for (const rule of ["result_failure", "result_internalfail"]) {
      const value = first[1].get(rule) ?? "continue";
      if (value !== "return-fail") report(`Dovecot's app-password passdb has ${rule} = ${value}: a refusal there must be final (return-fail)`);
    }
  }
});
