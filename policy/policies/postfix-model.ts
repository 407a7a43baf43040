// Postfix settings the security model requires beyond TLS and relaying: bounded message size
// and recipients, content filtering that fails closed, senders limited to their own addresses,
// and postscreen's DNSBL weighting that can actually refuse a client. Judged per smtpd service
// (main.cf for port 25, master.cf overrides for 587/465), on the files the instance receives.
import { postfixPolicy } from "../lib/host-files";
import { listOf } from "../lib/postfix";
/** The largest message the config may allow (limits.messageSizeMb at most 100 MiB). */
const MAX_MESSAGE_BYTES = 100 * 1024 * 1024;
/** The most recipients per message the config may allow. */
const MAX_RECIPIENTS = 1000;

function bounded(value: string | undefined, max: number): number | undefined {
  const n = Number(value);
  return value !== undefined && Number.isInteger(n) && n > 0 && n <= max ? n : undefined;
}

export const postfixMessageLimitsPolicy = postfixPolicy({
  name: "host-postfix-message-limits",
  area: "host",
  description: `message_size_limit (at most ${MAX_MESSAGE_BYTES} bytes) and smtpd_recipient_limit (at most ${MAX_RECIPIENTS}) are set, non-zero and bounded on every smtpd service.`,
  why: "0 means unlimited: one client could fill the data volume with a single message or fan one message out to thousands of recipients (paper: size and recipient limits).",
}, (pf, report) => {
  for (const v of pf.all) {
    if (bounded(v.get("message_size_limit"), MAX_MESSAGE_BYTES) === undefined) report(`${v.label}: message_size_limit is ${JSON.stringify(v.get("message_size_limit") ?? "unset (10240000)")}; set a positive limit of at most ${MAX_MESSAGE_BYTES}`);
    if (bounded(v.get("smtpd_recipient_limit"), MAX_RECIPIENTS) === undefined) report(`${v.label}: smtpd_recipient_limit is ${JSON.stringify(v.get("smtpd_recipient_limit") ?? "unset (1000)")}; set a positive limit of at most ${MAX_RECIPIENTS}`);
  }
});

const RSPAMD_MILTER = /^(inet:(localhost|127\.0\.0\.1|\[::1\]):\d+|unix:\/\S+)$/;

export const postfixContentFilterPolicy = postfixPolicy({
  name: "host-postfix-content-filter",
  area: "host",
  description: "Every smtpd service and the local pickup hand mail to the content filter (an Rspamd milter on loopback), and a filter that does not answer defers mail (milter_default_action tempfail or reject, never accept).",
  why: "Without the milter, spam, viruses and forged senders pass unfiltered and outgoing mail goes unsigned; with default_action accept, a crashed Rspamd silently lets everything through.",
}, (pf, report) => {
  for (const v of pf.all) {
    const milters = listOf(v.get("smtpd_milters"));
    if (!milters.some((m) => RSPAMD_MILTER.test(m))) report(`${v.label}: smtpd_milters is ${JSON.stringify(v.get("smtpd_milters") ?? "unset")}; hand mail to Rspamd (inet:localhost:11332)`);
    const action = v.get("milter_default_action") ?? "tempfail";
    if (!["tempfail", "reject"].includes(action)) report(`${v.label}: milter_default_action is ${JSON.stringify(action)}; set tempfail, so mail waits while the filter is down`);
  }
  if (listOf(pf.mainView.get("non_smtpd_milters")).length === 0) report("main.cf: non_smtpd_milters is unset; locally submitted mail would skip the filter (and DKIM signing)");
});

const LOGIN_MISMATCH = ["reject_sender_login_mismatch", "reject_authenticated_sender_login_mismatch", "reject_known_sender_login_mismatch"];

export const postfixSenderLoginPolicy = postfixPolicy({
  name: "host-postfix-sender-login",
  area: "host",
  description: "smtpd_sender_login_maps is set and every submission service refuses a sender address its login does not own (reject_*sender_login_mismatch).",
  why: "Without it any authenticated user, or a stolen password, can send as the CEO or any other address of the domain (paper: access control).",
}, (pf, report) => {
  if (pf.submission.length === 0) report("master.cf defines no submission (587) / submissions (465) smtpd service");
  for (const v of pf.submission) {
    if (!v.get("smtpd_sender_login_maps")) report(`${v.label}: smtpd_sender_login_maps is unset; map each address to the logins that may send as it`);
    const restrictions = ["smtpd_sender_restrictions", "smtpd_recipient_restrictions", "smtpd_relay_restrictions", "smtpd_client_restrictions"].flatMap((k) => listOf(v.get(k)));
    if (!restrictions.some((r) => LOGIN_MISMATCH.includes(r))) report(`${v.label}: no reject_sender_login_mismatch in its restrictions; add it to smtpd_sender_restrictions`);
  }
});

/** `zone[=filter]*weight` entries of postscreen_dnsbl_sites; the weight defaults to 1. */
function dnsblWeights(value: string | undefined): Array<{ zone: string; weight: number }> {
  return listOf(value).map((site) => {
    const m = /^([^=*]+)(?:=[^*]+)?(?:\*(-?\d+))?$/.exec(site);
    return { zone: m?.[1] ?? site, weight: Number(m?.[2] ?? 1) };
  });
}

export const postscreenDnsblPolicy = postfixPolicy({
  name: "host-postfix-postscreen-dnsbl",
  area: "host",
  description: "Port 25 is served by postscreen, which consults at least one DNSBL of positive weight, with a threshold a listed client can reach, and enforces the verdict (postscreen_dnsbl_action enforce or drop).",
  why: "DNSBL weighting is the security model's first filter against known spam sources; a threshold above the weights or action ignore switches it off silently.",
}, (pf, report) => {
  const smtp = pf.master.find((s) => s.type === "inet" && /(^|:)(smtp|25)$/.test(s.service));
  if (smtp?.command !== "postscreen") report(`master.cf: port 25 (smtp inet) runs ${JSON.stringify(smtp?.command ?? "nothing")}, not postscreen`);
  const sites = dnsblWeights(pf.main.get("postscreen_dnsbl_sites"));
  const reachable = sites.reduce((sum, s) => sum + Math.max(0, s.weight), 0);
  if (reachable === 0) report(`main.cf: postscreen_dnsbl_sites ${JSON.stringify(pf.main.get("postscreen_dnsbl_sites") ?? "unset")} lists no DNSBL of positive weight`);
  const threshold = Number(pf.main.get("postscreen_dnsbl_threshold") ?? 1);
  if (reachable > 0 && !(threshold > 0 && threshold <= reachable)) report(`main.cf: postscreen_dnsbl_threshold is ${threshold}, but a client listed everywhere scores ${reachable}`);
  const action = pf.main.get("postscreen_dnsbl_action") ?? "ignore";
  if (!["enforce", "drop"].includes(action)) report(`main.cf: postscreen_dnsbl_action is ${JSON.stringify(action)}; set enforce`);
});
