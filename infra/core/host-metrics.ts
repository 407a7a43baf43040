// The metrics the host publishes itself (configs/bin/mailfort-metrics, python3-boto3 on a
// timer; no CloudWatch agent, which Debian does not package), stated once, each with its alarm:
// the alarms (infra/aws/alarms.ts) are generated from HOST_METRICS, the host is told the names
// and units through mailfort.env (MAILFORT_METRICS), the instance role may publish only into
// this namespace, the policy pack checks that every published metric has its alarm and every
// alarm's metric is published, and the lab checks that every alarm's metric arrives and that
// none is in ALARM on its healthy server.
//
// Periods are at most five minutes: a new instance must have complete periods to judge within
// minutes (the lab judges ~30 minutes after boot), and a count per five minutes sustained over
// three periods separates an attack or an outage from the bursts a working server has.
// Missing data is "missing" everywhere: with the insufficient-data action, a metric that stops
// arriving notifies (INSUFFICIENT_DATA), while a new instance that has not yet published is not
// paged as broken ("breaching" would alarm on every replacement).

export const HOST_METRICS_NAMESPACE = "mailfort";

/** Percent of a filesystem's blocks in use (as `df` counts them), per instance and mount. */
export const DISK_USED_METRIC = "disk_used_percent";

/** The count of suspended senders (mailfort-containment's list): the lab's containment check watches its alarm. */
export const SUSPENDED_SENDERS_METRIC = "suspended_senders";

/** Alerts in the DMARC and TLS-RPT reports (mailfort-reports): the lab's report check reads its metric. */
export const REPORT_ALERTS_METRIC = "report_alerts";

/** Seconds between two publications: one datapoint per one-minute period. */
export const PUBLISH_INTERVAL_SECONDS = 60;

export type Comparison = "GreaterThanThreshold" | "GreaterThanOrEqualToThreshold" | "LessThanThreshold";

export interface HostMetric {
  /** The collector in configs/lib/mailfort_collectors.py's publisher (mailfort-metrics) that measures it. */
  readonly collector: string;
  /** CloudWatch metric name, in HOST_METRICS_NAMESPACE. */
  readonly name: string;
  /** CloudWatch unit of the datapoints. */
  readonly unit: "Count" | "Percent" | "None";
  /** Dimensions beyond InstanceId: "path" = one series (and one alarm) per watched mount. */
  readonly perMount: boolean;
  /** Alarm resource suffix (per mount: the mount's id is appended). */
  readonly alarmId: string;
  readonly statistic: "Maximum" | "Minimum" | "Sum";
  readonly period: number;
  readonly evaluationPeriods: number;
  readonly datapointsToAlarm: number;
  readonly threshold: number;
  readonly comparison: Comparison;
  readonly treatMissingData: "missing";
  /** What is wrong and what to do, one line, without the runbook link (appended from `anchor`). */
  readonly runbook: string;
  /** Section of docs/operations.md. */
  readonly anchor: string;
}

const MINUTE = PUBLISH_INTERVAL_SECONDS;
const FIVE_MINUTES = 5 * MINUTE;

/**
 * Failed logins (per protocol) in one 5-minute period that page: fail2ban bans an address after a
 * few failures (infra/config: bruteForce.maxRetry), so twenty within 5 minutes come from many
 * addresses at once, the guessing run that per-address bans do not stop. A healthy server's own
 * users mistype far less; the lab's attack checks stay below it.
 */
export const AUTH_FAILURES_PER_5_MINUTES = 20;

export const HOST_METRICS: readonly HostMetric[] = [
  {
    collector: "disk", name: DISK_USED_METRIC, unit: "Percent", perMount: true, alarmId: "disk",
    // Five minutes in a row over 80 %: a log burst that is rotated away does not page.
    statistic: "Maximum", period: MINUTE, evaluationPeriods: 5, datapointsToAlarm: 5, threshold: 80, comparison: "GreaterThanThreshold", treatMissingData: "missing",
    runbook: "{path} is more than 80% full, or the host stopped publishing its disk usage: free space or grow the volume", anchor: "disk-usage",
  },
  {
    collector: "queue_active", name: "queue_active", unit: "Count", perMount: false, alarmId: "queue-active",
    // qmgr moves at most a few hundred messages into active at once and drains it in seconds;
    // over 200 for ten minutes means deliveries are stuck (LMTP, Rspamd or the network).
    statistic: "Maximum", period: MINUTE, evaluationPeriods: 10, datapointsToAlarm: 10, threshold: 200, comparison: "GreaterThanThreshold", treatMissingData: "missing",
    runbook: "more than 200 messages in Postfix's active queue for 10 minutes: deliveries are stuck; see `postqueue -p` and the journal of postfix, dovecot and rspamd", anchor: "queue-active",
  },
  {
    collector: "queue_deferred", name: "queue_deferred", unit: "Count", perMount: false, alarmId: "queue-deferred",
    // A few deferred messages (a remote greylists us, a domain is down) are normal; 100 held is
    // a remote blocking us, a DNS problem or a spam run queued for retry. Every minute for 5: a
    // small server's users never defer a hundred messages between them (the per-user hourly
    // limit keeps one account far below that), so a pile-up is news after 5 minutes, and the
    // operator hears of it while the messages still have days of retries ahead.
    statistic: "Maximum", period: MINUTE, evaluationPeriods: 5, datapointsToAlarm: 5, threshold: 100, comparison: "GreaterThanThreshold", treatMissingData: "missing",
    runbook: "more than 100 messages deferred for 5 minutes: see `postqueue -p` for the reason (remote blocking us, DNS, a spam run)", anchor: "queue-deferred",
  },
  {
    collector: "deferred", name: "deliveries_deferred", unit: "Count", perMount: false, alarmId: "deliveries-deferred",
    // Counted per delivery attempt: retries of a few stuck messages add up slowly (Postfix backs
    // off to an hour); more than 50 per five minutes for 15 minutes is many messages failing.
    statistic: "Sum", period: FIVE_MINUTES, evaluationPeriods: 3, datapointsToAlarm: 3, threshold: 50, comparison: "GreaterThanThreshold", treatMissingData: "missing",
    runbook: "more than 50 deferred delivery attempts in each of 15 minutes: read the status= reasons in the postfix journal (blocklisted, DNS, remote down)", anchor: "deliveries-deferred",
  },
  {
    collector: "bounced", name: "deliveries_bounced", unit: "Count", perMount: false, alarmId: "deliveries-bounced",
    // A person's typo bounces once; 20 bounces in each of three five-minute periods is a
    // mailing to bad addresses, a hijacked account's spam run or a remote refusing us outright.
    statistic: "Sum", period: FIVE_MINUTES, evaluationPeriods: 3, datapointsToAlarm: 3, threshold: 20, comparison: "GreaterThanThreshold", treatMissingData: "missing",
    runbook: "more than 20 bounces in each of 15 minutes: find the sender and the reason in the postfix journal (status=bounced); a hijacked account is suspended with mailfort-containment", anchor: "deliveries-bounced",
  },
  {
    collector: "smtp_auth_failures", name: "smtp_auth_failures", unit: "Count", perMount: false, alarmId: "smtp-auth-failures",
    // One 5-minute period at AUTH_FAILURES_PER_5_MINUTES (why twenty: there).
    statistic: "Sum", period: FIVE_MINUTES, evaluationPeriods: 1, datapointsToAlarm: 1, threshold: AUTH_FAILURES_PER_5_MINUTES, comparison: "GreaterThanOrEqualToThreshold", treatMissingData: "missing",
    runbook: "20 or more failed SMTP AUTH logins within 5 minutes: password guessing that fail2ban's per-address bans are not stopping (many addresses, a few tries each); check the targeted accounts' passwords and `fail2ban-client status`", anchor: "auth-failures",
  },
  {
    collector: "imap_login_failures", name: "imap_login_failures", unit: "Count", perMount: false, alarmId: "imap-login-failures",
    // As SMTP AUTH: a rate no single banned source can produce.
    statistic: "Sum", period: FIVE_MINUTES, evaluationPeriods: 1, datapointsToAlarm: 1, threshold: AUTH_FAILURES_PER_5_MINUTES, comparison: "GreaterThanOrEqualToThreshold", treatMissingData: "missing",
    runbook: "20 or more failed IMAP/POP3 logins within 5 minutes: password guessing that fail2ban's per-address bans are not stopping (many addresses, a few tries each); check the targeted accounts' passwords and `fail2ban-client status`", anchor: "auth-failures",
  },
  {
    collector: "fail2ban_banned", name: "fail2ban_banned", unit: "Count", perMount: false, alarmId: "fail2ban-banned",
    // A public mail server always has a few scanners banned (the lab bans its attackers too);
    // more than 100 distinct addresses at once for 15 minutes is a botnet at the door.
    statistic: "Maximum", period: FIVE_MINUTES, evaluationPeriods: 3, datapointsToAlarm: 3, threshold: 100, comparison: "GreaterThanThreshold", treatMissingData: "missing",
    runbook: "more than 100 addresses banned by fail2ban for 15 minutes: a distributed attack; see `fail2ban-client banned` and the auth failure alarms", anchor: "fail2ban-bans",
  },
  {
    collector: "rspamd_rejects", name: "rspamd_rejects", unit: "Count", perMount: false, alarmId: "rspamd-rejects",
    // Rejected spam is Rspamd doing its job; 100 rejects in each of three five-minute periods
    // is a spam wave worth knowing about, or legitimate mail (or our own users) being refused.
    statistic: "Sum", period: FIVE_MINUTES, evaluationPeriods: 3, datapointsToAlarm: 3, threshold: 100, comparison: "GreaterThanThreshold", treatMissingData: "missing",
    runbook: "Rspamd rejected more than 100 messages in each of 15 minutes: check `rspamc stat` and the postfix journal (milter-reject) for a spam wave, a false-positive rule or a local sender", anchor: "rspamd-rejects",
  },
  {
    collector: "top_sender", name: "outbound_top_sender", unit: "Count", perMount: false, alarmId: "outbound-top-sender",
    // The busiest authenticated sender's submissions in a minute. A person sends a few a
    // minute; 30 a minute in three of five minutes is a script (the lab's rate-limit check
    // sends a dozen in all).
    statistic: "Maximum", period: MINUTE, evaluationPeriods: 5, datapointsToAlarm: 3, threshold: 30, comparison: "GreaterThanThreshold", treatMissingData: "missing",
    runbook: "one account submitted more than 30 messages a minute: find it (sasl_username= in the postfix journal); if it is hijacked, suspend it with mailfort-containment", anchor: "outbound-top-sender",
  },
  {
    collector: "cert_days_left", name: "cert_days_left", unit: "None", perMount: false, alarmId: "cert-expiry",
    // certbot renews 30 days before expiry, twice a day: 14 days left means two weeks of failed
    // renewals, still time to fix it before clients refuse the server.
    statistic: "Minimum", period: FIVE_MINUTES, evaluationPeriods: 1, datapointsToAlarm: 1, threshold: 14, comparison: "LessThanThreshold", treatMissingData: "missing",
    runbook: "the served TLS certificate expires in less than 14 days: renewal is failing; run `systemctl start mailfort-cert` and read its journal", anchor: "certificate-expiry",
  },
  {
    collector: "dnsbl_listed", name: "dnsbl_listed", unit: "Count", perMount: false, alarmId: "dnsbl-listed",
    // Listed in 3 of the last 5 minutes (each minute asks the lists afresh through the local
    // unbound): one odd answer does not page, a listing does within minutes, because from then on
    // every receiver that uses the list refuses the server's mail.
    statistic: "Maximum", period: MINUTE, evaluationPeriods: 5, datapointsToAlarm: 3, threshold: 1, comparison: "GreaterThanOrEqualToThreshold", treatMissingData: "missing",
    runbook: "the server's IPv4 is listed on a configured DNSBL: find the list in `journalctl -u mailfort-metrics`, stop the cause (a hijacked account?), then request delisting", anchor: "dnsbl-listed",
  },
  {
    collector: "reboot_required_hours", name: "reboot_required_hours", unit: "None", perMount: false, alarmId: "reboot-required",
    // Unattended upgrades never reboot (a reboot is a mail outage); three days is long enough to
    // pick a quiet hour and short enough that a patched kernel or libc does not wait for weeks.
    statistic: "Maximum", period: FIVE_MINUTES, evaluationPeriods: 1, datapointsToAlarm: 1, threshold: 72, comparison: "GreaterThanThreshold", treatMissingData: "missing",
    runbook: "a security update has waited more than 72 hours for a reboot: reboot in a quiet hour (or replace the instance)", anchor: "reboot-required",
  },
  {
    collector: "suspended_senders", name: SUSPENDED_SENDERS_METRIC, unit: "Count", perMount: false, alarmId: "suspended-senders",
    // Any suspension is news: a person cannot send until an admin looks.
    statistic: "Maximum", period: MINUTE, evaluationPeriods: 1, datapointsToAlarm: 1, threshold: 1, comparison: "GreaterThanOrEqualToThreshold", treatMissingData: "missing",
    runbook: "an account was suspended for sending like a hijacked account: check it, then lift with `mailfort-containment lift <address>`", anchor: "suspended-sender",
  },
  {
    collector: "report_alerts", name: REPORT_ALERTS_METRIC, unit: "Count", perMount: false, alarmId: "report-alerts",
    // The alerts of the DMARC and TLS-RPT reports of the last days (mailfort-reports, hourly): one
    // of the stack's own sources failing DMARC or signing without aligned DKIM, or TLS to the MX
    // failing, each above 2% of what the receivers saw. Any is news: receivers are rejecting or
    // quarantining our mail, or cannot reach us securely. Three minutes in a row, so one odd
    // publication does not page; it clears when the window no longer holds the failing reports.
    statistic: "Maximum", period: MINUTE, evaluationPeriods: 3, datapointsToAlarm: 3, threshold: 1, comparison: "GreaterThanOrEqualToThreshold", treatMissingData: "missing",
    runbook: "DMARC or TLS reports show the stack's own mail failing (an own source failing DMARC or without aligned DKIM, or TLS to the MX failing): read `mailfort-reports summary` on the host for the source, the receivers and the reason", anchor: "report-alerts",
  },
];

/** One alarm as data: a HostMetric bound to one series (one mount for per-mount metrics). */
export interface HostAlarm {
  readonly id: string;
  readonly metric: HostMetric;
  /** Dimensions beyond InstanceId. */
  readonly dimensions: Readonly<Record<string, string>>;
  /** One line, ending in its runbook link (without the stack prefix). */
  readonly description: string;
}

const mountId = (mount: string) => (mount === "/" ? "root" : mount.split("/").filter(Boolean).at(-1) ?? "root");

/** Every host alarm: one per metric, one per mount for per-mount metrics (ids as before: root-disk, data-disk). */
export function hostAlarms(mounts: readonly string[], dataDir: string): HostAlarm[] {
  return HOST_METRICS.flatMap((metric): HostAlarm[] => {
    const link = `(docs/operations.md#${metric.anchor})`;
    if (!metric.perMount) return [{ id: metric.alarmId, metric, dimensions: {}, description: `${metric.runbook} ${link}` }];
    return mounts.map((path) => ({
      id: `${path === "/" ? "root" : path === dataDir ? "data" : mountId(path)}-${metric.alarmId}`,
      metric, dimensions: { path }, description: `${metric.runbook.replace("{path}", path)} ${link}`,
    }));
  });
}

/** mailfort.env's MAILFORT_METRICS, one collector:name:unit token per metric (space-separated there). */
export function metricsEnvTokens(): string[] {
  return HOST_METRICS.map((m) => `${m.collector}:${m.name}:${m.unit}`);
}
