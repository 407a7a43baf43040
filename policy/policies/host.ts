// Host settings, judged on the files the instance actually receives: its user data (decoded
// cloud-config write_files) and the host bundle it installs from SSM (lib/host-files.ts): Postfix
// main.cf/master.cf, Dovecot, fail2ban, nftables, Rspamd, unbound. What lands is what counts,
// never the renderer's inputs.
import { hostFilesPolicy, postfixPolicy } from "../lib/host-files";
import { dovecotHostSettings } from "../lib/dovecot";
import { iniTrue, parseIni } from "../lib/ini";
import { LEGACY_PROTOCOLS, allowedTlsProtocols, listOf, type SmtpdView } from "../lib/postfix";
import { filesMatching } from "../lib/user-data";
import { allowedInboundPorts } from "./network";

const yes = (v: string | undefined) => (v ?? "").trim().toLowerCase() === "yes";

export const postfixTlsPolicy = postfixPolicy({
  name: "host-postfix-tls-protocols",
  area: "host",
  description: "Postfix smtpd (port 25) and the submission services (587/465) allow TLS 1.2 and newer only (smtpd_tls_protocols and smtpd_tls_mandatory_protocols).",
  why: "SSLv3/TLS 1.0/1.1 are broken or deprecated (RFC 8996); offering them lets a downgrade expose mail and credentials.",
}, (pf, report) => {
  if (pf.submission.length === 0) report("master.cf defines no submission (587) / submissions (465) smtpd service");
  for (const v of pf.all) {
    for (const key of ["smtpd_tls_protocols", "smtpd_tls_mandatory_protocols"]) {
      const legacy = allowedTlsProtocols(v.get(key)).filter((p) => (LEGACY_PROTOCOLS as readonly string[]).includes(p));
      if (legacy.length > 0) report(`${v.label}: ${key} = ${JSON.stringify(v.get(key) ?? "(default)")} still allows ${legacy.join(", ")}; set ${key} = >=TLSv1.2`);
    }
  }
});

function authOverTlsOnly(v: SmtpdView): boolean {
  return yes(v.get("smtpd_tls_wrappermode")) || yes(v.get("smtpd_tls_auth_only")) || v.get("smtpd_tls_security_level") === "encrypt";
}

export const postfixAuthTlsPolicy = postfixPolicy({
  name: "host-postfix-auth-tls-only",
  area: "host",
  description: "SMTP AUTH is offered only over TLS: smtpd_tls_auth_only = yes (or implicit TLS / security level encrypt on the service).",
  why: "AUTH PLAIN/LOGIN before STARTTLS sends the password in the clear to anyone on the path.",
}, (pf, report) => {
  if (!yes(pf.mainView.get("smtpd_tls_auth_only"))) report(`main.cf: smtpd_tls_auth_only is ${JSON.stringify(pf.mainView.get("smtpd_tls_auth_only") ?? "unset (no)")}; set it to yes`);
  for (const v of pf.submission) {
    if (yes(v.get("smtpd_sasl_auth_enable")) && !authOverTlsOnly(v)) report(`${v.label}: SASL auth is enabled without smtpd_tls_auth_only=yes, wrappermode or security level encrypt`);
  }
});

const LOOPBACK = /^(127\.\d+\.\d+\.\d+(\/(8|9|[12]\d|3[0-2]))?|\[::1\](\/128)?|\[::ffff:127\.0\.0\.0\]\/104)$/;

export const postfixRelayPolicy = postfixPolicy({
  name: "host-postfix-no-open-relay",
  area: "host",
  description: "reject_unauth_destination is in the relay (or recipient) restrictions of port 25; no submission service relays without authentication; mynetworks is loopback only.",
  why: "An open relay is abused for spam within hours and lands the IP on every blocklist; a wide mynetworks lets whole subnets relay unauthenticated.",
}, (pf, report) => {
  const restrictions = (v: SmtpdView) => [...listOf(v.get("smtpd_relay_restrictions")), ...listOf(v.get("smtpd_recipient_restrictions"))];
  if (!restrictions(pf.mainView).includes("reject_unauth_destination")) report("main.cf: neither smtpd_relay_restrictions nor smtpd_recipient_restrictions contains reject_unauth_destination");
  for (const v of pf.submission) {
    const relay = listOf(v.get("smtpd_relay_restrictions") ?? v.get("smtpd_recipient_restrictions"));
    const safe = relay.includes("reject_unauth_destination") || relay.at(-1) === "reject";
    if (!safe || relay.includes("permit") && relay.indexOf("permit") < Math.max(relay.indexOf("reject"), relay.indexOf("reject_unauth_destination"))) {
      report(`${v.label}: relay restrictions ${JSON.stringify(relay.join(","))} do not end in reject / reject_unauth_destination after permit_sasl_authenticated`);
    }
  }
  const mynetworks = pf.mainView.get("mynetworks");
  if (mynetworks === undefined) report("main.cf: mynetworks is unset (Postfix then trusts the host's subnets); set mynetworks = 127.0.0.0/8 [::1]/128");
  else {
    const wide = listOf(mynetworks).filter((n) => !LOOPBACK.test(n));
    if (wide.length > 0) report(`main.cf: mynetworks includes ${wide.join(", ")}; only loopback may relay without authentication`);
  }
});

export const postfixVrfyPolicy = postfixPolicy({
  name: "host-postfix-no-vrfy",
  area: "host",
  description: "disable_vrfy_command = yes.",
  why: "VRFY lets spammers and attackers enumerate valid mailboxes.",
}, (pf, report) => {
  for (const v of pf.all) if (!yes(v.get("disable_vrfy_command"))) report(`${v.label}: disable_vrfy_command is ${JSON.stringify(v.get("disable_vrfy_command") ?? "unset (no)")}; set it to yes`);
});

const RATE_LIMITS = ["smtpd_client_connection_rate_limit", "smtpd_client_connection_count_limit", "smtpd_client_auth_rate_limit", "smtpd_client_message_rate_limit"] as const;

export const postfixRateLimitPolicy = postfixPolicy({
  name: "host-postfix-rate-limits",
  area: "host",
  description: "anvil limits are set explicitly and non-zero: connection rate, concurrent connections, AUTH rate and message rate per client.",
  why: "Without them one client can exhaust smtpd processes or brute-force passwords at line speed (paper: connection and auth limits).",
}, (pf, report) => {
  for (const key of RATE_LIMITS) {
    const v = pf.mainView.get(key);
    const n = Number(v);
    if (v === undefined || !Number.isInteger(n) || n <= 0) report(`main.cf: ${key} is ${JSON.stringify(v ?? "unset")}; set a positive limit`);
  }
  for (const v of pf.all) {
    const n = v.get("smtpd_client_auth_rate_limit");
    if (n !== undefined && Number(n) <= 0) report(`${v.label}: smtpd_client_auth_rate_limit = ${n} switches the AUTH limit off`);
  }
});

const NO_DOVECOT = "the host gets no Dovecot configuration under /etc/dovecot";

export const dovecotTlsPolicy = hostFilesPolicy({
  name: "host-dovecot-tls",
  area: "host",
  description: "Dovecot refuses plaintext auth (auth_allow_cleartext = no; 2.3: disable_plaintext_auth = yes), requires TLS (ssl = required), ssl_min_protocol is TLSv1.2 or newer, and the plaintext IMAP (and POP3) listeners are port 0.",
  why: "Mail clients must never send passwords unencrypted, and old TLS versions are downgradeable.",
}, (files, report) => {
  const s = dovecotHostSettings(files);
  if (s === undefined) { report(NO_DOVECOT); return; }
  const cleartext = s.top.get("auth_allow_cleartext");
  const legacy = s.top.get("disable_plaintext_auth");
  if (!(cleartext === "no" || (cleartext === undefined && legacy === "yes"))) report(`auth_allow_cleartext is ${JSON.stringify(cleartext ?? "unset")}; set auth_allow_cleartext = no`);
  if (s.top.get("ssl") !== "required") report(`ssl is ${JSON.stringify(s.top.get("ssl") ?? "unset (yes)")}; set ssl = required`);
  const min = s.top.get("ssl_min_protocol");
  if (!["TLSv1.2", "TLSv1.3"].includes(min ?? "")) report(`ssl_min_protocol is ${JSON.stringify(min ?? "unset")}; set ssl_min_protocol = TLSv1.2`);
  // Plaintext listeners: 143 always exists unless its listener is set to port 0; 110 when POP3 is on.
  const plainPort = (proto: string) => s.blocks.get(`service ${proto}-login/inet_listener ${proto}`)?.get("port");
  if (plainPort("imap") !== "0") report(`service imap-login { inet_listener imap } port is ${plainPort("imap") ?? "unset (143)"}; set port = 0 (IMAPS 993 only)`);
  const pop3On = s.blocks.get("protocols")?.get("pop3") === "yes" || /\bpop3\b/.test(s.top.get("protocols") ?? "");
  if (pop3On && plainPort("pop3") !== "0") report(`service pop3-login { inet_listener pop3 } port is ${plainPort("pop3") ?? "unset (110)"}; set port = 0 (POP3S 995 only)`);
});

/** A Dovecot time value in seconds ("2s", "2 secs", "1500ms", "2"), or undefined when unreadable. */
export function dovecotSeconds(v: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)\s*(ms|msecs?|milliseconds?|s|secs?|seconds?|m|mins?|minutes?)?$/i.exec(v.trim());
  if (!m?.[1]) return undefined;
  const n = Number(m[1]);
  const unit = (m[2] ?? "s").toLowerCase();
  if (/^(ms|msecs?|milliseconds?)$/.test(unit)) return n / 1000;
  if (/^(m|mins?|minutes?)$/.test(unit)) return n * 60;
  return n;
}

export const dovecotAuthDelayPolicy = hostFilesPolicy({
  name: "host-dovecot-auth-delay",
  area: "host",
  description: "Dovecot answers every failed login after at least 1 s (auth_failure_delay; unset is Dovecot's 2 s).",
  why: "With Dovecot's growing auth penalty off (so Postfix's 10 s wait sees every SMTP AUTH failure and fail2ban counts it), this delay is what slows each password guess until the jail bans.",
}, (files, report) => {
  const s = dovecotHostSettings(files);
  if (s === undefined) { report(NO_DOVECOT); return; }
  const v = s.top.get("auth_failure_delay");
  if (v === undefined) return;
  const secs = dovecotSeconds(v);
  if (secs === undefined || secs < 1) report(`auth_failure_delay is ${JSON.stringify(v)}; set auth_failure_delay = 2s (at least 1 s)`);
});

const REQUIRED_JAILS: readonly (readonly string[])[] = [["postfix"], ["postfix-sasl", "sasl"], ["dovecot"]];

export const fail2banPolicy = hostFilesPolicy({
  name: "host-fail2ban-jails",
  area: "host",
  description: "fail2ban jails for postfix, postfix-sasl (or sasl) and dovecot are enabled.",
  why: "Password guessing against SMTP AUTH and IMAP never stops; banning repeat offenders is the paper's brute-force protection.",
}, (files, report) => {
  const jails = filesMatching(files, /^\/etc\/fail2ban\/(jail\.(conf|local)|jail\.d\/[^/]+\.(conf|local))$/);
  if (jails.length === 0) { report("the host gets no fail2ban jail configuration (/etc/fail2ban/jail.local or jail.d/)"); return; }
  const rank = (p: string) => (p.endsWith("jail.conf") ? 0 : p.includes("jail.d/") && p.endsWith(".conf") ? 1 : p.endsWith("jail.local") ? 2 : 3);
  const ini = parseIni([...jails].sort((a, b) => rank(a.path) - rank(b.path) || a.path.localeCompare(b.path)).map((f) => f.content));
  const defaultOn = iniTrue(ini.get("DEFAULT")?.get("enabled"));
  for (const names of REQUIRED_JAILS) {
    const on = names.some((n) => {
      const v = ini.get(n)?.get("enabled");
      return ini.has(n) && (v === undefined ? defaultOn : iniTrue(v));
    });
    if (!on) report(`fail2ban jail ${names.join(" / ")} is not enabled; add [${names[0]}] enabled = true`);
  }
});

/** The port numbers of an nftables set or single port: `{ 25, 80 }`, `25`, `1000-1010`. */
function nftPorts(spec: string): number[] {
  return spec.replace(/[{}]/g, " ").split(/[\s,]+/).filter(Boolean).flatMap((p) => {
    const [a, b] = p.split("-").map(Number);
    if (a === undefined || Number.isNaN(a)) return [];
    return b === undefined || Number.isNaN(b) ? [a] : Array.from({ length: Math.min(b - a + 1, 65536) }, (_, i) => a + i);
  });
}

export const hostFirewallPolicy = hostFilesPolicy({
  name: "host-firewall",
  area: "host",
  description: "The nftables host firewall drops input by default and accepts new connections only on the ports the config enables (mirroring the security group), never SSH.",
  why: "Defence in depth: if the security group is ever widened by hand, the host still exposes only mail and HTTPS.",
}, (files, report, { facts }) => {
  const nft = filesMatching(files, /^\/etc\/nftables\.conf$/).at(-1);
  if (!nft) { report("the host gets no /etc/nftables.conf"); return; }
  const text = nft.content.replace(/#.*$/gm, "");
  if (!/hook input[^;]*;\s*policy drop;/.test(text)) report("nftables: the input chain does not have `policy drop`");
  const allowed = allowedInboundPorts(facts);
  for (const m of text.matchAll(/\b(tcp|udp) dport (\{[^}]*\}|[0-9-]+)[^\n]*\baccept\b/g)) {
    const extra = nftPorts(m[2] ?? "").filter((p) => m[1] === "udp" || !allowed.has(p));
    if (extra.length > 0) report(`nftables accepts ${m[1]} ${extra.slice(0, 10).join(", ")}, which the config does not enable${extra.includes(22) ? " (SSH)" : ""}`);
  }
});

const LOCAL_BIND = /^"?(localhost|127\.0\.0\.1|\[?::1\]?|\/[^"]*)(:\d+)?"?$/;

export const localServicesPolicy = hostFilesPolicy({
  name: "host-local-services",
  area: "host",
  description: "Internal daemons listen on loopback only: Rspamd controller and proxy (milter) bind to localhost, unbound answers only 127.0.0.1/::1.",
  why: "An exposed Rspamd controller can rewrite spam rules and learn mail; an open resolver is used for DNS amplification attacks.",
}, (files, report) => {
  for (const worker of ["worker-controller", "worker-proxy"]) {
    const f = filesMatching(files, new RegExp(`^/etc/rspamd/(local|override)\\.d/${worker}\\.inc$`)).at(-1);
    if (!f) { report(`the host gets no /etc/rspamd/local.d/${worker}.inc (Rspamd's default binds the controller to all addresses)`); continue; }
    for (const m of f.content.matchAll(/^\s*bind_socket\s*=\s*([^;]+);/gm)) {
      if (!LOCAL_BIND.test((m[1] ?? "").trim())) report(`Rspamd ${worker} binds to ${(m[1] ?? "").trim()}; bind it to localhost`);
    }
  }
  const unbound = filesMatching(files, /^\/etc\/unbound\/unbound\.conf(\.d\/.*)?$/);
  for (const f of unbound) {
    for (const m of f.content.matchAll(/^\s*interface:\s*(\S+)/gm)) if (!/^(127\.0\.0\.1|::1)(@\d+)?$/.test(m[1] ?? "")) report(`unbound listens on ${m[1]}; only 127.0.0.1 and ::1`);
    for (const m of f.content.matchAll(/^\s*access-control:\s*(\S+)\s+allow/gm)) if (!/^(127\.0\.0\.0\/8|127\.0\.0\.1(\/32)?|::1(\/128)?)$/.test(m[1] ?? "")) report(`unbound allows queries from ${m[1]}; it must not be an open resolver`);
  }
});
