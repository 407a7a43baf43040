// What the server presents on each TLS port, seen from a lab client (openssl s_client from the
// `scanner` host, whose addresses fail2ban ignores: a handshake without a login is what its
// aggressive filters punish), and whether it chains to the ACME CA's root: the evidence that the
// certificate is the one certbot got, not the self-signed bootstrap one.
import { type KeyObject, X509Certificate, createHash } from "node:crypto";
import { run } from "../../exec";
import { labHost } from "../../topology";

export interface TlsPort {
  readonly port: number;
  /** openssl's -starttls protocol, when the port starts in plain text. */
  readonly starttls?: "smtp" | "imap" | "pop3";
  /** The name to ask for (SNI) when it is not the mail hostname: nginx refuses names it does not serve. */
  readonly serverName?: string;
}

export interface ServedCert {
  readonly port: number;
  readonly leaf?: X509Certificate;
  readonly chain: readonly X509Certificate[];
  readonly error?: string;
}

/**
 * The ports the certificate is served on (POP3S only when the stack enables it). 443 answers only
 * the web names (MTA-STS, autoconfig); nginx rejects the handshake for any other name.
 */
export function tlsPorts(pop3: boolean, httpsName: string): TlsPort[] {
  return [{ port: 25, starttls: "smtp" }, { port: 465 }, { port: 587, starttls: "smtp" }, { port: 993 }, ...(pop3 ? [{ port: 995 }] : []), { port: 443, serverName: httpsName }];
}

export function servedCert(hostname: string, p: TlsPort): ServedCert {
  const args = ["s_client", "-connect", `${labHost("mail").address}:${p.port}`, "-servername", p.serverName ?? hostname, "-showcerts", ...(p.starttls ? ["-starttls", p.starttls] : [])];
  const r = run("timeout", ["20", "openssl", ...args], { netns: labHost("scanner").netns, input: "", allowFail: true, timeoutMs: 30_000 });
  const pems = r.stdout.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  if (pems.length === 0) return { port: p.port, chain: [], error: `no certificate (openssl exit ${r.status}: ${r.stderr.trim().split("\n").pop() ?? ""})` };
  const chain = pems.map((pem) => new X509Certificate(pem));
  return { port: p.port, leaf: chain[0], chain };
}

/** The leaf verifies through the served intermediates up to `rootPem`, and is valid now. */
export function chainsTo(served: ServedCert, rootPem: string, now = new Date()): boolean {
  if (!served.leaf) return false;
  const root = new X509Certificate(rootPem);
  let cert = served.leaf;
  for (let depth = 0; depth < 5; depth++) {
    if (new Date(cert.validFrom) > now || new Date(cert.validTo) < now) return false;
    if (cert.checkIssued(root) && cert.verify(root.publicKey)) return true;
    const issuer = served.chain.find((c) => c !== cert && cert.checkIssued(c) && cert.verify(c.publicKey));
    if (!issuer) return false;
    cert = issuer;
  }
  return false;
}

/** TLSA 3 1 1 of a public key: SHA-256 of its SubjectPublicKeyInfo (DANE-EE, the key only). */
export function tlsa311(key: KeyObject): string {
  return `3 1 1 ${createHash("sha256").update(key.export({ type: "spki", format: "der" })).digest("hex")}`;
}
