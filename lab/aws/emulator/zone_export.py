"""Route53 as the lab's DNS: write each hosted zone the emulator holds as a zone file for the
lab's nsd, DNSSEC-signed with the lab's zone key (zone_sign.py: every zone nsd serves is signed,
a re-export mid-run too), signal nsd to reload, and wait until nsd serves the new SOA serial. Run once after the
stack is loaded and again after every successful ChangeResourceRecordSets, before the change's
reply goes back: a TXT record certbot publishes is on the wire when certbot asks GetChange."""
import os
import signal
import threading
import time

import dns.exception
import dns.message
import dns.query
import dns.rdatatype
import dns.zone

import zone_sign


def render_zone(apex, rrsets, serial):
    """Zone-file text of one hosted zone; Route53's own SOA is replaced by one with `serial`."""
    lines = ["; exported from the lab's emulated Route53: what this hosted zone holds, as served",
             "$ORIGIN %s" % apex, "$TTL 300",
             "@ 300 IN SOA ns.lab.test. hostmaster.lab.test. ( %d 3600 600 86400 60 )" % serial]
    for rrset in rrsets:
        if rrset["Type"] == "SOA":
            continue
        # Route53 spells a wildcard label as \052 in its answers.
        name = rrset["Name"].replace("\\052", "*")
        if "AliasTarget" in rrset:
            raise ValueError("alias record %s %s cannot be exported (the lab serves plain records only)" % (name, rrset["Type"]))
        for record in rrset["ResourceRecords"]:
            value = record["Value"]
            if rrset["Type"] == "NS" and not value.endswith("."):
                value += "."  # moto names its delegation set without the root dot AWS gives
            lines.append("%s %d IN %s %s" % (name, rrset.get("TTL", 300), rrset["Type"], value))
    text = "\n".join(lines) + "\n"
    dns.zone.from_text(text, origin=apex, relativize=False, check_origin=True)  # refuse a broken zone here, not in nsd
    return text


class ZoneExporter:
    def __init__(self, route53, zones_dir, nsd_pid_file, nameserver, signing_key):
        self.route53 = route53  # boto3 client on the emulator's own listener (lab credentials)
        self.zones_dir = zones_dir
        self.nsd_pid_file = nsd_pid_file
        self.nameserver = nameserver
        self.signing_key = zone_sign.load_key(signing_key)
        self.serial = int(time.time())
        self.lock = threading.Lock()
        self.exports = 0

    def zones(self):
        out = []
        for page in self.route53.get_paginator("list_hosted_zones").paginate():
            out.extend(page["HostedZones"])
        return out

    def rrsets(self, zone_id):
        out = []
        for page in self.route53.get_paginator("list_resource_record_sets").paginate(HostedZoneId=zone_id):
            out.extend(page["ResourceRecordSets"])
        return out

    def export(self, wait=True):
        """Write every zone; reload nsd when it runs; return {apex: file}."""
        with self.lock:
            self.serial = max(self.serial + 1, int(time.time()))
            written = {}
            for zone in self.zones():
                apex = zone["Name"] if zone["Name"].endswith(".") else zone["Name"] + "."
                path = os.path.join(self.zones_dir, apex.rstrip(".") + ".zone")
                text = zone_sign.sign_text(render_zone(apex, self.rrsets(zone["Id"]), self.serial), apex, self.signing_key)
                with open(path + ".tmp", "w", encoding="utf-8") as f:
                    f.write(text)
                os.replace(path + ".tmp", path)
                written[apex.rstrip(".")] = path
            self.exports += 1
            if wait and self.reload_nsd():
                self.wait_served(list(written), self.serial)
            return written

    def reload_nsd(self):
        try:
            pid = int(open(self.nsd_pid_file, encoding="utf-8").read().strip())
            os.kill(pid, signal.SIGHUP)  # nsd re-reads the zone files whose mtime changed
            return True
        except (FileNotFoundError, ValueError, ProcessLookupError):
            return False  # nsd not started yet: it reads the files when it starts

    def wait_served(self, zones, serial, limit=15.0):
        deadline = time.time() + limit
        pending = set(zones)
        nudged = time.time()
        while pending and time.time() < deadline:
            if time.time() - nudged > 1.0:
                # nsd compares mtimes: a file replaced within its clock's granularity may be
                # missed by one reload; ask again rather than serve the old zone.
                self.reload_nsd()
                nudged = time.time()
            for zone in sorted(pending):
                try:
                    answer = dns.query.udp(dns.message.make_query(zone, dns.rdatatype.SOA), self.nameserver, timeout=1)
                    if any(r.serial == serial for rrset in answer.answer for r in rrset if r.rdtype == dns.rdatatype.SOA):
                        pending.discard(zone)
                except (OSError, dns.exception.DNSException):
                    pass
            if pending:
                time.sleep(0.1)
        if pending:
            raise RuntimeError("nsd did not serve serial %d for %s within %.0f s" % (serial, ", ".join(sorted(pending)), limit))
