// Host settings around the daemons: fail2ban's ban settings (a ban that bans), unattended
// security upgrades, and the local lists the host loads from SSM (no list that exempts or
// blocks the whole Internet).
import { resourcePolicy, str } from "../define";
import { hostFilesPolicy, lastFile } from "../lib/host-files";
import { parseIni } from "../lib/ini";
import { SSM_PARAMETER } from "./secrets";

/** fail2ban time values: seconds, or a number with s/m/h/d/w; -1 is a permanent ban. */
function seconds(value: string | undefined): number | undefined {
  const m = /^(-?\d+(?:\.\d+)?)\s*(s|m|h|d|w)?$/i.exec((value ?? "").trim());
  if (!m) return undefined;
  const unit = { s: 1, m: 60, h: 3600, d: 86400, w: 604800 }[(m[2] ?? "s").toLowerCase() as "s"] ?? 1;
  return Number(m[1]) * unit;
}

/** How the offline synth shows a secret value (infra/synth's SECRET_MARK; a test checks they agree). */
export const MASKED_SECRET = "[secret]";

/** A CIDR that covers every address of its family: /0, however the address is written. */
export const coversEverything = (entry: string) => /\/0+$/.test(entry.trim());

export const fail2banSettingsPolicy = hostFilesPolicy({
  name: "host-fail2ban-settings",
  area: "host",
  description: "fail2ban bans for real: maxretry and findtime positive, bantime positive (or -1, permanent), and ignoreip exempts no whole address family (0.0.0.0/0, ::/0).",
  why: "bantime 0 or an ignoreip of the whole Internet leave the jails running while nobody is ever banned (paper: brute-force protection).",
}, (files, report) => {
  const jails = files.filter((f) => /^\/etc\/fail2ban\/(jail\.(conf|local)|jail\.d\/[^/]+\.(conf|local))$/.test(f.path));
  if (jails.length === 0) { report("the host gets no fail2ban jail configuration"); return; }
  const ini = parseIni(jails.map((f) => f.content));
  for (const [section, values] of ini) {
    const where = section === "DEFAULT" ? "[DEFAULT]" : `[${section}]`;
    const maxretry = values.get("maxretry");
    if (maxretry !== undefined && !(Number(maxretry) > 0)) report(`${where} maxretry = ${maxretry}; set a positive number of failures`);
    const findtime = values.get("findtime");
    if (findtime !== undefined && !((seconds(findtime) ?? 0) > 0)) report(`${where} findtime = ${findtime}; set a positive window`);
    const bantime = values.get("bantime");
    const ban = seconds(bantime);
    if (bantime !== undefined && !(ban !== undefined && (ban > 0 || ban === -1))) report(`${where} bantime = ${bantime} bans nobody; set a positive time (e.g. 60m)`);
    const wide = (values.get("ignoreip") ?? "").split(/[\s,]+/).filter(coversEverything);
    if (wide.length > 0) report(`${where} ignoreip exempts ${wide.join(", ")}: the whole Internet is never banned`);
  }
});

export const unattendedUpgradesPolicy = hostFilesPolicy({
  name: "host-unattended-upgrades",
  area: "host",
  description: "Unattended upgrades are on (APT::Periodic::Unattended-Upgrade \"1\" with package lists updated) and include Debian's security archive.",
  why: "A mail server faces the Internet around the clock; security fixes must land without waiting for someone to log in.",
}, (files, report) => {
  const periodic = files.filter((f) => f.path.startsWith("/etc/apt/apt.conf.d/")).map((f) => f.content.replace(/\/\/.*$/gm, "")).join("\n");
  const setting = (name: string) => [...periodic.matchAll(new RegExp(`${name}\\s+"(\\d+)"`, "g"))].at(-1)?.[1];
  if (setting("APT::Periodic::Unattended-Upgrade") !== "1") report(`APT::Periodic::Unattended-Upgrade is ${JSON.stringify(setting("APT::Periodic::Unattended-Upgrade") ?? "unset")}; set "1"`);
  if (setting("APT::Periodic::Update-Package-Lists") !== "1") report(`APT::Periodic::Update-Package-Lists is ${JSON.stringify(setting("APT::Periodic::Update-Package-Lists") ?? "unset")}; set "1" (upgrades need fresh lists)`);
  const origins = /Unattended-Upgrade::Origins-Pattern\s*\{([\s\S]*?)\};/.exec(periodic)?.[1] ?? "";
  if (!/codename=[^,"]*-security/.test(origins)) report("Unattended-Upgrade::Origins-Pattern does not include the Debian security archive");
  if (!lastFile(files, "/etc/apt/apt.conf.d/20auto-upgrades")) report("the host gets no /etc/apt/apt.conf.d/20auto-upgrades");
});

export const localListsPolicy = resourcePolicy({
  name: "host-local-lists",
  area: "host",
  description: "The local lists the host loads from SSM (lists/allow-ips, lists/block-ips) are lists of addresses, and none covers a whole address family.",
  why: "An allow list of 0.0.0.0/0 makes postscreen let every client through and Rspamd trust all mail; a block list of it refuses all inbound mail.",
  types: [SSM_PARAMETER],
  check: (props, report) => {
    const name = str(props.name) ?? "";
    const list = /\/lists\/(allow-ips|block-ips)$/.exec(name)?.[1];
    if (list === undefined) return;
    const value = str(props.value);
    // SSM values are secret inputs: the offline synth shows them masked, the pack under
    // `pulumi preview` sees them. A masked value cannot be judged here.
    if (value === undefined || value === MASKED_SECRET) return;
    let entries: unknown;
    try {
      entries = JSON.parse(value);
    } catch {
      report(`${name} is not a JSON list`);
      return;
    }
    if (!Array.isArray(entries) || !entries.every((e) => typeof e === "string")) { report(`${name} is not a JSON list of addresses`); return; }
    const wide = (entries as string[]).filter(coversEverything);
    if (wide.length > 0) report(`${name} holds ${wide.join(", ")}: the ${list === "allow-ips" ? "whole Internet would be trusted" : "whole Internet would be refused"}`);
  },
});
