// The bare Postfix of the throughput benchmarks, (a) and (a'): Debian's Postfix with its defaults,
// no milter, no TLS, no limits, every message to discard(8) - the MTA's own limit on the machine
// it runs on. The VM bench starts it in the guest, the native bench in the Debian 13 root; the
// configuration is this one in both, so the ratios divide by the same thing.
import { BARE_PORT } from "./load-clients";

/** postfix -c <this>: the instance's own configuration directory. */
export const BARE_DIR = "/etc/postfix-bench";
export const BARE_SPOOL = "/var/spool/postfix-bench";

/** The bare instance: Debian's Postfix defaults, no milter, no TLS, no limits; every message to discard(8). */
export const BARE_MAIN_CF = [
  "# mailfort bench: a bare Postfix that accepts from the lab and discards (the MTA's own limit on this VM).",
  "compatibility_level = 3.6",
  `queue_directory = ${BARE_SPOOL}`,
  "data_directory = /var/lib/postfix-bench",
  "syslog_name = postfix-bench",
  "myhostname = bare.mailfort.test",
  "mydestination =",
  "inet_interfaces = all",
  "inet_protocols = ipv4",
  "mynetworks = 127.0.0.0/8 10.77.0.0/24",
  "smtpd_relay_restrictions = permit_mynetworks, reject",
  "default_transport = discard",
  "relay_transport = discard",
  "local_transport = discard",
  "virtual_transport = discard",
  "alias_maps =",
  "alias_database =",
  "local_recipient_maps =",
  "",
].join("\n");

export const BARE_MASTER_CF = [
  `${BARE_PORT}      inet  n       -       n       -       -       smtpd`,
  "pickup    unix  n       -       n       60      1       pickup",
  "cleanup   unix  n       -       n       -       0       cleanup",
  "qmgr      unix  n       -       n       300     1       qmgr",
  "rewrite   unix  -       -       n       -       -       trivial-rewrite",
  "bounce    unix  -       -       n       -       0       bounce",
  "defer     unix  -       -       n       -       0       bounce",
  "trace     unix  -       -       n       -       0       bounce",
  "verify    unix  -       -       n       -       1       verify",
  "flush     unix  n       -       n       1000?   0       flush",
  "proxymap  unix  -       -       n       -       -       proxymap",
  "showq     unix  n       -       n       -       -       showq",
  "error     unix  -       -       n       -       -       error",
  "retry     unix  -       -       n       -       -       error",
  "discard   unix  -       -       n       -       -       discard",
  "anvil     unix  -       -       n       -       1       anvil",
  "scache    unix  -       -       n       -       1       scache",
  "",
].join("\n");

/** The instance's own setup line for the report. */
export const BARE_SETUP = `postfix -c ${BARE_DIR} (discard transport, port ${BARE_PORT}, no milter/TLS/limits)`;
