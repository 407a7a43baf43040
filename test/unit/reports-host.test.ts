// DMARC and TLS-RPT reports read on the host: the report addresses are the defaults of the DNS
// `rua`s, accepted as recipients and piped into the reader (never a mailbox), an explicit setting
// keeps working, and the host files state the pipe, its user, its limits and the own sources.
import { describe, expect, it } from "vitest";
import { ConfigError } from "../../infra/config";
import { dmarcRecords } from "../../infra/core/dns/dmarc";
import { tlsRptRecords } from "../../infra/core/dns/tlsrpt";
import { renderHostFiles } from "../../infra/core/host";
import { REPORTS_LIMITS, SES_SENDING_RANGES, renderedOwnSources, reportAddresses } from "../../infra/core/reports-host";
import { DEFAULT_LIMITS } from "../../reports/limits";
import { mailConfig, stackConfig } from "./dns-fixtures";

const text = (r: { values: readonly string[] }[]) => r.map((x) => x.values.join(""));
const fileOf = (files: ReturnType<typeof renderHostFiles>, path: string) => {
  const f = files.find((x) => x.path === path);
  if (f === undefined) throw new Error(`${path} is not rendered`);
  return f.content;
};

describe("the report addresses", () => {
  const cfg = mailConfig({ domains: [{ name: "example.com" }, { name: "example.net" }, { name: "example.org", sendsMail: false }] });

  it("are the default rua of DMARC and TLS-RPT, in each mail domain (no authorization record needed)", () => {
    const com = cfg.domains[0]!;
    expect(text(dmarcRecords(com))).toEqual(['"v=DMARC1; p=reject; sp=reject; adkim=r; aspf=r; rua=mailto:dmarc-reports@example.com"']);
    expect(text(tlsRptRecords(com))).toEqual(['"v=TLSRPTv1; rua=mailto:tls-reports@example.com"']);
    expect(reportAddresses(cfg)).toEqual(["dmarc-reports@example.com", "tls-reports@example.com", "dmarc-reports@example.net", "tls-reports@example.net"]);
  });

  it("are accepted by Postfix and piped into the reader, never delivered to a mailbox", () => {
    const files = renderHostFiles(cfg);
    const map = fileOf(files, "/etc/postfix/maps/report-addresses").split("\n").filter((l) => l && !l.startsWith("#"));
    expect(map).toEqual(reportAddresses(cfg).map((a) => `${a} mailfort-reports:`));
    const main = fileOf(files, "/etc/postfix/main.cf");
    expect(main).toMatch(/^virtual_mailbox_maps = texthash:\/etc\/postfix\/maps\/virtual-mailboxes, texthash:\/etc\/postfix\/maps\/report-addresses$/m);
    expect(main).toMatch(/^transport_maps = texthash:\/etc\/postfix\/maps\/report-addresses$/m);
    expect(main).toMatch(/^mailfort-reports_time_limit = 120s$/m);
    const master = fileOf(files, "/etc/postfix/master.cf");
    expect(master).toContain(`mailfort-reports unix -   n       n       -       ${REPORTS_LIMITS.processes}       pipe\n  user=mailfort-reports argv=/usr/local/sbin/mailfort-reports spool\n`);
    // The reader runs in its own unit on the spool, never inside Postfix's (no drop-in widens it).
    const ingest = fileOf(files, "/etc/systemd/system/mailfort-reports-ingest.service");
    for (const line of ["User=mailfort-reports", "ExecStart=/usr/local/sbin/mailfort-reports ingest-spool", `LimitAS=${REPORTS_LIMITS.addressSpaceMb * 1024 * 1024}`, "PrivateNetwork=yes", "NoNewPrivileges=yes", "ReadWritePaths=/srv/mailfort/reports"]) {
      expect(ingest.split("\n"), line).toContain(line);
    }
    expect(fileOf(files, "/etc/systemd/system/mailfort-reports-ingest.path").split("\n")).toContain("DirectoryNotEmpty=/srv/mailfort/reports/incoming");
    expect(files.some((f) => f.path.startsWith("/etc/systemd/system/postfix@"))).toBe(false);
    const settings = fileOf(files, "/etc/mailfort/reports-settings");
    expect(settings).toMatch(new RegExp(`^MAILFORT_REPORTS_HEAP_MB=${REPORTS_LIMITS.heapMb}$`, "m"));
    expect(settings).toMatch(new RegExp(`^MAILFORT_REPORTS_TIME_LIMIT=${REPORTS_LIMITS.timeLimitSeconds}$`, "m"));
    // The spool keeps what the reader reads at most: the two caps are one figure.
    expect(settings).toMatch(new RegExp(`^MAILFORT_REPORTS_MAIL_MAX_BYTES=${DEFAULT_LIMITS.maxMessageBytes}$`, "m"));
    expect(fileOf(files, "/usr/local/lib/mailfort/mailfort-reports.cjs")).toMatch(/^\/\/ mailfort-reports: /);
  });

  it("an explicit rua keeps working: an alias named like a report address stays an alias, and is not piped", () => {
    const prod = stackConfig("prod");
    expect(prod.domains[0]!.dmarc.rua).toEqual(["dmarc-reports@example.com"]);
    expect(prod.aliases.find((a) => a.from === "dmarc-reports@example.com")?.to).toEqual(["alice@example.com"]);
    expect(reportAddresses(prod)).toEqual(["tls-reports@example.com"]);
    const other = mailConfig({ domains: [{ name: "example.com", dmarc: { rua: ["postmaster@example.com", "reports@dmarc.example"] }, tlsRptRua: ["postmaster@example.com"] }] });
    expect(text(dmarcRecords(other.domains[0]!))[0]).toContain("rua=mailto:postmaster@example.com,mailto:reports@dmarc.example");
    expect(text(tlsRptRecords(other.domains[0]!))).toEqual(['"v=TLSRPTv1; rua=mailto:postmaster@example.com"']);
  });

  it("a piped report address may be a rua of another hosted domain, but not a ruf (failure reports would be dropped)", () => {
    expect(() => mailConfig({ domains: [{ name: "example.com", dmarc: { rua: ["dmarc-reports@example.net"] } }, { name: "example.net" }] })).not.toThrow();
    let error: unknown;
    try {
      mailConfig({ domains: [{ name: "example.com", dmarc: { ruf: ["dmarc-reports@example.com"] } }] });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect(String((error as Error).message)).toMatch(/domains\[0\]\.dmarc\.ruf\[0\]: dmarc-reports@example\.com is a report address, which reads aggregate reports only/);
  });
});

describe("the reader on the host", () => {
  it("runs as its own no-login user with a store on the data volume; own sources: SES's ranges only with SES", () => {
    const direct = mailConfig();
    const settings = fileOf(renderHostFiles(direct), "/etc/mailfort/reports-settings");
    expect(settings).toMatch(/^MAILFORT_REPORTS_USER=mailfort-reports$/m);
    expect(settings).toMatch(/^MAILFORT_REPORTS_ID=5001$/m);
    expect(settings).toMatch(/^MAILFORT_REPORTS_STORE=\/srv\/mailfort\/reports$/m);
    expect(settings).toMatch(/^MAILFORT_REPORTS_OWN=""$/m);
    expect(renderedOwnSources(direct)).toEqual([]);
    const ses = mailConfig({ outbound: { mode: "ses" } });
    expect(renderedOwnSources(ses)).toEqual(SES_SENDING_RANGES);
    expect(fileOf(renderHostFiles(ses), "/etc/mailfort/reports-settings")).toContain(`MAILFORT_REPORTS_OWN="${SES_SENDING_RANGES.join(" ")} "`);
  });

  it("the summary timer and the operator's command are shipped; nodejs is a host package", async () => {
    const { hostPackages } = await import("../../infra/core/host");
    const cfg = mailConfig();
    const files = renderHostFiles(cfg);
    expect(fileOf(files, "/etc/systemd/system/mailfort-reports.service")).toMatch(/^User=mailfort-reports$/m);
    expect(fileOf(files, "/etc/systemd/system/mailfort-reports.timer")).toMatch(/^OnCalendar=hourly$/m);
    expect(fileOf(files, "/usr/local/sbin/mailfort-reports")).toMatch(/^#!\/bin\/bash/);
    expect(hostPackages(cfg)).toContain("nodejs");
  });
});
