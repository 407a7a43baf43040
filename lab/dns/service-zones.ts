// The zones that name the lab's own services, as the real ones name AWS's and Debian's: the AWS
// endpoints the server calls by their public names (boto3's defaults for the region) lead to the
// `aws` host, deb.debian.org to the `mirror` host, and lab.test holds the ACME CA's name.
import { endpointNames } from "../aws/certs";
import { labHost } from "../topology";
import { wrongTlsaZoneLines } from "../dane-inbound-check";
import { BOGUS_SIGNATURE_LABEL } from "./dnssec";

/** The ACME directory's host (stacks/Pulumi.lab.yaml tls.acmeDirectory names it). */
export const ACME_HOST = "acme.lab.test";
/** A lab.test name signed with a corrupted signature: a validating resolver must refuse it (SERVFAIL). */
export const BOGUS_SIGNATURE_HOST = `${BOGUS_SIGNATURE_LABEL}.lab.test`;
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
