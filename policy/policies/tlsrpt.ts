// Outbound TLS reports (RFC 8460; docs/reports.md): with direct delivery, Postfix sends its TLSRPT
// events to the socket the collector binds (main.cf's name, relative to the queue directory, is
// the path the collector's unit gives it), the collector runs as an unprivileged user with no
// network, and a daily timer starts the sender, which also runs unprivileged. Judged on the files
// the instance receives; the pack keeps its own idea of the paths.
import { hostFilesPolicy, lastFile, postfixOf } from "../lib/host-files";
import { unitSettings as settings } from "../lib/systemd-unit";

const QUEUE_DIRECTORY = "/var/spool/postfix";
const COLLECTOR_UNIT = "/etc/systemd/system/mailfort-tlsrpt-collect.service";
const SENDER_UNIT = "/etc/systemd/system/mailfort-tlsrpt-send.service";
const SENDER_TIMER = "/etc/systemd/system/mailfort-tlsrpt-send.timer";
const PRIVILEGED = new Set(["", "root", "postfix"]);

export const tlsReportsPolicy = hostFilesPolicy({
  name: "host-tlsrpt-reports",
  area: "host",
  description: `Direct delivery (outbound.mode direct): main.cf sets smtp_tlsrpt_enable = yes with smtp_tlsrpt_socket_name under the queue directory, ${COLLECTOR_UNIT} binds exactly that socket as an unprivileged user with PrivateNetwork=yes, and ${SENDER_TIMER} starts ${SENDER_UNIT}, which runs mailfort-reports send-tls as an unprivileged user.`,
  why: "Receivers that publish a TLS-RPT record rely on senders' reports to see STARTTLS stripping and certificate or policy failures on the way to them (RFC 8460); Postfix drops its events without a word when nothing listens where main.cf points, and the collector reads datagrams from every Postfix process, so it must not hold privileges or reach the network.",
}, (files, report, { facts }) => {
  if (facts.outboundMode === "ses") return;
  const pf = postfixOf(files, report);
  if (!pf) return;
  const main = (k: string) => pf.mainView.get(k);
  if (main("smtp_tlsrpt_enable") !== "yes") report(`main.cf: smtp_tlsrpt_enable is ${JSON.stringify(main("smtp_tlsrpt_enable") ?? "unset")}; set yes, or no receiver gets a TLS report from this server`);
  const name = main("smtp_tlsrpt_socket_name") ?? "";
  if (name === "" || name.startsWith("/") || name.split("/").includes("..")) {
    report(`main.cf: smtp_tlsrpt_socket_name is ${JSON.stringify(name)}; name a socket relative to the queue directory (run/tlsrpt/tlsrpt.sock), which the chrooted smtp(8) can reach`);
  }
  const collector = lastFile(files, COLLECTOR_UNIT);
  if (!collector) report(`the host gets no ${COLLECTOR_UNIT}: Postfix's TLSRPT events go nowhere`);
  else {
    const c = settings(collector.content);
    const socket = `${QUEUE_DIRECTORY}/${name}`;
    const exec = (c.get("ExecStart") ?? "").split(/\s+/);
    if (!exec[0]?.endsWith("/mailfort-tlsrpt-collect") || exec[1] !== socket) report(`${COLLECTOR_UNIT} ExecStart ${JSON.stringify(c.get("ExecStart") ?? "unset")} does not bind ${socket}, where smtp_tlsrpt_socket_name sends the events`);
    if (PRIVILEGED.has(c.get("User") ?? "")) report(`${COLLECTOR_UNIT} runs as ${c.get("User") || "root"}: the collector of every Postfix process's datagrams must run as its own unprivileged user`);
    if (c.get("PrivateNetwork") !== "yes") report(`${COLLECTOR_UNIT} lacks PrivateNetwork=yes: the collector has no business on the network`);
  }
  const sender = lastFile(files, SENDER_UNIT);
  if (!sender) report(`the host gets no ${SENDER_UNIT}: the events are collected and never reported`);
  else {
    const s = settings(sender.content);
    if (!/\/mailfort-reports send-tls\b/.test(s.get("ExecStart") ?? "")) report(`${SENDER_UNIT} ExecStart ${JSON.stringify(s.get("ExecStart") ?? "unset")} is not mailfort-reports send-tls`);
    if (PRIVILEGED.has(s.get("User") ?? "")) report(`${SENDER_UNIT} runs as ${s.get("User") || "root"}: the sender reads what the collector wrote and must run as its unprivileged user`);
  }
  const timer = lastFile(files, SENDER_TIMER);
  if (!timer || !settings(timer.content).get("OnCalendar")) report(`the host gets no ${SENDER_TIMER} with an OnCalendar=: the daily reports are never sent`);
});
