// Outbound TLS (objective 1 for the mail the server sends): DANE where the receiver signs its
// TLSA records, the receiver's MTA-STS policy where it has no DANE, and never MTA-STS over DANE
// (RFC 8461 section 2). Judged on the files the instance receives: Postfix's main.cf, the
// DANE-first policy map's unit, and the MTA-STS resolver's config. The pack keeps its own idea of
// where the DANE-first map listens (it does not import the renderer's).
import { hostFilesPolicy, lastFile, postfixOf } from "../lib/host-files";
import { listOf } from "../lib/postfix";

/** The DANE-first map (mailfort-tls-policy) as Postfix must name it. */
export const DANE_FIRST_MAP = "socketmap:inet:127.0.0.1:8462:postfix";
const DANE_FIRST_UNIT = "/etc/systemd/system/mailfort-tls-policy.service";
const RESOLVER_CONFIG = "/etc/mta-sts-daemon.yml";
const LOOPBACK = /^(127\.0\.0\.1|::1|localhost)$/;

export const outboundTlsPolicy = hostFilesPolicy({
  name: "host-postfix-outbound-tls",
  area: "host",
  description: "Direct delivery (outbound.mode direct): Postfix authenticates receivers by DANE (smtp_dns_support_level = dnssec, smtp_tls_security_level = dane) and asks the DANE-first policy map (mailfort-tls-policy, then the MTA-STS resolver on loopback) as its first TLS policy map, and never asks the MTA-STS resolver directly; the resolver binds loopback.",
  why: "Without DNSSEC lookups DANE is silently off; without the MTA-STS map a receiver's enforce policy is ignored and a downgrade attacker can strip STARTTLS; the resolver asked directly overrides DANE (its README warns of this, RFC 8461 section 2 forbids it).",
}, (files, report, { facts }) => {
  const pf = postfixOf(files, report);
  if (!pf) return;
  const main = (k: string) => pf.mainView.get(k);
  // Relayed through SES, Postfix talks to SES alone (smtp_tls_security_level secure there).
  if (facts.outboundMode === "ses") return;
  if (main("smtp_dns_support_level") !== "dnssec") report(`main.cf: smtp_dns_support_level is ${JSON.stringify(main("smtp_dns_support_level") ?? "unset")}; set dnssec, or Postfix never sees a DNSSEC-validated TLSA record and DANE is off`);
  if (!["dane", "dane-only"].includes(main("smtp_tls_security_level") ?? "")) report(`main.cf: smtp_tls_security_level is ${JSON.stringify(main("smtp_tls_security_level") ?? "unset")}; set dane (DANE where published, TLS when offered elsewhere)`);
  const maps = listOf(main("smtp_tls_policy_maps"));
  if (maps[0] !== DANE_FIRST_MAP) {
    report(`main.cf: smtp_tls_policy_maps is ${JSON.stringify(main("smtp_tls_policy_maps") ?? "unset")}; set ${DANE_FIRST_MAP} (mailfort-tls-policy: DANE first, then the receiver's MTA-STS policy)`);
  }
  const direct = maps.filter((m) => m !== DANE_FIRST_MAP && /^socketmap:/.test(m));
  if (direct.length > 0) report(`main.cf: smtp_tls_policy_maps also asks ${direct.join(", ")} directly; an MTA-STS answer there would override DANE (RFC 8461 section 2): only mailfort-tls-policy may ask the resolver`);
  const unit = lastFile(files, DANE_FIRST_UNIT);
  if (!unit) report(`the host gets no ${DANE_FIRST_UNIT}: nothing would answer smtp_tls_policy_maps and every outbound mail would wait`);
  else if (!/^ExecStart=\S*mailfort-tls-policy .*--port 8462\b/m.test(unit.content)) report(`${DANE_FIRST_UNIT} does not start mailfort-tls-policy on port 8462, where smtp_tls_policy_maps asks`);
  const resolver = lastFile(files, RESOLVER_CONFIG);
  const host = resolver ? /^host:\s*(\S+)\s*$/m.exec(resolver.content)?.[1] : undefined;
  if (!resolver) report(`the host gets no ${RESOLVER_CONFIG}: the MTA-STS resolver would run with its defaults`);
  else if (host === undefined || !LOOPBACK.test(host)) report(`${RESOLVER_CONFIG}: the MTA-STS resolver binds ${JSON.stringify(host ?? "(default)")}; bind it to 127.0.0.1`);
});
