// A second look at testssl's one-handshake verdicts: the "128 cipher limit bug" pre-test
// (pre_128cipher), and whether the forward-secret AEAD suites are offered at all
// (cipherlist_STRONG, STRONG_SUITES below). For pre_128cipher testssl decides it
// from ONE handshake: a TLS 1.2 ClientHello offering 129 suites; any answer but a ServerHello
// (a timeout included) marks the server as broken. On the lab's emulated VM, with five scans
// running side by side, one slow handshake is enough for a false alarm. A server that really has
// the bug refuses such a hello every time, so the probe below sends the same kind of hello again,
// a few times: the finding stands only if none is answered with a ServerHello.
import { randomBytes } from "node:crypto";
import { type Socket, connect as netConnect } from "node:net";
import { socketReadyForTls } from "../smtp-probe";

/** How many suites the hello offers: one more than the 128 the buggy servers could take. */
export const OFFERED_SUITES = 129;

/**
 * 129 distinct TLS 1.2 cipher suite codes: the AEAD suites mailfort servers accept first (so a
 * server without the bug has something to choose), then legacy codes to fill the list, and the
 * renegotiation SCSV (00FF) last, as testssl sends it.
 */
export function offeredSuites(): number[] {
  const strong = [0xc02b, 0xc02c, 0xc02f, 0xc030, 0xcca8, 0xcca9, 0x009e, 0x009f, 0xc086];
  const filler: number[] = [];
  for (let code = 0x0001; filler.length < OFFERED_SUITES - strong.length - 1; code++) {
    if (!strong.includes(code)) filler.push(code);
  }
  return [...strong, ...filler, 0x00ff];
}

function u16(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(n);
  return b;
}

function withLength16(body: Buffer): Buffer {
  return Buffer.concat([u16(body.length), body]);
}

function extension(type: number, body: Buffer): Buffer {
  return Buffer.concat([u16(type), withLength16(body)]);
}

/** A TLS 1.2 ClientHello record offering `suites`, with SNI and the usual ECDHE extensions. */
export function clientHello(serverName: string, suites: readonly number[]): Buffer {
  const name = Buffer.from(serverName, "ascii");
  const sni = withLength16(Buffer.concat([Buffer.from([0]), withLength16(name)]));
  const groups = withLength16(Buffer.concat([0x001d, 0x0017, 0x0018].map(u16)));
  const sigalgs = withLength16(Buffer.concat([0x0403, 0x0503, 0x0804, 0x0805, 0x0806, 0x0401, 0x0501, 0x0601].map(u16)));
  const extensions = Buffer.concat([
    extension(0x0000, sni),
    extension(0x000a, groups),
    extension(0x000b, Buffer.from([1, 0])),
    extension(0x000d, sigalgs),
    extension(0x0017, Buffer.alloc(0)),
  ]);
  const body = Buffer.concat([
    Buffer.from([0x03, 0x03]),
    randomBytes(32),
    Buffer.from([0]),
    withLength16(Buffer.concat(suites.map(u16))),
    Buffer.from([1, 0]),
    withLength16(extensions),
  ]);
  const handshake = Buffer.concat([Buffer.from([0x01, body.length >> 16, (body.length >> 8) & 0xff, body.length & 0xff]), body]);
  return Buffer.concat([Buffer.from([0x16, 0x03, 0x01]), withLength16(handshake)]);
}

/** What the server answered to the hello. */
export type HelloAnswer = "server-hello" | "alert" | "closed" | "timeout" | "other";

/** Reads the first record header and handshake type the server sends back. */
export function answerTo(sock: Socket, hello: Buffer, timeoutMs: number): Promise<HelloAnswer> {
  return new Promise((resolve) => {
    let got = Buffer.alloc(0);
    const done = (a: HelloAnswer) => {
      sock.removeAllListeners("data");
      sock.destroy();
      resolve(a);
    };
    sock.setTimeout(timeoutMs, () => done("timeout"));
    sock.on("data", (d: Buffer) => {
      got = Buffer.concat([got, d]);
      if (got.length >= 1 && got[0] === 0x15) return done("alert");
      if (got.length >= 6) done(got[0] === 0x16 && got[5] === 0x02 ? "server-hello" : "other");
    });
    sock.once("close", () => done("closed"));
    sock.once("error", () => done("closed"));
    sock.write(hello);
  });
}

export interface ProbeTarget {
  readonly address: string;
  readonly port: number;
  readonly serverName: string;
  /** SMTP ports: EHLO and STARTTLS first, with this HELO name. */
  readonly smtpHelo?: string;
}

async function openForHello(t: ProbeTarget, timeoutMs: number): Promise<Socket> {
  if (t.smtpHelo) {
    const plain = await socketReadyForTls({ host: t.serverName, address: t.address, port: t.port, timeoutMs }, t.smtpHelo);
    // answerTo sets its own timeout for the hello.
    plain.removeAllListeners("timeout");
    return plain;
  }
  return new Promise((resolve, reject) => {
    const s = netConnect({ host: t.address, port: t.port });
    s.setTimeout(timeoutMs, () => s.destroy(new Error(`connect timeout after ${timeoutMs} ms`)));
    s.once("connect", () => resolve(s));
    s.once("error", reject);
  });
}

/** One hello offering `suites`; a failure to connect or to get through STARTTLS counts as "closed". */
export async function helloWith(t: ProbeTarget, suites: readonly number[], timeoutMs = 30_000): Promise<HelloAnswer> {
  let sock: Socket;
  try {
    sock = await openForHello(t, timeoutMs);
  } catch {
    return "closed";
  }
  return answerTo(sock, clientHello(t.serverName, suites), timeoutMs);
}

/** One 129-suite hello. */
export const helloWithManySuites = (t: ProbeTarget, timeoutMs = 30_000): Promise<HelloAnswer> => helloWith(t, offeredSuites(), timeoutMs);

/**
 * Sends a hello offering `suites` up to `attempts` times. A ServerHello means the server chose
 * one of them (a server that has none answers with a handshake-failure alert, every time); the
 * answers are returned for the report either way.
 */
export async function acceptsHello(t: ProbeTarget, suites: readonly number[], attempts = 3, timeoutMs = 30_000): Promise<{ accepted: boolean; answers: HelloAnswer[] }> {
  const answers: HelloAnswer[] = [];
  for (let i = 0; i < attempts; i++) {
    const a = await helloWith(t, suites, timeoutMs);
    answers.push(a);
    if (a === "server-hello") return { accepted: true, answers };
  }
  return { accepted: false, answers };
}

/** Answered once with a ServerHello: the server takes 129 suites, and testssl's one failed handshake was not the bug. */
export const acceptsManySuites = (t: ProbeTarget, attempts = 3, timeoutMs = 30_000) => acceptsHello(t, offeredSuites(), attempts, timeoutMs);

/**
 * The suites testssl's "STRONG" cipher list stands for (cipherlist_STRONG: forward-secret AEAD),
 * as TLS 1.2 codes: ECDHE with AES-GCM and ChaCha20-Poly1305, ECDSA and RSA keys alike. testssl
 * decides "not offered" from one handshake too; a ServerHello to a hello offering only these
 * proves the server offers one.
 */
export const STRONG_SUITES: readonly number[] = [0xc02b, 0xc02c, 0xc02f, 0xc030, 0xcca8, 0xcca9];
