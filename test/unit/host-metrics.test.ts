// The host metrics table (infra/core/host-metrics.ts) as a specification: which metrics the host
// publishes, the alarm each gets, the runbooks they link to, what mailfort.env tells the host, and
// (evaluated the way CloudWatch does, with the lab's evaluator) that a healthy server, and one
// just probed by the lab's brute-force checks, raises no alarm while an attack or an outage does.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { HOST_METRICS, type HostAlarm, hostAlarms, metricsEnvTokens } from "../../infra/core/host-metrics";
import { DATA_DIR, WATCHED_MOUNTS, renderHostFiles } from "../../infra/core/host";
import { evaluateAlarm } from "../../lab/aws/alarms";
import type { PlannedAlarm } from "../../lab/aws/plan";
import { stackConfig as loadStack } from "./dns-fixtures";

const ROOT = resolve(__dirname, "../..");
const alarms = hostAlarms(WATCHED_MOUNTS, DATA_DIR);

describe("the table", () => {
  it("states each metric once, with the alarm ids CloudWatch resources are named by", () => {
    expect(alarms.map((a) => [a.id, a.metric.name, a.dimensions])).toEqual([
      ["root-disk", "disk_used_percent", { path: "/" }],
      ["data-disk", "disk_used_percent", { path: "/srv/mailfort" }],
      ["queue-active", "queue_active", {}],
      ["queue-deferred", "queue_deferred", {}],
      ["deliveries-deferred", "deliveries_deferred", {}],
      ["deliveries-bounced", "deliveries_bounced", {}],
      ["smtp-auth-failures", "smtp_auth_failures", {}],
      ["imap-login-failures", "imap_login_failures", {}],
      ["fail2ban-banned", "fail2ban_banned", {}],
      ["rspamd-rejects", "rspamd_rejects", {}],
      ["outbound-top-sender", "outbound_top_sender", {}],
      ["cert-expiry", "cert_days_left", {}],
      ["dnsbl-listed", "dnsbl_listed", {}],
      ["reboot-required", "reboot_required_hours", {}],
      ["suspended-senders", "suspended_senders", {}],
      ["report-alerts", "report_alerts", {}],
    ]);
    for (const key of ["name", "collector", "alarmId"] as const) expect(new Set(HOST_METRICS.map((m) => m[key])).size, key).toBe(HOST_METRICS.length);
  });

  it("keeps periods CloudWatch and a fresh instance can judge: whole minutes up to five, at most a day evaluated", () => {
    for (const m of HOST_METRICS) {
      expect([60, 300], m.name).toContain(m.period);
      expect(m.datapointsToAlarm, m.name).toBeLessThanOrEqual(m.evaluationPeriods);
      expect(m.period * m.evaluationPeriods, m.name).toBeLessThanOrEqual(86_400);
    }
  });

  it("gives every alarm a one-line description ending in a runbook section that exists in docs/operations.md", () => {
    const doc = readFileSync(join(ROOT, "docs/operations.md"), "utf8");
    const slugs = new Set([...doc.matchAll(/^#{2,4} (.+)$/gm)].map((h) => h[1]!.toLowerCase().replace(/[^a-z0-9 -]/g, "").trim().replace(/ /g, "-")));
    for (const a of alarms) {
      expect(a.description, a.id).not.toMatch(/[\r\n]/);
      const anchor = a.description.match(/\(docs\/operations\.md#([a-z0-9-]+)\)$/)?.[1];
      expect(anchor, a.id).toBe(a.metric.anchor);
      expect(slugs, `docs/operations.md has no section #${anchor}`).toContain(anchor);
    }
    expect(alarms.find((a) => a.id === "data-disk")?.description).toMatch(/^\/srv\/mailfort is more than 80% full/);
    expect(alarms.find((a) => a.id === "suspended-senders")?.description).toBe("an account was suspended for sending like a hijacked account: check it, then lift with `mailfort-containment lift <address>` (docs/operations.md#suspended-sender)");
  });

  it("hands the host exactly the table's names and units in mailfort.env", () => {
    const env = renderHostFiles(loadStack("lab")).find((f) => f.path === "/etc/mailfort/mailfort.env")?.content ?? "";
    const line = env.match(/^MAILFORT_METRICS="([^"]*)"$/m)?.[1];
    expect(line?.trim().split(" ")).toEqual(metricsEnvTokens());
    expect(metricsEnvTokens()).toContain("suspended_senders:suspended_senders:Count");
    expect(metricsEnvTokens()).toContain("disk:disk_used_percent:Percent");
  });
});

describe("mailfort-metrics --print on this machine", () => {
  it("knows a collector for every metric mailfort.env names, and prints or names each one", () => {
    const dir = mkdtempSync(join(tmpdir(), "mailfort-print-"));
    try {
      const env = renderHostFiles(loadStack("lab")).find((f) => f.path === "/etc/mailfort/mailfort.env")?.content ?? "";
      writeFileSync(join(dir, "mailfort.env"), env);
      const r = spawnSync("python3", [join(ROOT, "configs/bin/mailfort-metrics"), "--print"], {
        encoding: "utf8", timeout: 60_000,
        env: { ...process.env, MAILFORT_ENV: join(dir, "mailfort.env"), MAILFORT_LIB: join(ROOT, "configs/lib") },
      });
      expect(r.stderr).not.toMatch(/no collector/);
      const printed = new Set((JSON.parse(r.stdout) as Array<{ MetricName: string }>).map((p) => p.MetricName));
      const failed = new Set([...r.stderr.matchAll(/^mailfort-metrics: (\S+): not measured this minute/gm)].map((m) => m[1]));
      for (const m of HOST_METRICS) expect(printed.has(m.name) || failed.has(m.name), `${m.name} neither printed nor reported`).toBe(true);
      // What needs no daemon is measured anywhere; the exit status says whether something was not.
      for (const name of ["reboot_required_hours", "suspended_senders", "disk_used_percent"]) expect(printed, name).toContain(name);
      expect(r.status).toBe(failed.size > 0 ? 1 : 0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** An alarm as the lab plans it (what the synth gives CloudWatch). */
const planned = (a: HostAlarm): PlannedAlarm => ({
  name: a.id, namespace: "mailfort", metricName: a.metric.name, dimensions: a.dimensions, statistic: a.metric.statistic, period: a.metric.period,
  evaluationPeriods: a.metric.evaluationPeriods, datapointsToAlarm: a.metric.datapointsToAlarm, threshold: a.metric.threshold,
  comparisonOperator: a.metric.comparison, treatMissingData: a.metric.treatMissingData,
});

const NOW = 1_800_000_000;
/** Per-period statistics of the last hour, from a function of minutes ago (0 = the latest minute). */
function series(a: HostAlarm, perMinute: (minutesAgo: number) => number) {
  const p = a.metric.period;
  const end = Math.floor(NOW / p) * p;
  return Array.from({ length: 3600 / p }, (_, i) => end - (i + 1) * p).map((start) => {
    const minutes = Array.from({ length: p / 60 }, (_, k) => perMinute(Math.round((NOW - (start + k * 60)) / 60)));
    const value = a.metric.statistic === "Sum" ? minutes.reduce((x, y) => x + y, 0) : a.metric.statistic === "Minimum" ? Math.min(...minutes) : Math.max(...minutes);
    return { time: start, value };
  });
}

/** A healthy server's per-minute values, including the lab's brute-force burst a few minutes ago. */
const HEALTHY: Record<string, (ago: number) => number> = {
  disk_used_percent: () => 31, queue_active: () => 0, queue_deferred: () => 3, deliveries_deferred: () => 1, deliveries_bounced: (ago) => (ago === 4 ? 2 : 0),
  // The lab's brute-force checks: a handful of sources, each banned after maxRetry (3 for SMTP
  // AUTH, 5 for IMAP; the webmail's login jail adds a few IMAP failures), within two minutes.
  smtp_auth_failures: (ago) => (ago >= 5 && ago <= 6 ? 6 : 0), imap_login_failures: (ago) => (ago >= 4 && ago <= 5 ? 8 : 0),
  fail2ban_banned: (ago) => (ago <= 8 ? 6 : 0), rspamd_rejects: (ago) => (ago === 3 ? 4 : 0), outbound_top_sender: (ago) => (ago === 10 ? 12 : 1),
  cert_days_left: () => 89.5, dnsbl_listed: () => 0, reboot_required_hours: () => 0, suspended_senders: () => 0,
  report_alerts: () => 0,
};

/** What each alarm is for: a sustained attack or outage, per minute. */
const BROKEN: Record<string, (ago: number) => number> = {
  disk_used_percent: () => 93, queue_active: () => 450, queue_deferred: () => 300, deliveries_deferred: () => 20, deliveries_bounced: () => 8,
  smtp_auth_failures: () => 12, imap_login_failures: () => 9, fail2ban_banned: () => 340, rspamd_rejects: () => 40, outbound_top_sender: () => 120,
  cert_days_left: () => 6, dnsbl_listed: () => 1, reboot_required_hours: () => 80, suspended_senders: () => 1,
  report_alerts: () => 1,
};

describe("thresholds: quiet on a healthy server, loud on the trouble each is for", () => {
  it.each(alarms.map((a) => [a.id, a] as const))("%s", (_, a) => {
    const healthy = evaluateAlarm(planned(a), series(a, HEALTHY[a.metric.name]!), NOW);
    expect(healthy.state, healthy.detail).toBe("OK");
    const broken = evaluateAlarm(planned(a), series(a, BROKEN[a.metric.name]!), NOW);
    expect(broken.state, broken.detail).toBe("ALARM");
  });
});

describe("the induced faults' figures reach their alarms (lab/faults)", () => {
  const byId = (id: string) => alarms.find((a) => a.id === id) as HostAlarm;
  it.each(["smtp-auth-failures", "imap-login-failures"])("%s: twenty failed logins within one 5-minute period page, nineteen do not", (id) => {
    const a = byId(id);
    // All of them published in one minute of the last complete period.
    expect(evaluateAlarm(planned(a), series(a, (ago) => (ago === 3 ? 20 : 0)), NOW).state).toBe("ALARM");
    expect(evaluateAlarm(planned(a), series(a, (ago) => (ago === 3 ? 19 : 0)), NOW).state).toBe("OK");
  });
  it("queue-deferred pages after five minutes over 100, not after four", () => {
    const a = byId("queue-deferred");
    expect(evaluateAlarm(planned(a), series(a, (ago) => (ago <= 5 ? 110 : 2)), NOW).state).toBe("ALARM");
    expect(evaluateAlarm(planned(a), series(a, (ago) => (ago <= 4 ? 110 : 2)), NOW).state).toBe("OK");
  });
  it("report-alerts pages after three minutes with an alert in the reports, not on one odd publication", () => {
    const a = byId("report-alerts");
    expect(evaluateAlarm(planned(a), series(a, (ago) => (ago <= 3 ? 1 : 0)), NOW).state).toBe("ALARM");
    expect(evaluateAlarm(planned(a), series(a, (ago) => (ago === 2 ? 1 : 0)), NOW).state).toBe("OK");
  });
  it("dnsbl-listed pages on three listed minutes of five, not on one odd answer", () => {
    const a = byId("dnsbl-listed");
    expect(evaluateAlarm(planned(a), series(a, (ago) => (ago <= 3 ? 1 : 0)), NOW).state).toBe("ALARM");
    expect(evaluateAlarm(planned(a), series(a, (ago) => (ago === 2 ? 1 : 0)), NOW).state).toBe("OK");
  });
});

