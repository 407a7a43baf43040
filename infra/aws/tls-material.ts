// The server's TLS key (ECDSA P-256, stable so a DANE TLSA 3 1 1 record survives renewals; it
// goes to SSM only) and, in self-signed mode, a stack CA and a server certificate it signs for
// the hostname and each mail domain's mta-sts., autoconfig. and autodiscover. names.
import * as pulumi from "@pulumi/pulumi";
import * as tls from "@pulumi/tls";
import { TYPE_PREFIX } from "./tags";

export interface TlsMaterialArgs {
  stack: string;
  selfSigned: boolean;
  hostname: string;
  dnsNames: string[];
}

const CA_VALIDITY_HOURS = 5 * 365 * 24;
/** 397 days: the longest validity clients (Apple, Chrome) accept for a server certificate. */
const SERVER_VALIDITY_HOURS = 397 * 24;

export class TlsMaterial extends pulumi.ComponentResource {
  readonly serverKeyPem: pulumi.Output<string>;
  readonly serverPublicKeyPem: pulumi.Output<string>;
  /** Server certificate followed by the CA certificate (self-signed mode only). */
  readonly certChainPem?: pulumi.Output<string>;
  readonly caCertPem?: pulumi.Output<string>;

  constructor(name: string, args: TlsMaterialArgs, opts?: pulumi.ComponentResourceOptions) {
    super(`${TYPE_PREFIX}:TlsMaterial`, name, {}, opts);
    const serverKey = new tls.PrivateKey(`${name}-server`, { algorithm: "ECDSA", ecdsaCurve: "P256" }, { parent: this });
    this.serverKeyPem = serverKey.privateKeyPem;
    this.serverPublicKeyPem = serverKey.publicKeyPem;
    if (args.selfSigned) {
      const caKey = new tls.PrivateKey(`${name}-ca`, { algorithm: "ECDSA", ecdsaCurve: "P256" }, { parent: this });
      const ca = new tls.SelfSignedCert(`${name}-ca`, {
        privateKeyPem: caKey.privateKeyPem,
        isCaCertificate: true,
        subject: { commonName: `mailfort ${args.stack} CA`, organization: "mailfort" },
        validityPeriodHours: CA_VALIDITY_HOURS,
        allowedUses: ["cert_signing", "crl_signing", "digital_signature"],
      }, { parent: this });
      const request = new tls.CertRequest(`${name}-server`, {
        privateKeyPem: serverKey.privateKeyPem,
        subject: { commonName: args.hostname, organization: "mailfort" },
        dnsNames: args.dnsNames,
      }, { parent: this });
      const cert = new tls.LocallySignedCert(`${name}-server`, {
        certRequestPem: request.certRequestPem,
        caPrivateKeyPem: caKey.privateKeyPem,
        caCertPem: ca.certPem,
        validityPeriodHours: SERVER_VALIDITY_HOURS,
        allowedUses: ["digital_signature", "key_agreement", "server_auth"],
      }, { parent: this });
      this.caCertPem = ca.certPem;
      this.certChainPem = pulumi.all([cert.certPem, ca.certPem]).apply(([c, a]) => `${c.trimEnd()}\n${a.trimEnd()}\n`);
    }
    this.registerOutputs({ serverPublicKeyPem: this.serverPublicKeyPem, caCertPem: this.caCertPem });
  }
}
