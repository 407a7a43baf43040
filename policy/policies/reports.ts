// DMARC and TLS-RPT reports read on the host (docs/reports.md), judged on the files the instance
// receives: the report addresses are routed (transport_maps) to a pipe(8) service, and that
// service runs the reader as an unprivileged user of its own, under an address-space limit, with a
// process limit, and with --pipe (a refused report is noted and taken, never bounced back to
// whoever sent it). Mail by anyone to the report address is hostile input.
import { hostFilesPolicy, lastFile, postfixOf } from "../lib/host-files";
import { listOf } from "../lib/postfix";

/** The pack's own copy of the paths (the product's: infra/core/reports-host.ts, configs/postfix). */
const REPORT_MAP = "/etc/postfix/maps/report-addresses";
const READER = "/usr/local/lib/mailfort/mailfort-reports.cjs";
/** Users a pipe must never run as: pipe(8) refuses root, and postfix owns the queue. */
const PRIVILEGED = new Set(["root", "postfix"]);

export const reportsPipePolicy = hostFilesPolicy({
  name: "host-reports-pipe",
  area: "host",
  description: `The report addresses (${REPORT_MAP}) are Postfix recipients routed by transport_maps to a pipe service that runs ${READER} as its own unprivileged user, with a process limit, under prlimit --as, and with ingest --pipe.`,
  why: "Anyone can mail the report address: the reader parses hostile archives and XML, so it must not run as root or the mail system, must not grow without bound or fork without limit, and a refused report must not bounce back to a forged sender (backscatter).",
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
    if (user === undefined || PRIVILEGED.has(user)) report(`${label} runs as ${user ?? "no user="}: the reader must run as its own unprivileged user`);
    const argvAt = service.args.findIndex((a) => a.startsWith("argv="));
    const argv = argvAt < 0 ? [] : [service.args[argvAt]!.slice("argv=".length), ...service.args.slice(argvAt + 1)];
    if (argv[0] !== "/usr/bin/prlimit" || !argv.some((a) => /^--as=\d+$/.test(a))) report(`${label} argv does not start with /usr/bin/prlimit --as=<bytes>: a hostile report could take the host's memory`);
    if (!argv.includes(READER)) report(`${label} argv does not run ${READER}`);
    const ingest = argv.indexOf("ingest");
    if (ingest < 0 || !argv.slice(ingest).includes("--pipe")) report(`${label} argv runs the reader without ingest --pipe: a refused report would exit non-zero and bounce back to its (possibly forged) sender`);
    if (!/^[1-9]\d?$/.test(service.maxproc)) report(`${label} maxproc is ${JSON.stringify(service.maxproc)}: set a small number, or a burst of reports runs that many readers at once`);
  }
});
