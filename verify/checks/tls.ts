// TLS checks per port: the certificate is valid for the hostname (against the given CA), TLS
// 1.2 or 1.3 is negotiated with an ECDHE + AEAD suite, and the server refuses TLS 1.0/1.1 and
// non-ECDHE or non-AEAD suites when a client offers only those.
import { type ConnectionOptions, type TLSSocket, connect as tlsConnect } from "node:tls";
import { targetAddress } from "../dns-client";
import { socketReadyForTls } from "../smtp-probe";
import { type Check, CheckFailed, type VerifyTarget, fail } from "../types";

export interface TlsPort {
  readonly port: number;
  readonly name: string;
  readonly starttls: "smtp" | "none";
  /** HTTPS serves the per-domain names (MTA-STS, autoconfig), not the mail hostname. */
  readonly sni?: (t: VerifyTarget) => string;
}

export function tlsPorts(t: Pick<VerifyTarget, "pop3">): TlsPort[] {
  return [
    { port: 25, name: "SMTP STARTTLS", starttls: "smtp" },
    { port: 465, name: "submissions (implicit TLS)", starttls: "none" },
    { port: 587, name: "submission STARTTLS", starttls: "smtp" },
    { port: 993, name: "IMAPS", starttls: "none" },
    ...(t.pop3 ? [{ port: 995, name: "POP3S", starttls: "none" as const }] : []),
    { port: 443, name: "HTTPS (MTA-STS)", starttls: "none", sni: (x) => `mta-sts.${x.domains[0] ?? x.host}` },
  ];
}

/** A TLS handshake on the port (after STARTTLS where needed) with the given client options. */
async function handshake(t: VerifyTarget, p: TlsPort, opts: ConnectionOptions): Promise<TLSSocket> {
  const address = await targetAddress(t);
  const base: ConnectionOptions = { servername: p.sni ? p.sni(t) : t.host, ca: t.caPem, rejectUnauthorized: false, ...opts };
  if (p.starttls === "smtp") {
    const plain = await socketReadyForTls({ host: t.host, address, port: p.port }, t.heloName);
    return new Promise((resolve, reject) => {
      const s = tlsConnect({ ...base, socket: plain });
      s.once("secureConnect", () => resolve(s));
      s.once("error", (e) => {
        plain.destroy();
        reject(e);
      });
    });
  }
  return new Promise((resolve, reject) => {
    const s = tlsConnect({ ...base, host: address, port: p.port });
    s.setTimeout(20_000, () => s.destroy(new Error("timeout")));
    s.once("secureConnect", () => resolve(s));
    s.once("error", reject);
  });
}

const AEAD = /GCM|CHACHA20|CCM/;

/**
 * A refusal only counts when it is the server refusing the TLS offer: a closed port, a timeout
 * or a refused STARTTLS proves nothing about which versions or suites the server accepts.
 */
function tlsRefusal(e: unknown, what: string): string {
  const msg = e instanceof Error ? e.message : String(e);
  const code = (e as NodeJS.ErrnoException).code ?? "";
  if (/ECONNREFUSED|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|ECONNRESET/.test(code) || /^(timeout|greeting|STARTTLS refused)/.test(msg)) {
    fail(`inconclusive for ${what}: could not reach a TLS handshake (${msg.split("\n")[0]})`);
  }
  return msg.split("\n")[0]?.slice(0, 90) ?? msg;
}

export function tlsChecks(t: Pick<VerifyTarget, "pop3">): Check[] {
  return tlsPorts(t).flatMap((p): Check[] => [
    {
      id: `tls-${p.port}-cert`,
      title: `${p.name} (${p.port}): valid certificate for the hostname, TLS 1.2+ with ECDHE + AEAD`,
      run: async (target) => {
        const s = await handshake(target, p, { rejectUnauthorized: true });
        const proto = s.getProtocol();
        const cipher = s.getCipher();
        const kx = s.getEphemeralKeyInfo();
        const cert = s.getPeerCertificate();
        s.destroy();
        if (proto !== "TLSv1.2" && proto !== "TLSv1.3") fail(`negotiated ${proto}`);
        if (!AEAD.test(cipher.name)) fail(`negotiated non-AEAD ${cipher.name}`);
        if (proto === "TLSv1.2" && !cipher.name.startsWith("ECDHE")) fail(`negotiated non-ECDHE ${cipher.name}`);
        const kxText = kx && "type" in kx ? `${kx.type}${"name" in kx && kx.name ? ` ${kx.name}` : ""}` : "?";
        return `${proto} ${cipher.name} (kx ${kxText}); cert CN=${cert.subject?.CN ?? "?"} valid for ${p.sni ? p.sni(target) : target.host}, to ${cert.valid_to}`;
      },
    },
    {
      id: `tls-${p.port}-no-old-versions`,
      title: `${p.name} (${p.port}): TLS 1.0 and 1.1 refused`,
      run: async (target) => {
        const refusals: string[] = [];
        for (const v of ["TLSv1", "TLSv1.1"] as const) {
          try {
            // SECLEVEL=0 so our own OpenSSL is willing to offer the old versions.
            const s = await handshake(target, p, { minVersion: v, maxVersion: v, ciphers: "DEFAULT:@SECLEVEL=0" });
            const got = s.getProtocol();
            s.destroy();
            fail(`server accepted ${got}`);
          } catch (e) {
            if (e instanceof CheckFailed) throw e;
            const msg = e instanceof Error ? e.message : String(e);
            // A refusal by our own TLS library would prove nothing about the server.
            if (/no protocols available|unsupported protocol/i.test(msg) && !/alert/i.test(msg)) fail(`this client could not offer ${v} (${msg}): inconclusive`);
            refusals.push(`${v}: ${tlsRefusal(e, v)}`);
          }
        }
        return `refused: ${refusals.join("; ")}`;
      },
    },
    {
      id: `tls-${p.port}-no-weak-suites`,
      title: `${p.name} (${p.port}): non-ECDHE and non-AEAD TLS 1.2 suites refused`,
      run: async (target) => {
        const weak = ["AES128-SHA", "AES256-GCM-SHA384", "DHE-RSA-AES128-GCM-SHA256", "ECDHE-RSA-AES128-SHA", "ECDHE-RSA-AES256-SHA384", "ECDHE-ECDSA-AES128-SHA"];
        const accepted: string[] = [];
        for (const c of weak) {
          try {
            const s = await handshake(target, p, { maxVersion: "TLSv1.2", ciphers: `${c}:@SECLEVEL=0` });
            accepted.push(s.getCipher().name);
            s.destroy();
          } catch (e) {
            if (e instanceof CheckFailed) throw e;
            tlsRefusal(e, c); // refused, as it should be; unless we never reached the handshake
          }
        }
        if (accepted.length) fail(`server accepted ${accepted.join(", ")}`);
        return `refused ${weak.join(", ")}`;
      },
    },
  ]);
}
