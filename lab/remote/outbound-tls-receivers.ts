// The outside receivers the server's outbound TLS policy is proven against (issue 18), as data:
// four domains, each with its own MX on one of the remote host's service addresses, each the
// case one rule of the policy decides (configs/bin/mailfort-tls-policy):
//   dane          TLSA 3 1 1 for a self-signed certificate in a signed zone: only DANE can verify it
//   sts-valid     MTA-STS enforce, the MX's certificate from the lab CA the VM trusts
//   sts-wrong     MTA-STS enforce, a lab-CA certificate for another name: mail must wait
//   opportunistic neither: a self-signed certificate, delivered with unauthenticated TLS
// and the zones that publish them (served, signed, by the lab's nsd).
import { createHash, createPublicKey } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { run } from "../exec";
import { labDir } from "../paths";
import { labHost } from "../topology";

export type ReceiverKind = "dane" | "sts-valid" | "sts-wrong" | "opportunistic";

export interface TlsReceiver {
  readonly kind: ReceiverKind;
  readonly domain: string;
  readonly mx: string;
  readonly address: string;
  /** The name the MX's certificate is issued for (not the MX's own for sts-wrong). */
  readonly certName: string;
  /** Who signs the MX's certificate: the lab CA the VM trusts, or nobody (self-signed). */
  readonly issuer: "lab-ca" | "self";
  /** The MTA-STS policy host's address (https://mta-sts.<domain>), for the MTA-STS cases. */
  readonly policyAddress?: string;
}

const addr = (i: number): string => {
  const a = labHost("remote").serviceAddresses?.[i];
  if (a === undefined) throw new Error(`lab topology: the remote host has no service address ${i} (lab/topology.ts)`);
  return a;
};

export const TLS_RECEIVERS: readonly TlsReceiver[] = [
  { kind: "dane", domain: "dane.test", mx: "mx.dane.test", address: addr(0), certName: "mx.dane.test", issuer: "self" },
  { kind: "sts-valid", domain: "sts-valid.test", mx: "mx.sts-valid.test", address: addr(1), certName: "mx.sts-valid.test", issuer: "lab-ca", policyAddress: addr(4) },
  { kind: "sts-wrong", domain: "sts-wrong.test", mx: "mx.sts-wrong.test", address: addr(2), certName: "not-the-mx.sts-wrong.test", issuer: "lab-ca", policyAddress: addr(5) },
  { kind: "opportunistic", domain: "plain.test", mx: "mx.plain.test", address: addr(3), certName: "mx.plain.test", issuer: "self" },
];

export function tlsReceiver(kind: ReceiverKind): TlsReceiver {
  const r = TLS_RECEIVERS.find((x) => x.kind === kind);
  if (!r) throw new Error(`no outbound-TLS receiver ${kind}`);
  return r;
}

/** Where every receiver's TLS-RPT record sends the reports: a receiver with a valid MTA-STS path. */
export const TLSRPT_RUA = "tlsrpt@sts-valid.test";

/** The MTA-STS policy (RFC 8461 section 3.2) a receiver publishes. */
export function stsPolicy(r: TlsReceiver): string {
  return `version: STSv1\nmode: enforce\nmx: ${r.mx}\nmax_age: 86400\n`;
}

/** TLSA 3 1 1 (DANE-EE, SPKI, SHA-256) of a PEM certificate: what a DANE client matches. */
export function tlsa311(certPem: string): string {
  const spki = createPublicKey(certPem).export({ type: "spki", format: "der" });
  return createHash("sha256").update(spki).digest("hex");
}

const SOA = (zone: string) => [`$ORIGIN ${zone}.`, "$TTL 300", "@ IN SOA ns.lab.test. hostmaster.lab.test. ( 1 3600 600 86400 60 )", "@ IN NS ns.lab.test."];

/** One zone per receiver: MX and its address; TLSA for DANE; _mta-sts TXT and the policy host for MTA-STS. */
export function receiverZoneFiles(certPem: (r: TlsReceiver) => string): Array<{ zone: string; text: string }> {
  return TLS_RECEIVERS.map((r) => {
    const lines = [...SOA(r.domain), "", `@ 300 IN MX 10 ${r.mx}.`, `${r.mx}. 300 IN A ${r.address}`];
    if (r.kind === "dane") lines.push(`_25._tcp.${r.mx}. 300 IN TLSA 3 1 1 ${tlsa311(certPem(r))}`);
    if (r.policyAddress !== undefined) {
      lines.push(`_mta-sts.${r.domain}. 300 IN TXT "v=STSv1; id=mailforlab1"`, `mta-sts.${r.domain}. 300 IN A ${r.policyAddress}`);
    }
    // Every receiver asks for TLS reports (RFC 8460), all to one address the receivers accept.
    lines.push(`_smtp._tls.${r.domain}. 300 IN TXT "v=TLSRPTv1; rua=mailto:${TLSRPT_RUA}"`);
    return { zone: r.domain, text: `${[...lines, ""].join("\n")}` };
  });
}

export const receiverDir = () => join(labDir(), "outbound-tls");
/** The receivers' certificates and keys (made anew each run: the lab CA is new each run). */
export const receiverCertDir = () => join(receiverDir(), "certs");
/** The lab's endpoint CA (lab/aws/certs.ts, made by startLabAws): the CA the VM trusts. */
const labCa = () => join(labDir(), "aws-certs");

export interface CertFiles {
  readonly cert: string;
  readonly key: string;
}

/** A certificate for `names` (the first is the CN), signed by the lab CA or by itself; made once per lab run. */
export function ensureCert(base: string, names: readonly string[], issuer: "lab-ca" | "self"): CertFiles {
  const cert = `${base}.pem`;
  const key = `${base}.key`;
  if (existsSync(cert) && existsSync(key)) return { cert, key };
  // The receivers' directory is traversable (the second Postfix's data and maildir are under it);
  // the keys are root's alone (smtpd and openssl read them as root, before dropping privileges).
  mkdirSync(receiverDir(), { recursive: true });
  chmodSync(receiverDir(), 0o755);
  mkdirSync(receiverCertDir(), { recursive: true, mode: 0o700 });
  const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"];
  const subj = `/O=mailfort lab outside receiver/CN=${names[0] ?? ""}`;
  const ext = `${base}.ext`;
  writeFileSync(ext, `subjectAltName=${names.map((n) => `DNS:${n}`).join(",")}\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n`);
  if (issuer === "self") {
    run("openssl", ["req", "-x509", ...ec, "-keyout", key, "-out", cert, "-days", "30", "-subj", subj, "-addext", `subjectAltName=${names.map((n) => `DNS:${n}`).join(",")}`]);
  } else {
    if (!existsSync(join(labCa(), "ca.key"))) throw new Error(`the lab CA is not made yet (${labCa()}): start the lab's AWS first`);
    run("openssl", ["req", "-new", ...ec, "-keyout", key, "-out", `${base}.csr`, "-subj", subj]);
    run("openssl", ["x509", "-req", "-in", `${base}.csr`, "-CA", join(labCa(), "ca.pem"), "-CAkey", join(labCa(), "ca.key"), "-CAcreateserial",
      "-out", cert, "-days", "30", "-extfile", ext]);
  }
  return { cert, key };
}

/** The receiver's MX certificate. */
export const mxCert = (r: TlsReceiver): CertFiles => ensureCert(join(receiverCertDir(), r.kind), [r.certName], r.issuer);

/**
 * The zones of the receivers, their certificates made first (the DANE zone holds its hash). Each
 * run's lab CA is new, so the certificates are made anew with the zones (lab DNS start).
 */
export function outboundTlsZoneFiles(): Array<{ zone: string; text: string }> {
  // Only the certificates: a receiver still running from an earlier `up` is stopped by its own files.
  rmSync(receiverCertDir(), { recursive: true, force: true });
  return receiverZoneFiles((r) => readFileSync(mxCert(r).cert, "utf8"));
}
