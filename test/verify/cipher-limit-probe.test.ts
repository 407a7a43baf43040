// The second look at testssl's pre_128cipher: the hello is one a real TLS stack (Node's OpenSSL)
// answers with a ServerHello, and a server that drops hellos with more than 128 suites (the bug)
// is caught every time, also behind SMTP STARTTLS.
import { type AddressInfo, type Server, type Socket, createServer } from "node:net";
import { createServer as createTlsServer } from "node:tls";
import { afterEach, describe, expect, it } from "vitest";
import { OFFERED_SUITES, acceptsManySuites, clientHello, offeredSuites } from "../../verify/checks/cipher-limit-probe";
import { selfSignedCertificate } from "../../infra/synth/certificates";
import { generateKeyPair } from "../../infra/synth/keys";
import { reprobed } from "../../verify/checks/testssl";
import { tlsPorts } from "../../verify/checks/tls";
import type { VerifyTarget } from "../../verify/types";

const servers: Server[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.close();
});

function listen(s: Server): Promise<number> {
  servers.push(s);
  return new Promise((resolve) => s.listen(0, "127.0.0.1", () => resolve((s.address() as AddressInfo).port)));
}

/** Suites offered in a ClientHello record (the parse a buggy server would do). */
function suitesIn(hello: Buffer): number {
  const sessionIdLength = hello[5 + 4 + 2 + 32]!;
  const at = 5 + 4 + 2 + 32 + 1 + sessionIdLength;
  return hello.readUInt16BE(at) / 2;
}

/** A server with the bug: it reads the hello and hangs up when it offers more than 128 suites. */
function buggyServer(smtp: boolean): Server {
  return createServer((sock: Socket) => {
    const onHello = (d: Buffer) => {
      if (suitesIn(d) > 128) sock.destroy();
      else sock.end(Buffer.from([0x16, 0x03, 0x03, 0x00, 0x04, 0x02, 0, 0, 0]));
    };
    if (!smtp) return sock.once("data", onHello);
    sock.write("220 mx.test ESMTP\r\n");
    sock.on("data", function dialogue(d: Buffer) {
      const line = d.toString("latin1");
      if (/^EHLO/i.test(line)) sock.write("250-mx.test\r\n250 STARTTLS\r\n");
      else if (/^STARTTLS/i.test(line)) {
        sock.off("data", dialogue);
        sock.write("220 2.0.0 Ready to start TLS\r\n");
        sock.once("data", onHello);
      }
    });
  });
}

describe("the 129-suite hello", () => {
  it("offers 129 distinct suites, the renegotiation SCSV last, and parses as one", () => {
    const suites = offeredSuites();
    expect(suites).toHaveLength(OFFERED_SUITES);
    expect(new Set(suites).size).toBe(OFFERED_SUITES);
    expect(suites.at(-1)).toBe(0x00ff);
    expect(suitesIn(clientHello("mail.example.com", suites))).toBe(129);
  });

  it("a real TLS server answers it with a ServerHello", async () => {
    const key = await generateKeyPair("ECDSA", 2048, "P256");
    const c = await selfSignedCertificate({ privateKeyPem: key.privateKeyPem, subject: { commonName: "mail.example.com" }, dnsNames: ["mail.example.com"], isCaCertificate: false, validityPeriodHours: 1, allowedUses: ["digital_signature", "server_auth"] });
    const port = await listen(createTlsServer({ key: key.privateKeyPem, cert: c.certPem, minVersion: "TLSv1.2" }, (s) => s.end()));
    const r = await acceptsManySuites({ address: "127.0.0.1", port, serverName: "mail.example.com" }, 3, 10_000);
    expect(r).toEqual({ accepted: true, answers: ["server-hello"] });
  });

  it("a server with the bug is caught on every attempt (implicit TLS and after STARTTLS)", async () => {
    for (const smtp of [false, true]) {
      const port = await listen(buggyServer(smtp));
      const r = await acceptsManySuites({ address: "127.0.0.1", port, serverName: "mx.test", smtpHelo: smtp ? "client.test" : undefined }, 3, 5_000);
      expect(r).toEqual({ accepted: false, answers: ["closed", "closed", "closed"] });
    }
  });

  it("a port that does not answer at all is not taken for a server without the bug", async () => {
    const port = await listen(createServer(() => undefined));
    const r = await acceptsManySuites({ address: "127.0.0.1", port, serverName: "mx.test" }, 2, 300);
    expect(r).toEqual({ accepted: false, answers: ["timeout", "timeout"] });
  });
});

describe("testssl's pre_128cipher on a second look", () => {
  const finding = (id: string) => ({ id, severity: "MEDIUM", finding: id });
  const target = { host: "mx.test", address: "127.0.0.1", domains: ["example.com"], mailboxes: [], externalRecipient: "x@example.invalid", heloName: "client.test" } as VerifyTarget;

  it("stands when the server drops the hello again; every other finding stands regardless", async () => {
    const port = await listen(buggyServer(true));
    const p = { ...tlsPorts({ pop3: false }).find((x) => x.port === 587)!, port };
    const r = await reprobed(target, p, [finding("pre_128cipher"), finding("BREACH")]);
    expect(r.bad.map((f) => f.id)).toEqual(["pre_128cipher", "BREACH"]);
    expect(r.notReproduced).toEqual([]);
  });

  it("is dropped, with what the server answered, when a ServerHello comes back", async () => {
    const port = await listen(createServer((sock) => sock.once("data", () => sock.end(Buffer.from([0x16, 0x03, 0x03, 0x00, 0x04, 0x02, 0, 0, 0])))));
    const p = { ...tlsPorts({ pop3: false }).find((x) => x.port === 993)!, port };
    const r = await reprobed(target, p, [finding("pre_128cipher"), finding("BREACH")]);
    expect(r.bad.map((f) => f.id)).toEqual(["BREACH"]);
    expect(r.notReproduced).toEqual(["pre_128cipher (a 129-suite hello got server-hello)"]);
  });
});

describe("testssl's \"cipherlist_STRONG: not offered\" on a second look", () => {
  const target = { host: "mail.example.com", address: "127.0.0.1", domains: ["example.com"], mailboxes: [], externalRecipient: "x@example.invalid", heloName: "client.test" } as VerifyTarget;
  const strongMissing = { id: "cipherlist_STRONG", severity: "MEDIUM", finding: "not offered" };
  const tlsServer = async (ciphers?: string) => {
    const key = await generateKeyPair("ECDSA", 2048, "P256");
    const c = await selfSignedCertificate({ privateKeyPem: key.privateKeyPem, subject: { commonName: "mail.example.com" }, dnsNames: ["mail.example.com"], isCaCertificate: false, validityPeriodHours: 1, allowedUses: ["digital_signature", "server_auth"] });
    return listen(createTlsServer({ key: key.privateKeyPem, cert: c.certPem, minVersion: "TLSv1.2", maxVersion: "TLSv1.2", ...(ciphers ? { ciphers } : {}) }, (s) => s.end()));
  };
  const port993 = (port: number) => ({ ...tlsPorts({ pop3: false }).find((x) => x.port === 993)!, port });

  it("is dropped when a hello offering only forward-secret AEAD suites gets a ServerHello (a real TLS server)", async () => {
    const r = await reprobed(target, port993(await tlsServer()), [strongMissing]);
    expect(r.bad).toEqual([]);
    expect(r.notReproduced).toEqual(["cipherlist_STRONG (a hello offering only forward-secret AEAD suites got server-hello)"]);
  });

  it("stands when the server really offers none of them (CBC only: refused with an alert, every time)", async () => {
    const r = await reprobed(target, port993(await tlsServer("ECDHE-ECDSA-AES128-SHA")), [strongMissing]);
    expect(r.bad).toEqual([strongMissing]);
    expect(r.notReproduced).toEqual([]);
  });

  it("only the \"not offered\" verdict is looked at again", async () => {
    const other = { id: "cipherlist_STRONG", severity: "MEDIUM", finding: "offered (weak)" };
    const r = await reprobed(target, port993(await tlsServer()), [other]);
    expect(r.bad).toEqual([other]);
  });
});
