// The lab's endpoint CA: the certificates the emulator host serves the AWS endpoints (by their
// real names) and the ACME directory with. A fresh CA per lab run, made with openssl; its
// certificate goes to the lab VM through the NoCloud vendor data, as a cloud's image trusts the
// public CAs, and to nothing else. Keys stay in the lab's state directory (0600).
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { run } from "../exec";

export interface EndpointCerts {
  readonly caPem: string;
  readonly caFile: string;
  readonly certFile: string;
  readonly keyFile: string;
}

/** The names the server calls AWS by (boto3's default endpoints for the region), plus the ACME host. */
export function endpointNames(region: string, acmeHost: string): string[] {
  return [
    `ssm.${region}.amazonaws.com`,
    `kms.${region}.amazonaws.com`,
    `monitoring.${region}.amazonaws.com`,
    `sts.${region}.amazonaws.com`,
    "sts.amazonaws.com",
    "route53.amazonaws.com",
    acmeHost,
  ];
}

export function makeEndpointCerts(dir: string, names: readonly string[], ips: readonly string[]): EndpointCerts {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const f = (n: string) => join(dir, n);
  const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"];
  run("openssl", ["req", "-x509", ...ec, "-keyout", f("ca.key"), "-out", f("ca.pem"), "-days", "30",
    "-subj", "/O=mailfort lab/CN=mailfort lab endpoint CA", "-addext", "basicConstraints=critical,CA:TRUE",
    "-addext", "keyUsage=critical,keyCertSign,cRLSign"]);
  run("openssl", ["req", "-new", ...ec, "-keyout", f("endpoints.key"), "-out", f("endpoints.csr"), "-subj", `/O=mailfort lab/CN=${names[0]}`]);
  const san = [...names.map((n) => `DNS:${n}`), ...ips.map((i) => `IP:${i}`)].join(",");
  writeFileSync(f("endpoints.ext"), `subjectAltName=${san}\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n`);
  run("openssl", ["x509", "-req", "-in", f("endpoints.csr"), "-CA", f("ca.pem"), "-CAkey", f("ca.key"), "-CAcreateserial",
    "-out", f("endpoints.pem"), "-days", "30", "-extfile", f("endpoints.ext")]);
  return { caPem: readFileSync(f("ca.pem"), "utf8"), caFile: f("ca.pem"), certFile: f("endpoints.pem"), keyFile: f("endpoints.key") };
}
