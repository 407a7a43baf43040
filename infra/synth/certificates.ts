// Real X.509 certificates and CSRs for the @pulumi/tls mocks. node:crypto can parse but not
// create certificates, so this uses @peculiar/x509 (maintained, pure TypeScript over WebCrypto,
// handles ECDSA and RSA) instead of shelling out to openssl per certificate.
import "reflect-metadata";
import * as x509 from "@peculiar/x509";
import { type KeyObject, randomBytes, webcrypto } from "node:crypto";

type CryptoKey = webcrypto.CryptoKey;
type X509Crypto = Parameters<typeof x509.cryptoProvider.set>[0];
import { parsePrivateKey } from "./keys";

x509.cryptoProvider.set(webcrypto as unknown as X509Crypto);

export interface Subject {
  commonName?: string;
  organization?: string;
  organizationalUnit?: string;
  country?: string;
}

interface SigningKeys {
  privateKey: CryptoKey;
  publicKey: CryptoKey;
  algorithm: webcrypto.RsaHashedImportParams | webcrypto.EcKeyImportParams;
  signing: webcrypto.Algorithm & { hash?: string };
}

async function importKeys(pem: string): Promise<SigningKeys> {
  const key: KeyObject = parsePrivateKey(pem);
  const pkcs8 = key.export({ type: "pkcs8", format: "der" });
  const jwk = key.export({ format: "jwk" });
  let algorithm: webcrypto.RsaHashedImportParams | webcrypto.EcKeyImportParams;
  let signing: webcrypto.Algorithm & { hash?: string };
  if (key.asymmetricKeyType === "rsa") {
    algorithm = { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" };
    signing = { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" };
  } else if (key.asymmetricKeyType === "ec") {
    const curve = jwk.crv ?? "P-256";
    const hash = curve === "P-384" ? "SHA-384" : curve === "P-521" ? "SHA-512" : "SHA-256";
    algorithm = { name: "ECDSA", namedCurve: curve };
    signing = { name: "ECDSA", hash };
  } else {
    throw new Error(`mock tls certificate: unsupported key type ${String(key.asymmetricKeyType)}`);
  }
  const subtle = webcrypto.subtle;
  const privateKey = (await subtle.importKey("pkcs8", pkcs8, algorithm, true, ["sign"])) as CryptoKey;
  const publicJwk = { ...jwk };
  delete publicJwk.d; delete publicJwk.p; delete publicJwk.q; delete publicJwk.dp; delete publicJwk.dq; delete publicJwk.qi;
  const publicKey = (await subtle.importKey("jwk", publicJwk, algorithm, true, ["verify"])) as CryptoKey;
  return { privateKey, publicKey, algorithm, signing };
}

function distinguishedName(s: Subject | undefined): string {
  const esc = (v: string) => v.replace(/([,+"\\<>;=])/g, "\\$1");
  const parts: string[] = [];
  if (s?.commonName) parts.push(`CN=${esc(s.commonName)}`);
  if (s?.organizationalUnit) parts.push(`OU=${esc(s.organizationalUnit)}`);
  if (s?.organization) parts.push(`O=${esc(s.organization)}`);
  if (s?.country) parts.push(`C=${esc(s.country)}`);
  return parts.length > 0 ? parts.join(", ") : "CN=mailfort";
}

const SUBJECT_ALT_NAME_OID = "2.5.29.17";

function serial(): string {
  const b = randomBytes(16);
  b[0] = (b[0] ?? 0) & 0x7f;
  return b.toString("hex");
}

const KEY_USAGE: Record<string, number> = {
  digital_signature: x509.KeyUsageFlags.digitalSignature,
  content_commitment: x509.KeyUsageFlags.nonRepudiation,
  key_encipherment: x509.KeyUsageFlags.keyEncipherment,
  data_encipherment: x509.KeyUsageFlags.dataEncipherment,
  key_agreement: x509.KeyUsageFlags.keyAgreement,
  cert_signing: x509.KeyUsageFlags.keyCertSign,
  crl_signing: x509.KeyUsageFlags.cRLSign,
};
const EXT_USAGE: Record<string, string> = {
  server_auth: x509.ExtendedKeyUsage.serverAuth,
  client_auth: x509.ExtendedKeyUsage.clientAuth,
  code_signing: x509.ExtendedKeyUsage.codeSigning,
  email_protection: x509.ExtendedKeyUsage.emailProtection,
};

function usageExtensions(allowedUses: readonly string[] | undefined): x509.Extension[] {
  const uses = allowedUses ?? [];
  const flags = uses.reduce((acc, u) => acc | (KEY_USAGE[u] ?? 0), 0);
  const ext = uses.map((u) => EXT_USAGE[u]).filter((u): u is string => u !== undefined);
  const out: x509.Extension[] = [];
  if (flags !== 0) out.push(new x509.KeyUsagesExtension(flags, true));
  if (ext.length > 0) out.push(new x509.ExtendedKeyUsageExtension(ext, false));
  return out;
}

function validity(hours: number | undefined): { notBefore: Date; notAfter: Date } {
  const notBefore = new Date();
  return { notBefore, notAfter: new Date(notBefore.getTime() + (hours ?? 24) * 3_600_000) };
}

export interface SelfSignedInput {
  privateKeyPem: string;
  subject?: Subject;
  dnsNames?: string[];
  isCaCertificate?: boolean;
  validityPeriodHours?: number;
  allowedUses?: string[];
}

export async function selfSignedCertificate(input: SelfSignedInput): Promise<{ certPem: string; notBefore: Date; notAfter: Date }> {
  const keys = await importKeys(input.privateKeyPem);
  const { notBefore, notAfter } = validity(input.validityPeriodHours);
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(input.isCaCertificate === true, undefined, true),
    ...usageExtensions(input.allowedUses),
    await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
  ];
  if (input.dnsNames?.length) extensions.push(new x509.SubjectAlternativeNameExtension(input.dnsNames.map((value) => ({ type: "dns" as const, value }))));
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(), name: distinguishedName(input.subject), notBefore, notAfter,
    keys: { privateKey: keys.privateKey, publicKey: keys.publicKey }, signingAlgorithm: keys.signing, extensions,
  });
  return { certPem: `${cert.toString("pem")}\n`, notBefore, notAfter };
}

export async function certificateRequest(input: { privateKeyPem: string; subject?: Subject; dnsNames?: string[] }): Promise<string> {
  const keys = await importKeys(input.privateKeyPem);
  const extensions: x509.Extension[] = [];
  if (input.dnsNames?.length) extensions.push(new x509.SubjectAlternativeNameExtension(input.dnsNames.map((value) => ({ type: "dns" as const, value }))));
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({
    name: distinguishedName(input.subject), keys: { privateKey: keys.privateKey, publicKey: keys.publicKey }, signingAlgorithm: keys.signing, extensions,
  });
  return `${csr.toString("pem")}\n`;
}

export interface LocallySignedInput {
  certRequestPem: string;
  caPrivateKeyPem: string;
  caCertPem: string;
  validityPeriodHours?: number;
  allowedUses?: string[];
  isCaCertificate?: boolean;
}

export async function locallySignedCertificate(input: LocallySignedInput): Promise<{ certPem: string; notBefore: Date; notAfter: Date }> {
  const ca = await importKeys(input.caPrivateKeyPem);
  const caCert = new x509.X509Certificate(input.caCertPem);
  const csr = new x509.Pkcs10CertificateRequest(input.certRequestPem);
  if (!(await csr.verify())) throw new Error("mock tls.LocallySignedCert: the certificate request's signature does not verify");
  const publicKey = await csr.publicKey.export(webcrypto as unknown as X509Crypto);
  const { notBefore, notAfter } = validity(input.validityPeriodHours);
  const san = csr.extensions.filter((e) => e.type === SUBJECT_ALT_NAME_OID);
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(input.isCaCertificate === true, undefined, true),
    ...usageExtensions(input.allowedUses),
    await x509.SubjectKeyIdentifierExtension.create(publicKey),
    await x509.AuthorityKeyIdentifierExtension.create(caCert),
    ...san,
  ];
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serial(), subject: csr.subject, issuer: caCert.subject, notBefore, notAfter,
    signingKey: ca.privateKey, publicKey, signingAlgorithm: ca.signing, extensions,
  });
  return { certPem: `${cert.toString("pem")}\n`, notBefore, notAfter };
}
