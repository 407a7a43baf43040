// TLS cipher suites and their order, on every TLS server of the host (Postfix, Dovecot, nginx):
// ECDHE key exchange with AEAD ciphers only (no CBC, no static RSA, no DHE: the product's TLS
// decision), and the server's order wins over the client's (the security model's "server
// cipher order"), so a client cannot talk the server down to its weakest suite.
import { dovecotHostSettings } from "../lib/dovecot";
import { hostFilesPolicy, lastFile, postfixOf } from "../lib/host-files";
import type { HostFile } from "../lib/user-data";
const AEAD_ECDHE = /^ECDHE-(ECDSA|RSA)-(AES(128|256)-GCM-SHA(256|384)|CHACHA20-POLY1305)$/;
const TLS13 = /^TLS_(AES_(128|256)_GCM_SHA(256|384)|CHACHA20_POLY1305_SHA256)$/;

/** The suites an OpenSSL cipher string enables that are not ECDHE+AEAD (removals are fine). */
export function weakSuites(list: string): string[] {
  return list.split(/[:\s,]+/).filter(Boolean).filter((c) => !/^[!-]/.test(c) && !AEAD_ECDHE.test(c.replace(/^\+/, "")) && !TLS13.test(c));
}

interface NginxServer { readonly text: string; readonly tls: boolean; readonly handshakes: boolean }

/** nginx's top-level text and its server blocks (brace-matched), comments removed. */
function nginxOf(files: readonly HostFile[]): { top: string; servers: NginxServer[] } | undefined {
  const conf = lastFile(files, "/etc/nginx/conf.d/mailfort.conf");
  if (!conf) return undefined;
  const text = conf.content.replace(/#.*$/gm, "");
  const servers: NginxServer[] = [];
  let top = "";
  let i = 0;
  for (const m of text.matchAll(/\bserver\s*\{/g)) {
    const start = m.index ?? 0;
    if (start < i) continue;
    top += text.slice(i, start);
    let depth = 0;
    let end = start;
    for (let j = text.indexOf("{", start); j < text.length; j++) {
      if (text[j] === "{") depth++;
      if (text[j] === "}" && --depth === 0) { end = j + 1; break; }
    }
    const body = text.slice(start, end);
    servers.push({ text: body, tls: /\blisten\s+[^;]*\bssl\b/.test(body), handshakes: !/\bssl_reject_handshake\s+on\s*;/.test(body) });
    i = end;
  }
  return { top: top + text.slice(i), servers };
}

const directive = (text: string, name: string) => [...text.matchAll(new RegExp(`\\b${name}\\s+([^;]+);`, "g"))].map((m) => (m[1] ?? "").trim());

export const tlsServerCipherOrderPolicy = hostFilesPolicy({
  name: "host-tls-server-cipher-order",
  area: "host",
  description: "Every TLS server prefers its own cipher order: Postfix tls_preempt_cipherlist = yes, Dovecot ssl_server_prefer_ciphers = server, nginx ssl_prefer_server_ciphers on.",
  why: "With the client's order a client (or a downgrade on the path) picks the weakest suite the server allows; the security model asks for the server's order.",
}, (files, report) => {
  const pf = postfixOf(files, report);
  if (pf) for (const v of pf.all) if ((v.get("tls_preempt_cipherlist") ?? "no").toLowerCase() !== "yes") report(`${v.label}: tls_preempt_cipherlist is ${JSON.stringify(v.get("tls_preempt_cipherlist") ?? "unset (no)")}; set it to yes`);
  const dovecot = dovecotHostSettings(files);
  if (!dovecot) report("the host gets no Dovecot configuration under /etc/dovecot");
  else if (dovecot.top.get("ssl_server_prefer_ciphers") !== "server") report(`Dovecot ssl_server_prefer_ciphers is ${JSON.stringify(dovecot.top.get("ssl_server_prefer_ciphers") ?? "unset (client)")}; set it to server`);
  const nginx = nginxOf(files);
  if (!nginx) { report("the host gets no /etc/nginx/conf.d/mailfort.conf"); return; }
  const topOn = directive(nginx.top, "ssl_prefer_server_ciphers").at(-1) === "on";
  nginx.servers.filter((s) => s.tls && s.handshakes).forEach((s) => {
    const own = directive(s.text, "ssl_prefer_server_ciphers").at(-1);
    if (!(own === "on" || (own === undefined && topOn))) report(`nginx: a TLS server block (${directive(s.text, "server_name")[0] ?? "no server_name"}) has ssl_prefer_server_ciphers ${own ?? "unset (off)"}; set it on`);
  });
});

export const tlsCiphersPolicy = hostFilesPolicy({
  name: "host-tls-ciphers",
  area: "host",
  description: "Postfix (smtpd_tls_ciphers and smtpd_tls_mandatory_ciphers = high), Dovecot and nginx offer only ECDHE key exchange with AEAD ciphers (AES-GCM, ChaCha20-Poly1305).",
  why: "CBC suites invite padding-oracle attacks, static RSA has no forward secrecy, and DHE groups are slow and often weak (Mozilla intermediate, internet.nl).",
}, (files, report) => {
  const pf = postfixOf(files, report);
  if (pf) {
    for (const v of pf.all) {
      for (const key of ["smtpd_tls_ciphers", "smtpd_tls_mandatory_ciphers"]) {
        if ((v.get(key) ?? "medium") !== "high") report(`${v.label}: ${key} is ${JSON.stringify(v.get(key) ?? "unset (medium)")}; set it to high (tls_high_cipherlist)`);
      }
      const weak = weakSuites(v.get("tls_high_cipherlist") ?? "ALL");
      if (weak.length > 0) report(`${v.label}: tls_high_cipherlist enables ${weak.slice(0, 5).join(", ")}; list ECDHE AEAD suites only`);
    }
  }
  const dovecot = dovecotHostSettings(files);
  const dovecotList = dovecot?.top.get("ssl_cipher_list") ?? "ALL:!kRSA:!SRP:!kDHd:!DSS:!aNULL:!eNULL:!EXPORT:!DES:!3DES:!MD5:!PSK:!RC4:!ADH:!LOW@STRENGTH";
  const dovecotWeak = weakSuites(dovecotList);
  if (dovecotWeak.length > 0) report(`Dovecot ssl_cipher_list enables ${dovecotWeak.slice(0, 5).join(", ")}; list ECDHE AEAD suites only`);
  const nginx = nginxOf(files);
  if (!nginx) return;
  const lists = [...directive(nginx.top, "ssl_ciphers"), ...nginx.servers.flatMap((s) => directive(s.text, "ssl_ciphers"))];
  if (lists.length === 0) report("nginx sets no ssl_ciphers (its default includes CBC suites)");
  for (const list of lists) {
    const weak = weakSuites(list);
    if (weak.length > 0) report(`nginx ssl_ciphers enables ${weak.slice(0, 5).join(", ")}; list ECDHE AEAD suites only`);
  }
});
