// DMARC and TLS-RPT reports read on the host (docs/reports.md), judged on the files the instance
// receives: the report addresses are routed (transport_maps) to a pipe(8) service that only spools
// the mail, as an unprivileged user of its own, with a process limit; a path unit starts the
// reader's own unit on the spool, and that unit runs the reader as the same user, with no network
// and under an address-space limit. Mail by anyone to the report address is hostile input.
import { hostFilesPolicy, lastFile, postfixOf } from "../lib/host-files";
import { listOf } from "../lib/postfix";
import { unitSettings } from "../lib/systemd-unit";
import type { HostFile } from "../lib/user-data";

/** The pack's own copy of the paths (the product's: infra/core/reports-host.ts, configs/). */
const REPORT_MAP = "/etc/postfix/maps/report-addresses";
const COMMAND = "/usr/local/sbin/mailfort-reports";
const INGEST_UNIT = "/etc/systemd/system/mailfort-reports-ingest.service";
const INGEST_PATH = "/etc/systemd/system/mailfort-reports-ingest.path";
/** Users a pipe or the reader must never run as: pipe(8) refuses root, and postfix owns the queue. */
const PRIVILEGED = new Set(["root", "postfix"]);

export const reportsPipePolicy = hostFilesPolicy({
  name: "host-reports-pipe",
  area: "host",
  description: `The report addresses (${REPORT_MAP}) are Postfix recipients routed by transport_maps to a pipe service that runs ${COMMAND} spool as its own unprivileged user, with a process limit; ${INGEST_PATH} starts ${INGEST_UNIT} on the spool, which runs ${COMMAND} ingest-spool as the same user, with no network and an address-space limit.`,
  why: "Anyone can mail the report address: the reader parses hostile archives and XML, so it must not run as root or the mail system, must not reach the network, must not grow without bound or fork without limit, and a refused report must not bounce back to a forged sender (backscatter: the pipe only spools, so Postfix has delivered the mail before the reader sees it).",
}, (files, report) => {
  const map = lastFile(files, REPORT_MAP);
  if (!map) {
    report(`the host gets no ${REPORT_MAP}: reports sent to the stack's report addresses are not read`);
    return;
  }
  const pf = postfixOf(files, report);
  if (!pf) return;
  const uses = (key: string) => listOf(pf.main.get(key)).some((m) => m.endsWith(`:${REPORT_MAP}`));
  if (!uses("transport_maps")) report(`transport_maps ${JSON.stringify(pf.main.get("transport_maps") ?? "unset")} does not read ${REPORT_MAP}: report mail goes to the mailboxes' transport, which has no such mailbox, and bounces`);
  if (!uses("virtual_mailbox_maps")) report(`virtual_mailbox_maps does not read ${REPORT_MAP}: the report addresses are refused as unknown recipients`);
  const transports = new Set(map.content.split("\n").filter((l) => l.trim() !== "" && !l.startsWith("#")).map((l) => /^\S+@\S+\s+([a-z0-9-]+):$/.exec(l.trim())?.[1] ?? `(unreadable line ${JSON.stringify(l)})`));
  // An empty map is a stack that made every report address a mailbox or alias of its own: nothing is piped.
  for (const t of transports) {
    const service = pf.master.find((s) => s.service === t && s.type === "unix");
    if (!service) {
      report(`${REPORT_MAP} sends report mail to ${t}, which master.cf does not define`);
      continue;
    }
    const label = `master.cf ${t}`;
    if (service.command !== "pipe") {
      report(`${label} runs ${service.command}, not pipe: the reader is not what reads the reports`);
      continue;
    }
    const user = service.args.find((a) => a.startsWith("user="))?.slice("user=".length).split(":")[0];
    if (user === undefined || PRIVILEGED.has(user)) report(`${label} runs as ${user ?? "no user="}: the spool and the reader must run as their own unprivileged user`);
    const argvAt = service.args.findIndex((a) => a.startsWith("argv="));
    const argv = argvAt < 0 ? [] : [service.args[argvAt]!.slice("argv=".length), ...service.args.slice(argvAt + 1)];
    if (argv[0] !== COMMAND || argv[1] !== "spool" || argv.length !== 2) report(`${label} argv is ${JSON.stringify(argv.join(" "))}, not ${COMMAND} spool: only the spool may run inside Postfix's unit (the reader, run there, could bounce a refused report to its sender)`);
    if (!/^[1-9]\d?$/.test(service.maxproc)) report(`${label} maxproc is ${JSON.stringify(service.maxproc)}: set a small number, or a burst of reports runs that many at once`);
    if (user !== undefined && !PRIVILEGED.has(user)) readerUnits(files, user, report);
  }
});

/** The reader's own units: the path unit on the spool, and the sandboxed service it starts. */
function readerUnits(files: readonly HostFile[], user: string, report: (m: string) => void): void {
  const path = lastFile(files, INGEST_PATH);
  const unit = lastFile(files, INGEST_UNIT);
  if (!path) report(`the host gets no ${INGEST_PATH}: spooled report mail is never read`);
  else {
    const p = unitSettings(path.content);
    if (!p.get("DirectoryNotEmpty")?.endsWith("/incoming")) report(`${INGEST_PATH} does not watch the spool (DirectoryNotEmpty=<store>/incoming): spooled report mail is never read`);
    if ((p.get("Unit") ?? "mailfort-reports-ingest.service") !== "mailfort-reports-ingest.service") report(`${INGEST_PATH} starts ${p.get("Unit")}, not the reader's unit`);
  }
  if (!unit) {
    report(`the host gets no ${INGEST_UNIT}: spooled report mail is never read`);
    return;
  }
  const u = unitSettings(unit.content);
  const label = INGEST_UNIT;
  if (u.get("User") !== user) report(`${label} runs as ${u.get("User") ?? "root (no User=)"}, not the pipe's ${user}: the spool and the reader must run as their own unprivileged user`);
  if (u.get("ExecStart") !== `${COMMAND} ingest-spool`) report(`${label} ExecStart is ${JSON.stringify(u.get("ExecStart") ?? "")}, not ${COMMAND} ingest-spool`);
  if (!/^\d+[KMG]?$/.test(u.get("LimitAS") ?? "") || u.get("LimitAS") === "0") report(`${label} sets no LimitAS=<bytes>: a hostile report could take the host's memory`);
  if (u.get("PrivateNetwork") !== "yes") report(`${label} lacks PrivateNetwork=yes: the reader of hostile input could reach the network`);
  if (u.get("NoNewPrivileges") !== "yes") report(`${label} lacks NoNewPrivileges=yes`);
}
