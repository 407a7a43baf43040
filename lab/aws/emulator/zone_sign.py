"""DNSSEC for every zone the lab's nsd serves, so DANE is real in the lab: the VM's unbound
validates them with the lab's trust anchors (lab/vm/vendor-data.ts). One signer for both writers
of zone files: the emulated Route53's export (zone_export.py, imported) and the lab's own zones
(lab/dns/nsd.ts runs this file in the emulator's root). dnspython's sign_zone, NSEC.

One key signs every zone (ECDSA P-256, algorithm 13, flags 257: a combined signing key): a
trust anchor names a zone and a key, so unbound trusts each lab zone by its own anchor, and
nothing in the lab needs a DS chain to a root it does not have. The node side makes the key and
derives the anchors from its public half (lab/dns/dnssec.ts).

A name whose first label is `bogus-signature` is signed with a corrupted signature on purpose:
the lab checks that the validating resolver refuses it (SERVFAIL), not only that it accepts the
good ones (AD)."""
import argparse
import functools
import os
import time

import dns.dnssec
import dns.name
import dns.rdatatype
import dns.zone
from cryptography.hazmat.primitives.serialization import load_pem_private_key

BOGUS_LABEL = b"bogus-signature"
# Valid from an hour ago (a guest clock a little behind) for 30 days: longer than any lab run.
SKEW_SECONDS = 3600
LIFETIME_SECONDS = 30 * 86400


def load_key(pem_path):
    with open(pem_path, "rb") as f:
        key = load_pem_private_key(f.read(), password=None)
    dnskey = dns.dnssec.make_dnskey(key.public_key(), dns.dnssec.Algorithm.ECDSAP256SHA256,
                                    flags=dns.dnssec.Flag.ZONE | dns.dnssec.Flag.SEP)
    return key, dnskey


def _signer(txn, rrset, keys, origin, inception, expiration):
    for private_key, dnskey in keys:
        rrsig = dns.dnssec.sign(rrset=rrset, private_key=private_key, dnskey=dnskey, inception=inception,
                                expiration=expiration, signer=origin, origin=origin)
        if rrset.name.labels and rrset.name.labels[0] == BOGUS_LABEL and rrset.rdtype != dns.rdatatype.NSEC:
            rrsig = rrsig.replace(signature=bytes(b ^ 0xFF for b in rrsig.signature))
        txn.add(rrset.name, rrset.ttl, rrsig)


def sign_text(text, apex, key):
    """The zone-file text `text` of zone `apex`, signed with `key` (load_key's pair)."""
    origin = dns.name.from_text(apex)
    zone = dns.zone.from_text(text, origin=origin, relativize=False, check_origin=True)
    inception = int(time.time()) - SKEW_SECONDS
    expiration = inception + SKEW_SECONDS + LIFETIME_SECONDS
    signer = functools.partial(_signer, keys=[key], origin=origin, inception=inception, expiration=expiration)
    dns.dnssec.sign_zone(zone, keys=[key], rrset_signer=signer)
    return "; signed by the mailfort lab (lab/aws/emulator/zone_sign.py)\n" + zone.to_text(sorted=True, relativize=False, want_origin=True)


def main():
    ap = argparse.ArgumentParser(description="Sign lab zone files: each ZONE=IN=OUT (unsigned in, signed out).")
    ap.add_argument("--key", required=True, help="PEM private key (ECDSA P-256)")
    ap.add_argument("zones", nargs="+", metavar="ZONE=IN=OUT")
    args = ap.parse_args()
    key = load_key(args.key)
    for spec in args.zones:
        apex, src, out = spec.split("=", 2)
        with open(src, encoding="utf-8") as f:
            signed = sign_text(f.read(), apex if apex.endswith(".") else apex + ".", key)
        with open(out + ".tmp", "w", encoding="utf-8") as f:
            f.write(signed)
        os.replace(out + ".tmp", out)


if __name__ == "__main__":
    main()
