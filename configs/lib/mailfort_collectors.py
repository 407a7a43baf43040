# mailfort_collectors: what the host measures for its alarms (mailfort-metrics publishes it).
# Installed as /usr/local/lib/mailfort/mailfort_collectors.py. Standard library only: the host
# has python3 and boto3, and this module needs neither a package nor the network beyond the
# local resolver. Which metrics exist, their names, units and alarms are stated once in
# infra/core/host-metrics.ts; mailfort.env hands the publisher that list (MAILFORT_METRICS) as
# collector:name:unit triples, so this file knows collectors, never CloudWatch names.
#
# A collector returns a list of (extra dimensions, value): one item for a host-wide value, one
# per mount for disk usage. A collector that fails raises; the publisher logs it and publishes
# the others (the failing metric's alarm then sees no data and reports INSUFFICIENT_DATA).
import ast
import json
import os
import random
import re
import socket
import struct
import subprocess
import time
from collections import Counter
from datetime import datetime, timezone

# --- mail queue -------------------------------------------------------------------------------


def queue_directory():
    # Postfix's own answer: the queue lives on the data volume in mailfort, not /var/spool.
    out = subprocess.run(["postconf", "-h", "queue_directory"], capture_output=True, text=True, timeout=30)
    if out.returncode != 0 or not out.stdout.strip():
        raise RuntimeError(f"postconf -h queue_directory failed ({out.returncode}): {out.stderr.strip()}")
    return out.stdout.strip()


def queue_size(queue_dir, name):
    """Messages in one Postfix queue: one file each (deferred is hashed into subdirectories)."""
    path = os.path.join(queue_dir, name)
    if not os.path.isdir(path):
        raise RuntimeError(f"{path} is not a directory: is Postfix installed and its queue mounted?")
    return sum(len(files) for _, _, files in os.walk(path))


# --- the journal: one read per run, counted six ways --------------------------------------------

SASL_FAILED = re.compile(r"SASL \S+ authentication failed")
# Dovecot 2.4: "imap-login: Login aborted: Connection closed (auth failed, 1 attempts in 2 secs)";
# 2.3 said "Aborted login (auth failed". The same wording the fail2ban filter bans on.
LOGIN_FAILED = re.compile(r"^(?:imap|pop3|managesieve)-login: .*\(auth failed")
# Rspamd's reject action reaches Postfix through the milter as a permanent 5xx; greylisting and
# rate limits are 4xx (soft) and are not rejects.
# Postfix logs the enhanced status code: "milter-reject: END-OF-MESSAGE from h[ip]: 5.7.1 Spam ...".
MILTER_REJECT = re.compile(r"milter-reject: \S+ from \S+: 5\.\d{1,3}\.\d{1,3} ")
# A submission: smtpd's "<queue id>: client=host[ip], sasl_method=PLAIN, sasl_username=user" line.
# (A refused login names sasl_username= too, after "authentication failed"; that is not a message.)
SASL_USER = re.compile(r": client=\S+, sasl_method=\S+, sasl_username=([^,\s]+)")
STATUS = re.compile(r"\bstatus=(deferred|bounced)\b")


def count_journal(entries):
    """The per-period counts from journal entries (dicts with MESSAGE and SYSLOG_IDENTIFIER)."""
    counts = Counter()
    senders = Counter()
    for e in entries:
        ident = e.get("SYSLOG_IDENTIFIER") or ""
        msg = e.get("MESSAGE")
        if not isinstance(msg, str):
            continue
        if ident.startswith("postfix/"):
            status = STATUS.search(msg)
            if status:
                counts[status.group(1)] += 1
            if SASL_FAILED.search(msg):
                counts["smtp_auth_failures"] += 1
            if MILTER_REJECT.search(msg):
                counts["rspamd_rejects"] += 1
            user = SASL_USER.search(msg)
            if user:
                senders[user.group(1).lower()] += 1
        elif ident == "dovecot" and LOGIN_FAILED.search(msg):
            counts["imap_login_failures"] += 1
    counts["top_sender"] = max(senders.values(), default=0)
    return counts


class Journal:
    """New journal entries since the last run, by a cursor file journalctl keeps itself.

    journalctl's exit status alone does not say whether the read worked: some versions and options
    exit 1 when there is nothing new (with --grep, for one), and 0 on an empty read. So the output
    is what counts: entries read are used whatever the status; a status of 1 with nothing read and
    no complaint is "nothing new"; an unusable cursor (journal vacuumed, file damaged) starts over
    from the end; anything else is an error and raises (the six journal counters are then not
    published this minute, the other metrics are).
    """

    def __init__(self, cursor_file, journalctl="journalctl", extra_args=(), update_cursor=True):
        self.cursor_file = cursor_file
        self.cmd = [journalctl, *extra_args]
        self.update_cursor = update_cursor

    def _run(self, args):
        r = subprocess.run(self.cmd + args, capture_output=True, text=True, timeout=120)
        return r.returncode, r.stdout, r.stderr.strip()

    def _start_at_end(self, cursor):
        # A first run counts from now: the journal since boot is not this minute's activity.
        # On an empty journal journalctl exits 1 without a word and writes no cursor: nothing to
        # count, and the next run starts over the same way.
        rc, _, err = self._run(["-n", "0", "-q", f"--cursor-file={cursor}"])
        if rc != 0 and err:
            raise RuntimeError(f"journalctl -n 0 --cursor-file={cursor} exited {rc}: {err}")

    def entries(self, log):
        cursor = self.cursor_file
        if not self.update_cursor:
            # --print must not steal the publisher's counts: read from a copy of the cursor.
            cursor = f"{self.cursor_file}.print"
            if os.path.exists(self.cursor_file):
                with open(self.cursor_file, encoding="utf-8") as src, open(cursor, "w", encoding="utf-8") as dst:
                    dst.write(src.read())
            elif os.path.exists(cursor):
                os.remove(cursor)
        os.makedirs(os.path.dirname(cursor) or ".", exist_ok=True)
        if not os.path.exists(cursor):
            self._start_at_end(cursor)
            return []
        rc, out, err = self._run(["-q", "-o", "json", "--output-fields=MESSAGE,SYSLOG_IDENTIFIER", f"--cursor-file={cursor}"])
        entries = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
        if rc == 0 or entries:
            if rc != 0:
                log(f"journalctl exited {rc} after reading {len(entries)} entries ({err or 'no message'}); counted them")
            return entries
        if "cursor" in err.lower():
            log(f"journalctl could not use the cursor in {cursor} ({err}); counting from now on")
            os.remove(cursor)
            self._start_at_end(cursor)
            return []
        if rc == 1 and err == "":
            return []
        raise RuntimeError(f"journalctl exited {rc}: {err or 'no message'}")


# --- fail2ban -----------------------------------------------------------------------------------


def parse_banned(text):
    """`fail2ban-client banned` prints a Python literal: [{'jail': ['ip', ...]}, ...]."""
    jails = ast.literal_eval(text.strip() or "[]")
    return len({ip for jail in jails for ips in jail.values() for ip in ips})


def fail2ban_banned():
    # Distinct addresses, not jail entries: recidive bans the same address a second time.
    r = subprocess.run(["fail2ban-client", "banned"], capture_output=True, text=True, timeout=30)
    if r.returncode != 0:
        raise RuntimeError(f"fail2ban-client banned exited {r.returncode}: {r.stderr.strip() or r.stdout.strip()}")
    return parse_banned(r.stdout)


# --- TLS certificate ----------------------------------------------------------------------------


def cert_days_left(path, now=None):
    """Days until the certificate at path expires (negative once expired), as openssl reads it."""
    r = subprocess.run(["openssl", "x509", "-noout", "-enddate", "-in", path], capture_output=True, text=True, timeout=30)
    if r.returncode != 0:
        raise RuntimeError(f"openssl cannot read the certificate {path}: {r.stderr.strip()}")
    end = datetime.strptime(r.stdout.strip().split("=", 1)[1], "%b %d %H:%M:%S %Y %Z").replace(tzinfo=timezone.utc)
    return round(((end - (now or datetime.now(timezone.utc))).total_seconds()) / 86400, 2)


# --- DNSBL listing of the server's own address --------------------------------------------------


def dns_a(name, server, timeout=3.0):
    """The A records of name, asked of one resolver over UDP (RFC 1035; the standard library has
    no DNS client, and the system resolver would not say which server answered). Returns the
    addresses, [] for NXDOMAIN or no A record; raises on SERVFAIL, REFUSED or no answer."""
    qid = random.randint(0, 0xFFFF)
    qname = b"".join(bytes([len(p)]) + p.encode("ascii") for p in name.rstrip(".").split(".")) + b"\0"
    query = struct.pack(">HHHHHH", qid, 0x0100, 1, 0, 0, 0) + qname + struct.pack(">HH", 1, 1)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(timeout)
        s.sendto(query, server)
        while True:
            data, _ = s.recvfrom(4096)
            if len(data) >= 12 and struct.unpack(">H", data[:2])[0] == qid:
                break
    try:
        return _a_records(name, data)
    except (IndexError, struct.error) as e:
        raise RuntimeError(f"{name}: malformed answer from the resolver ({e})") from e


def _a_records(name, data):
    _, flags, qd, an, _, _ = struct.unpack(">HHHHHH", data[:12])
    rcode = flags & 0xF
    if rcode == 3:
        return []
    if rcode != 0:
        raise RuntimeError(f"{name}: the resolver answered rcode {rcode}")
    pos = 12
    for _ in range(qd):
        pos = _skip_name(data, pos) + 4
    addresses = []
    for _ in range(an):
        pos = _skip_name(data, pos)
        rtype, _, _, rdlen = struct.unpack(">HHIH", data[pos:pos + 10])
        pos += 10
        if rtype == 1 and rdlen == 4:
            addresses.append(socket.inet_ntoa(data[pos:pos + 4]))
        pos += rdlen
    return addresses


def _skip_name(data, pos):
    while True:
        length = data[pos]
        if length & 0xC0 == 0xC0:
            return pos + 2
        if length == 0:
            return pos + 1
        pos += 1 + length


def dnsbl_listed(ip, zones, server=("127.0.0.1", 53), log=print):
    """How many of the zones list ip: an answer in 127.0.0.0/24 is a listing (127.255.255.x are
    the lists' error codes, e.g. "query refused"). A resolver error counts as not listed, logged:
    one unreachable list must not hide the others."""
    reversed_ip = ".".join(reversed(ip.split(".")))
    listed = 0
    for zone in zones:
        try:
            answers = dns_a(f"{reversed_ip}.{zone}", server)
        except (OSError, RuntimeError) as e:
            log(f"dnsbl {zone}: no answer for {ip} ({e}); counted as not listed")
            continue
        hits = [a for a in answers if a.startswith("127.0.0.")]
        if hits:
            log(f"dnsbl {zone}: {ip} is listed ({', '.join(hits)})")
            listed += 1
        elif answers:
            log(f"dnsbl {zone}: answered {', '.join(answers)} for {ip}: an error code, not a listing")
    return listed


# --- small host facts ---------------------------------------------------------------------------


def disk_used_percent(mount):
    # As df counts it: used / (used + available to non-root users).
    st = os.statvfs(mount)
    used = st.f_blocks - st.f_bfree
    return round(100.0 * used / max(used + st.f_bavail, 1), 2)


def reboot_required_hours(flag="/run/reboot-required", now=None):
    """Hours since an upgrade asked for a reboot (the flag file's age), 0 when none is pending."""
    try:
        since = os.stat(flag).st_mtime
    except FileNotFoundError:
        return 0
    return round(max((now or time.time()) - since, 0) / 3600, 2)


def suspended_senders(path="/var/lib/mailfort/suspended-senders"):
    """Addresses suspended by the containment (one a line, # comments); no file: none."""
    try:
        with open(path, encoding="utf-8") as f:
            return len({line.strip().lower() for line in f if line.strip() and not line.lstrip().startswith("#")})
    except FileNotFoundError:
        return 0


def report_alerts(path, max_age_seconds, now=None):
    """The alerts in the report reader's last monitoring summary (mailfort-reports publish, hourly:
    own sources failing DMARC or unaligned DKIM, TLS to the MX failing). Raises when the summary is
    missing, older than max_age_seconds or not the reader's JSON: a reader that stopped must go
    missing (the alarm's INSUFFICIENT_DATA), not read as "no alerts"."""
    age = (now or time.time()) - os.stat(path).st_mtime
    if age > max_age_seconds:
        raise RuntimeError(f"{path} is {age / 3600:.1f} hours old: the hourly summary is not running "
                           "(systemctl status mailfort-reports.timer; journalctl -u mailfort-reports)")
    with open(path, encoding="utf-8") as f:
        alerts = json.load(f).get("alerts")
    if not isinstance(alerts, list):
        raise RuntimeError(f"{path} has no alerts list: not a mailfort-reports summary")
    return len(alerts)
