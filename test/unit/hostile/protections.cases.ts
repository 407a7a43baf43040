// Settings that would switch a protection of the security model off, each refused with the
// reason (and, where relaxable, how to relax it with a written reason).
import { type Cfg, type HostileCase, edited, setIn } from "../../support/hostile-stack";

const set = (setting: string, key: string, value: unknown) => edited((c: Cfg) => setIn(c, setting, key, value));
const relaxFix = (id: string) => new RegExp(`policy: \\{ relax: \\[\\{ id: ${id}, reason: `);
const DEFAULT_DNSBLS = [{ zone: "zen.spamhaus.org", weight: 3, filter: "127.0.0.[2..11]" }];

const exemption = (setting: string, key: string, what: RegExp): HostileCase[] => [
  { name: `${setting}.${key}: 0.0.0.0/0`, file: set(setting, key, ["0.0.0.0/0"]), path: `mailfort:${setting}.${key}[0]`, problem: /is the whole Internet: every client would be one/, fix: /list only the addresses you trust/ },
  { name: `${setting}.${key}: ::/0`, file: set(setting, key, ["203.0.113.0/24", "::/0"]), path: `mailfort:${setting}.${key}[1]`, problem: what, fix: /list only the addresses you trust/ },
  { name: `${setting}.${key}: ::0/0 written long-hand`, file: set(setting, key, ["0:0::0/0"]), path: `mailfort:${setting}.${key}[0]`, problem: /0:0::0\/0 is the whole Internet: every client would be one/, fix: /list only the addresses you trust/ },
  { name: `${setting}.${key}: half the IPv4 Internet`, file: set(setting, key, ["128.0.0.0/1"]), path: `mailfort:${setting}.${key}[0]`, problem: /covers 2\^31 public addresses/, fix: relaxFix("config-wide-exemption") },
  { name: `${setting}.${key}: a public /8`, file: set(setting, key, ["8.0.0.0/8"]), path: `mailfort:${setting}.${key}[0]`, problem: /covers 2\^24 public addresses/, fix: /narrow it to the network you run \(a \/24 or smaller\)/ },
  { name: `${setting}.${key}: an IPv6 /16`, file: set(setting, key, ["2001::/16"]), path: `mailfort:${setting}.${key}[0]`, problem: /covers 2\^112 public addresses/, fix: /\/48 or smaller/ },
  { name: `${setting}.${key}: host bits set`, file: set(setting, key, ["198.51.100.7/24"]), path: `mailfort:${setting}.${key}[0]`, problem: /198\.51\.100\.7\/24 has host bits set below its \/24; Postfix refuses/, fix: /write the network, 198\.51\.100\.0\/24, or the single address 198\.51\.100\.7/ },
  { name: `${setting}.${key}: the same entry twice (once in upper case)`, file: set(setting, key, ["2001:db8::/48", "2001:DB8::/48"]), path: `mailfort:${setting}.${key}[1]`, problem: /2001:DB8::\/48 is already listed at mailfort:\S+ \(as 2001:db8::\/48\)/, fix: /list it once/ },
];

export const PROTECTION_CASES: readonly HostileCase[] = [
  ...exemption("bruteForce", "ignoreIps", /::\/0 is the whole Internet: every client would be one fail2ban never bans/),
  ...exemption("antispam", "allowIps", /::\/0 is the whole Internet: every client would be one postscreen lets through/),
  { name: "a malformed IPv6 (:::) in ignoreIps", file: set("bruteForce", "ignoreIps", [":::"]), path: "mailfort:bruteForce.ignoreIps[0]", problem: /":::" is not an IP address or CIDR/, fix: /2001:db8::\/32/ },
  { name: "a malformed IPv6 (1:::2) in allowIps", file: set("antispam", "allowIps", ["1:::2"]), path: "mailfort:antispam.allowIps[0]", problem: /"1:::2" is not an IP address or CIDR/, fix: /write e\.g\./ },
  { name: "an IPv6 with nine groups", file: set("antispam", "blockIps", ["1:2:3:4:5:6:7:8:9"]), path: "mailfort:antispam.blockIps[0]", problem: /is not an IP address or CIDR/, fix: /write e\.g\./ },
  { name: "an IPv6 with a zone id", file: set("antispam", "blockIps", ["fe80::1%eth0"]), path: "mailfort:antispam.blockIps[0]", problem: /is not an IP address or CIDR/, fix: /write e\.g\./ },
  { name: "an IPv4 octet with a leading zero", file: set("antispam", "blockIps", ["192.0.2.010"]), path: "mailfort:antispam.blockIps[0]", problem: /is not an IP address or CIDR/, fix: /write e\.g\./ },
  { name: "blockIps: the whole Internet", file: set("antispam", "blockIps", ["0.0.0.0/0"]), path: "mailfort:antispam.blockIps[0]", problem: /every inbound message would be refused/, fix: /block only the senders you mean to/ },
  { name: "blockIps: loopback", file: set("antispam", "blockIps", ["127.0.0.1"]), path: "mailfort:antispam.blockIps[0]", problem: /covers loopback \(127\.0\.0\.1\)/, fix: /loopback is never an outside sender/ },
  { name: "blockIps: all of 127/8", file: set("antispam", "blockIps", ["127.0.0.0/8"]), path: "mailfort:antispam.blockIps[0]", problem: /covers loopback/, fix: /remove it/ },
  { name: "blockIps: IPv6 loopback", file: set("antispam", "blockIps", ["::1"]), path: "mailfort:antispam.blockIps[0]", problem: /covers loopback \(::1\)/, fix: /remove it/ },
  { name: "blockIps: a quarter of the Internet", file: set("antispam", "blockIps", ["64.0.0.0/2"]), path: "mailfort:antispam.blockIps[0]", problem: /blocks 2\^30 addresses, a large share of the Internet/, fix: relaxFix("config-wide-block") },
  { name: "blockIps: host bits set", file: set("antispam", "blockIps", ["10.1.1.1/16"]), path: "mailfort:antispam.blockIps[0]", problem: /has host bits set/, fix: /write the network, 10\.1\.0\.0\/16/ },
  { name: "a block inside an allowed range", file: edited((c) => { setIn(c, "antispam", "allowIps", ["203.0.113.0/24"]); setIn(c, "antispam", "blockIps", ["203.0.113.66"]); }), path: "mailfort:antispam.blockIps[0]", problem: /overlaps 203\.0\.113\.0\/24 .*the allow list wins/, fix: /remove the overlap/ },
  { name: "a block inside the second of two allowed ranges", file: edited((c) => { setIn(c, "antispam", "allowIps", ["203.0.113.0/24", "10.0.0.0/8"]); setIn(c, "antispam", "blockIps", ["192.0.2.1", "10.5.5.5"]); }), path: "mailfort:antispam.blockIps[1]", problem: /10\.5\.5\.5 overlaps 10\.0\.0\.0\/8/, fix: /remove the overlap/ },
  { name: "a block wider than an allowed address", file: edited((c) => { setIn(c, "antispam", "allowIps", ["10.0.0.0/8", "198.51.100.7"]); setIn(c, "antispam", "blockIps", ["198.51.0.0/16"]); }), path: "mailfort:antispam.blockIps[0]", problem: /198\.51\.0\.0\/16 overlaps 198\.51\.100\.7/, fix: /remove the overlap/ },
  { name: "an IPv6 block inside an IPv6 allow", file: edited((c) => { setIn(c, "antispam", "allowIps", ["192.0.2.0/24", "2001:db8::/48"]); setIn(c, "antispam", "blockIps", ["2001:db8:0:1::/64"]); }), path: "mailfort:antispam.blockIps[0]", problem: /overlaps 2001:db8::\/48/, fix: /remove the overlap/ },
  { name: "DNSBL threshold above every weight", file: set("antispam", "dnsblThreshold", 20), path: "mailfort:antispam.dnsblThreshold", problem: /is 20, but a client listed everywhere scores only 7/, fix: /set it to 7 or less/ },
  { name: "DNSBL threshold above the only list", file: edited((c) => { setIn(c, "antispam", "dnsbls", DEFAULT_DNSBLS); setIn(c, "antispam", "dnsblThreshold", 4); }), path: "mailfort:antispam.dnsblThreshold", problem: /scores only 3/, fix: /set it to 3 or less/ },
  { name: "DNSBL filter octet above 255", file: set("antispam", "dnsbls", [{ zone: "zen.spamhaus.org", weight: 3, filter: "127.0.0.999" }]), path: "mailfort:antispam.dnsbls[0].filter", problem: /has 999 in octet 4, above 255/, fix: /127\.0\.0\.\[2\.\.11\]/ },
  { name: "DNSBL filter with a backwards range", file: set("antispam", "dnsbls", [{ zone: "zen.spamhaus.org", weight: 3, filter: "127.0.0.[11..2]" }]), path: "mailfort:antispam.dnsbls[0].filter", problem: /range 11\.\.2 in octet 4, which runs backwards/, fix: /reply codes the list documents/ },
  { name: "DNSBL filter with a range above 255", file: set("antispam", "dnsbls", [{ zone: "zen.spamhaus.org", weight: 3, filter: "127.0.[0..300].2" }]), path: "mailfort:antispam.dnsbls[0].filter", problem: /has 300 in octet 3/, fix: /reply codes/ },
  { name: "the same DNSBL zone twice", file: set("antispam", "dnsbls", [...DEFAULT_DNSBLS, { zone: "zen.spamhaus.org", weight: 3 }]), path: "mailfort:antispam.dnsbls[1].zone", problem: /zen\.spamhaus\.org is already listed at antispam\.dnsbls\[0\]/, fix: /list the zone once/ },
  { name: "the same DNSBL zone with overlapping filters", file: set("antispam", "dnsbls", [{ zone: "b.example.net", weight: 2, filter: "127.0.0.[2..5]" }, { zone: "b.example.net", weight: 2, filter: "127.0.0.[4..9]" }]), path: "mailfort:antispam.dnsbls[1].zone", problem: /matches the same replies/, fix: /disjoint filters/ },
  { name: "no DNSBL at all", file: set("antispam", "dnsbls", []), path: "mailfort:antispam.dnsbls", problem: /lists no DNS block list/, fix: relaxFix("config-no-dnsbl") },
  { name: "only DNSBL allow lists", file: set("antispam", "dnsbls", [{ zone: "list.dnswl.org", weight: -2 }]), path: "mailfort:antispam.dnsbls", problem: /lists only allow lists \(negative weights\)/, fix: /zen\.spamhaus\.org/ },
  { name: "fail2ban allowing 100 failures", file: set("bruteForce", "maxRetry", 100), path: "mailfort:bruteForce.maxRetry", problem: /a password guesser gets 99 tries every 10 minutes/, fix: relaxFix("config-weak-bruteforce") },
  { name: "an AUTH rate limit of 1000 a minute", file: set("limits", "authAttemptsPerMinute", 1000), path: "mailfort:limits.authAttemptsPerMinute", problem: /could try 1440000 passwords a day/, fix: relaxFix("config-weak-auth-limit") },
  { name: "an outbound limit of 100000 an hour", file: set("limits", "outboundPerUserPerHour", 100000), path: "mailfort:limits.outboundPerUserPerHour", problem: /a stolen account could send that many messages an hour/, fix: relaxFix("config-high-outbound-limit") },
  { name: "self-signed TLS on a prod stack", file: set("tls", "mode", "self-signed"), path: "mailfort:tls.mode", problem: /is self-signed on a prod stack/, fix: relaxFix("config-untrusted-tls-in-prod") },
  { name: "ACME staging on a prod stack", file: set("tls", "mode", "acme-staging"), path: "mailfort:tls.mode", problem: /is acme-staging on a prod stack/, fix: /use tls\.mode: acme/ },
  { name: "a misspelled config relaxation", file: edited((c) => { setIn(c, "bruteForce", "ignoreIps", ["8.0.0.0/8"]); setIn(c, "policy", "relax", [{ id: "config-wide-exemptoin", reason: "our partner's whole network is trusted" }]); }), path: "mailfort:policy.relax[0].id", problem: /config-wide-exemptoin is not a relaxable config protection/, fix: /did you mean config-wide-exemption\?/ },
  { name: "a relaxation nothing needs", file: set("policy", "relax", [{ id: "config-no-dnsbl", reason: "left over from the lab setup" }]), path: "mailfort:policy.relax[0].id", problem: /relaxes config-no-dnsbl, but nothing in this stack needs it/, fix: /remove the relaxation/ },
  { name: "a relaxation listed twice", file: set("policy", "relax", [{ id: "dns-spf", reason: "a legacy sender until March" }, { id: "dns-spf", reason: "a legacy sender until April" }]), path: "mailfort:policy.relax[1].id", problem: /relaxes dns-spf a second time/, fix: /one entry per id/ },
  { name: "relaxing a protection that cannot be relaxed", file: edited((c) => { setIn(c, "bruteForce", "ignoreIps", ["0.0.0.0/0"]); setIn(c, "policy", "relax", [{ id: "config-wide-exemption", reason: "we trust everybody, really" }]); }), path: "mailfort:bruteForce.ignoreIps[0]", problem: /is the whole Internet/, fix: /list only the addresses you trust/ },
];
