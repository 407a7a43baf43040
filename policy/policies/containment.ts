// Containment of a hijacked account, judged on the files the instance receives: both submission
// services refuse a suspended login before anything else can permit it (check_sasl_access on the
// suspended list, keyed on the login itself), and the detector that fills that list is installed
// and, in prod, switched on (containment.enabled false in prod needs the stack's written reason:
// policy.relax config-containment-off).
import { hostFilesPolicy, lastFile, postfixOf } from "../lib/host-files";
import { listOf } from "../lib/postfix";

/** The map mailfort-containment writes; the pack's own copy (the product's is configs/bin/mailfort-containment). */
export const SUSPENDED_MAP = "/etc/postfix/maps/suspended-senders";
const SETTINGS = "/etc/mailfort/containment-settings";
const DETECTOR = "/usr/local/sbin/mailfort-containment";
const TIMER = "/etc/systemd/system/mailfort-containment.timer";
/** The config protection whose relaxation (with its reason) lets a prod stack switch detection off
 * (infra/config/protections-limits.ts; independent-lists.test.ts holds the two together). */
export const CONTAINMENT_RELAX_ID = "config-containment-off";

/** Where in a restriction list the suspended-login lookup sits, or -1. */
function suspendedLookupAt(list: readonly string[]): number {
  return list.findIndex((w, i) => w === "check_sasl_access" && new RegExp(`^[a-z]+:${SUSPENDED_MAP}$`).test(list[i + 1] ?? ""));
}

export const containmentPolicy = hostFilesPolicy({
  name: "host-containment",
  area: "host",
  description: `Both submission services (587, 465) refuse a suspended login: their smtpd_sender_restrictions hold check_sasl_access on ${SUSPENDED_MAP}, before any permit; the detector (${DETECTOR} and its timer) is installed, and in prod ${SETTINGS} switches it on (MAILFORT_CONTAINMENT=yes) unless the stack relaxes ${CONTAINMENT_RELAX_ID} with a reason.`,
  why: "A stolen password turns the server into a spam cannon; without an automatic suspension the spam keeps leaving under the server's name (and ruining its reputation) until someone notices.",
}, (files, report, { facts }) => {
  const pf = postfixOf(files, report);
  if (pf) {
    if (pf.submission.length === 0) report("master.cf defines no submission (587) / submissions (465) smtpd service");
    for (const v of pf.submission) {
      const sender = listOf(v.get("smtpd_sender_restrictions"));
      const at = suspendedLookupAt(sender);
      const permitted = sender.slice(0, Math.max(at, 0)).find((w) => w.startsWith("permit"));
      if (at < 0) report(`${v.label}: smtpd_sender_restrictions ${JSON.stringify(v.get("smtpd_sender_restrictions") ?? "unset")} has no check_sasl_access on ${SUSPENDED_MAP}: a suspended account could keep sending`);
      else if (permitted !== undefined) report(`${v.label}: ${permitted} comes before the suspended-login check in smtpd_sender_restrictions, so a suspended account is let through`);
    }
  }
  if (!lastFile(files, DETECTOR)) report(`the host gets no ${DETECTOR}: nothing suspends a hijacked account`);
  if (!lastFile(files, TIMER)) report(`the host gets no ${TIMER}: the detector never runs`);
  const settings = lastFile(files, SETTINGS);
  const enabled = /^MAILFORT_CONTAINMENT=yes$/m.test(settings?.content ?? "");
  if (!settings) report(`the host gets no ${SETTINGS}, so the detector has no thresholds`);
  else if (!enabled && facts.environment === "prod" && !facts.relax.some((r) => r.id === CONTAINMENT_RELAX_ID)) {
    report(`${SETTINGS} switches automatic suspension off on a prod stack: set containment.enabled true, or relax ${CONTAINMENT_RELAX_ID} with a reason`);
  }
});
