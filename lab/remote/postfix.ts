// The `remote` host: Debian's Postfix with a private config directory, run only inside the
// remote namespace (never the host's own postfix), accepting mail for remote.test into one
// maildir that verify reads to judge DKIM/SPF/DMARC as a receiving server would.
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { run } from "../exec";
import { labPaths } from "../paths";
import { REMOTE_DOMAIN, REMOTE_MX, labHost } from "../topology";

const confDir = () => join(labPaths.remote(), "etc");

/** One maildir for every recipient of remote.test, owned by nobody (virtual delivery). */
function mainCf(): string {
  const base = labPaths.remote();
  return [
    "# mailfort lab: the remote domain's MX (remote.test), inside the remote namespace only.",
    "compatibility_level = 3.6",
    `queue_directory = ${join(base, "spool")}`,
    `data_directory = ${join(base, "data")}`,
    `myhostname = ${REMOTE_MX}`,
    `mydomain = ${REMOTE_DOMAIN}`,
    "myorigin = $mydomain",
    "mydestination =",
    `inet_interfaces = ${labHost("remote").address}`,
    "inet_protocols = ipv4",
    "mynetworks = 127.0.0.0/8",
    "smtpd_relay_restrictions = reject_unauth_destination",
    `virtual_mailbox_domains = ${REMOTE_DOMAIN}`,
    `virtual_mailbox_base = ${base}`,
    "virtual_mailbox_maps = static:maildir/",
    "virtual_uid_maps = static:65534",
    "virtual_gid_maps = static:65534",
    "virtual_minimum_uid = 100",
    "alias_maps =",
    "alias_database =",
    "local_recipient_maps =",
    "smtp_host_lookup = dns",
    `maillog_file = ${join(base, "postfix.log")}`,
    "message_size_limit = 52428800",
    "virtual_mailbox_limit = 0",
    "",
  ].join("\n");
}

/** Postfix's standard internal services, unchrooted: the lab's Postfix instances share them. */
export const STANDARD_SERVICES = `pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
virtual   unix  -       n       n       -       -       virtual
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
`;

// No chroot: the private queue directory has no chroot skeleton, and nothing here faces the internet.
const MASTER_CF = `# mailfort lab remote MX: the standard services, unchrooted.
smtp      inet  n       -       n       -       -       smtpd
${STANDARD_SERVICES}`;

export function startRemote(log: (l: string) => void, opts: { keepMaildir?: boolean } = {}): string {
  stopRemote(log);
  const base = labPaths.remote();
  if (!opts.keepMaildir) rmSync(base, { recursive: true, force: true });
  mkdirSync(confDir(), { recursive: true });
  mkdirSync(join(base, "spool"), { recursive: true });
  mkdirSync(join(base, "data"), { recursive: true });
  writeFileSync(join(confDir(), "main.cf"), mainCf());
  writeFileSync(join(confDir(), "master.cf"), MASTER_CF);
  run("chown", ["postfix", join(base, "data")]);
  run("chown", ["65534:65534", base]);
  const ns = labHost("remote").netns;
  run("postfix", ["-c", confDir(), "check"], { netns: ns });
  run("postfix", ["-c", confDir(), "start"], { netns: ns });
  log(`remote: postfix for ${REMOTE_DOMAIN} on ${labHost("remote").address}:25, maildir ${labPaths.remoteMaildir()}`);
  return labPaths.remoteMaildir();
}

/** Hand one message to the remote MX's Postfix (sendmail in the remote namespace), which delivers it by DNS as any MX would. */
export function remoteSendmail(from: string, to: string, message: string): void {
  run("sendmail", ["-C", confDir(), "-f", from, to], { netns: labHost("remote").netns, input: message });
}

/** Ask the remote MX to retry its deferred mail now (a greylisting reply is retried at once). */
export function remoteFlush(): void {
  run("postqueue", ["-c", confDir(), "-f"], { netns: labHost("remote").netns, allowFail: true });
}

export function stopRemote(log: (l: string) => void): void {
  if (!existsSync(join(confDir(), "main.cf"))) return;
  const r = run("postfix", ["-c", confDir(), "stop"], { netns: labHost("remote").netns, allowFail: true });
  if (r.status === 0) log("remote: postfix stopped");
}
