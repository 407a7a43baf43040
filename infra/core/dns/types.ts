// The DNS record set as plain data: what the pure core computes once and every consumer
// (Route53 records, the lab's authoritative DNS, zone files, the policy pack, verify) reads.

/** The server's public addresses (the Elastic IP on AWS, the VM's address in the lab). */
export interface ServerAddresses {
  readonly ipv4: string;
  readonly ipv6?: string;
}

/** One DKIM public key that the host signs with (its private half lives only in SSM). */
export interface DkimPublicKey {
  readonly domain: string;
  readonly selector: string;
  /** SPKI PEM ("-----BEGIN PUBLIC KEY-----"), RSA 2048. */
  readonly publicKeyPem: string;
}

/** What the record set needs besides MailConfig: values only known once resources exist. */
export interface DnsInputs {
  readonly addresses: ServerAddresses;
  readonly dkim: readonly DkimPublicKey[];
  /** SPKI PEM of the server's TLS key (stable across renewals): TLSA 3 1 1 on _25._tcp.<hostname> when DNSSEC is on. */
  readonly tlsPublicKeyPem?: string;
  /** SES easy-DKIM tokens per domain, when outbound.mode is ses (3 CNAMEs each). */
  readonly sesDkimTokens?: Readonly<Record<string, readonly string[]>>;
}

export type RecordType = "A" | "AAAA" | "MX" | "TXT" | "CNAME" | "SRV" | "CAA" | "TLSA" | "NS" | "PTR";

export interface DnsRecord {
  /** The configured domain whose hosted zone holds it (or a reverse zone, e.g. 113.0.203.in-addr.arpa). */
  readonly zone: string;
  /** FQDN, lowercase, no trailing dot. */
  readonly name: string;
  readonly type: RecordType;
  /** Seconds. */
  readonly ttl: number;
  /** RDATA in presentation format as Route53 wants it: domain names absolute (trailing dot);
   * TXT as one or more "quoted" strings of <=255 chars each, space separated. */
  readonly values: readonly string[];
  /** Short label: "MX", "SPF", "DKIM", "DMARC", "MTA-STS", "TLS-RPT", "CAA", "SRV", "autoconfig", "TLSA", ... */
  readonly purpose: string;
}
