// The zones that name the lab's own services, as the real ones name AWS's and Debian's: the AWS
// endpoints the server calls by their public names (boto3's defaults for the region) lead to the
// `aws` host, deb.debian.org to the `mirror` host, and lab.test holds the ACME CA's name.
import { createHash } from "node:crypto";
import { endpointNames } from "../aws/certs";
import { labHost } from "../topology";
import { BOGUS_SIGNATURE_LABEL } from "./dnssec";

/** The ACME directory's host (stacks/Pulumi.lab.yaml tls.acmeDirectory names it). */
export const ACME_HOST = "acme.lab.test";
/** A lab.test name signed with a corrupted signature: a validating resolver must refuse it (SERVFAIL). */
export const BOGUS_SIGNATURE_HOST = `${BOGUS_SIGNATURE_LABEL}.lab.test`;
// The inbound DANE check's control (lab/dane-inbound-check.ts), served here with the lab's own names.
/** A lab.test name for the mail server's address with a TLSA record that pins a key the server does not have. */
export const DANE_WRONG_TLSA_HOST = "dane-wrong-tlsa.lab.test";
/** TLSA 3 1 1 of no key at all (SHA-256 of a fixed text): nothing the server can present matches it. */
export const WRONG_TLSA_VALUE = `3 1 1 ${createHash("sha256").update("mailfort lab: a key the mail server does not have").digest("hex")}`;

/** The zone lines the lab serves for the control name: the server's address and the wrong TLSA. */
export function wrongTlsaZoneLines(mailAddress: string): string[] {
  return [`${DANE_WRONG_TLSA_HOST}. 300 IN A ${mailAddress}`, `_25._tcp.${DANE_WRONG_TLSA_HOST}. 300 IN TLSA ${WRONG_TLSA_VALUE}`];
}

/** Debian's mirror as the image's sources name it (lab/rootfs/build-rootfs.sh). */
export const DEBIAN_MIRROR_HOST = "deb.debian.org";

const SOA = (zone: string) =>
  [`$ORIGIN ${zone}.`, "$TTL 300", "@ IN SOA ns.lab.test. hostmaster.lab.test. ( 1 3600 600 86400 60 )", "@ IN NS ns.lab.test."];

function zoneOf(zone: string, names: ReadonlyArray<readonly [string, string]>, more: readonly string[] = []): { zone: string; text: string } {
  return { zone, text: `${[...SOA(zone), "", ...names.map(([n, ip]) => `${n}. 300 IN A ${ip}`), ...more].join("\n")}\n` };
}

export function serviceZoneFiles(region: string): Array<{ zone: string; text: string }> {
  const aws = labHost("aws").address;
  const endpoints = endpointNames(region, ACME_HOST).filter((n) => n.endsWith(".amazonaws.com"));
  return [
    zoneOf("lab.test", [["ns.lab.test", labHost("dns").address], [ACME_HOST, aws], ["aws.lab.test", aws], ["mirror.lab.test", labHost("mirror").address], [BOGUS_SIGNATURE_HOST, labHost("dns").address]],
      // The inbound DANE check's control: the mail server's address under a TLSA that pins another key.
      wrongTlsaZoneLines(labHost("mail").address)),
    zoneOf("amazonaws.com", endpoints.map((n) => [n, aws] as const)),
    zoneOf(DEBIAN_MIRROR_HOST, [[DEBIAN_MIRROR_HOST, labHost("mirror").address]]),
  ];
}
