// The outbound-TLS receivers running (lab/remote/outbound-tls-receivers.ts says which and why): a
// second Debian Postfix instance in the remote namespace, beside remote.test's (lab/remote/postfix.ts,
// untouched), one smtpd per receiver address with that receiver's name and certificate, delivering
// every accepted message into one maildir; and the MTA-STS policy hosts, each an `openssl s_server
// -WWW` on its own address serving /.well-known/mta-sts.txt over HTTPS with a lab-CA certificate.
import { spawn } from "node:child_process";
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { run } from "../exec";
import { labHost } from "../topology";
import { TLS_RECEIVERS, type TlsReceiver, ensureCert, mxCert, receiverCertDir, receiverDir, stsPolicy } from "./outbound-tls-receivers";
import { STANDARD_SERVICES } from "./postfix";

const base = () => join(receiverDir(), "postfix");
const confDir = () => join(base(), "etc");
export const tlsMaildir = () => join(base(), "maildir");
export const tlsMxLog = () => join(base(), "postfix.log");
const policyPid = (r: TlsReceiver) => join(receiverDir(), `policy-${r.kind}.pid`);

function mainCf(): string {
  const b = base();
  return [
    "# mailfort lab: the outbound-TLS receivers' MXes (DANE, MTA-STS, opportunistic), remote namespace only.",
    "compatibility_level = 3.6",
    `queue_directory = ${join(b, "spool")}`,
    `data_directory = ${join(b, "data")}`,
    "myhostname = mx.tls-receivers.test",
    "mydestination =",
    `inet_interfaces = ${TLS_RECEIVERS.map((r) => r.address).join(", ")}`,
    "inet_protocols = ipv4",
    "mynetworks = 127.0.0.0/8",
    "smtpd_relay_restrictions = reject_unauth_destination",
    `virtual_mailbox_domains = ${TLS_RECEIVERS.map((r) => r.domain).join(" ")}`,
    `virtual_mailbox_base = ${b}`,
    "virtual_mailbox_maps = static:maildir/",
    "virtual_uid_maps = static:65534",
    "virtual_gid_maps = static:65534",
    "virtual_minimum_uid = 100",
    "alias_maps =",
    "alias_database =",
    "local_recipient_maps =",
    // TLS offered to every client; the log says which session came in encrypted.
    "smtpd_tls_security_level = may",
    "smtpd_tls_loglevel = 1",
    // Nobody reads this instance's postmaster: no notices to a name that does not resolve.
    "notify_classes =",
    `maillog_file = ${tlsMxLog()}`,
    "",
  ].join("\n");
}

/** One smtpd per receiver, on its address, answering with its name and certificate. */
export function masterCf(receivers: readonly TlsReceiver[], cert: (r: TlsReceiver) => { cert: string; key: string }): string {
  const smtpds = receivers.map((r) => {
    const c = cert(r);
    return `${r.address}:smtp inet n - n - - smtpd\n  -o myhostname=${r.mx}\n  -o smtpd_tls_chain_files=${c.key},${c.cert}`;
  });
  return `# mailfort lab outbound-TLS receivers: one smtpd per receiver address, unchrooted.
${smtpds.join("\n")}
tlsmgr    unix  -       -       n       1000?   1       tlsmgr
${STANDARD_SERVICES}`;
}

/** Start the receivers' Postfix and policy hosts (after the lab DNS, which made their certificates). */
export function startTlsReceivers(log: (l: string) => void): void {
  stopTlsReceivers(log);
  const ns = labHost("remote").netns;
  // A run reads only its own deliveries: a machine that ran the lab before (a CI runner reused,
  // a developer's box) still holds the last run's mails, and the TLS-report check would find
  // yesterday's reports there.
  rmSync(tlsMaildir(), { recursive: true, force: true });
  for (const d of [confDir(), join(base(), "spool"), join(base(), "data")]) mkdirSync(d, { recursive: true });
  writeFileSync(join(confDir(), "main.cf"), mainCf());
  writeFileSync(join(confDir(), "master.cf"), masterCf(TLS_RECEIVERS, mxCert));
  run("chown", ["postfix", join(base(), "data")]);
  run("chown", ["65534:65534", base()]);
  run("postfix", ["-c", confDir(), "check"], { netns: ns });
  run("postfix", ["-c", confDir(), "start"], { netns: ns });
  for (const r of TLS_RECEIVERS) {
    if (r.policyAddress === undefined) continue;
    const host = `mta-sts.${r.domain}`;
    const c = ensureCert(join(receiverCertDir(), `policy-${r.kind}`), [host], "lab-ca");
    const docroot = join(receiverDir(), `www-${r.kind}`);
    mkdirSync(join(docroot, ".well-known"), { recursive: true });
    writeFileSync(join(docroot, ".well-known", "mta-sts.txt"), stsPolicy(r));
    const out = openSync(join(receiverDir(), `policy-${r.kind}.log`), "a");
    try {
      // `ip netns exec` execs openssl in place: the pid is the server's.
      const child = spawn("ip", ["netns", "exec", ns, "openssl", "s_server", "-quiet", "-WWW", "-accept", `${r.policyAddress}:443`, "-cert", c.cert, "-key", c.key],
        { cwd: docroot, detached: true, stdio: ["ignore", out, out] });
      child.unref();
      writeFileSync(policyPid(r), `${child.pid ?? ""}\n`);
    } finally {
      closeSync(out);
    }
  }
  log(`remote: outbound-TLS receivers ${TLS_RECEIVERS.map((r) => `${r.domain} (${r.kind}) on ${r.address}`).join(", ")}; MTA-STS policies over HTTPS`);
}

export function stopTlsReceivers(log: (l: string) => void): void {
  for (const r of TLS_RECEIVERS) {
    if (!existsSync(policyPid(r))) continue;
    const pid = Number(readFileSync(policyPid(r), "utf8").trim());
    try {
      if (pid > 0) process.kill(pid, "SIGTERM");
    } catch {
      // already gone
    }
    rmSync(policyPid(r), { force: true });
  }
  if (!existsSync(join(confDir(), "main.cf"))) return;
  const r = run("postfix", ["-c", confDir(), "stop"], { netns: labHost("remote").netns, allowFail: true });
  if (r.status === 0) log("remote: outbound-TLS receivers stopped");
}
