// A line-level SMTP dialogue for the adversarial checks. The relay tricks, AUTH before TLS and
// malformed addresses are exactly what well-behaved SMTP libraries refuse to send (nodemailer
// validates addresses and never offers AUTH in clear), so these checks speak the protocol
// themselves; sending real mail goes through nodemailer (see submit.ts).
import { Socket, connect as netConnect } from "node:net";
import { type TLSSocket, connect as tlsConnect } from "node:tls";

export interface SmtpReply {
  readonly code: number;
  readonly text: string;
}

export interface ProbeOptions {
  readonly host: string;
  readonly address: string;
  readonly port: number;
  /** Implicit TLS (465). */
  readonly implicitTls?: boolean;
  readonly caPem?: string;
  readonly timeoutMs?: number;
  /** Send from this local address (one of --source-address). */
  readonly localAddress?: string;
}

export class SmtpProbe {
  private buf = "";
  private waiters: ((line: string | null) => void)[] = [];
  private lines: string[] = [];
  private closed = false;

  private constructor(
    private sock: Socket | TLSSocket,
    private readonly opts: ProbeOptions,
  ) {
    this.attach(sock);
  }

  static async open(opts: ProbeOptions): Promise<{ probe: SmtpProbe; greeting: SmtpReply }> {
    const timeout = opts.timeoutMs ?? 30_000;
    const sock = await new Promise<Socket | TLSSocket>((resolve, reject) => {
      const plain = netConnect({ host: opts.address, port: opts.port, localAddress: opts.localAddress });
      const s = opts.implicitTls ? tlsConnect({ socket: plain, servername: opts.host, ca: opts.caPem, rejectUnauthorized: Boolean(opts.caPem) }) : plain;
      if (s !== plain) plain.once("error", reject);
      s.setTimeout(timeout, () => s.destroy(new Error(`timeout after ${timeout} ms`)));
      s.once(opts.implicitTls ? "secureConnect" : "connect", () => resolve(s));
      s.once("error", reject);
    });
    const probe = new SmtpProbe(sock, opts);
    const greeting = await probe.read();
    return { probe, greeting };
  }

  private attach(sock: Socket | TLSSocket): void {
    sock.on("data", (d: Buffer) => {
      this.buf += d.toString("latin1");
      let nl: number;
      while ((nl = this.buf.indexOf("\n")) >= 0) {
        const line = this.buf.slice(0, nl).replace(/\r$/, "");
        this.buf = this.buf.slice(nl + 1);
        const w = this.waiters.shift();
        if (w) w(line);
        else this.lines.push(line);
      }
    });
    const end = () => {
      this.closed = true;
      for (const w of this.waiters.splice(0)) w(null);
    };
    sock.on("close", end);
    sock.on("error", end);
  }

  private nextLine(): Promise<string | null> {
    const l = this.lines.shift();
    if (l !== undefined) return Promise.resolve(l);
    if (this.closed) return Promise.resolve(null);
    return new Promise((r) => this.waiters.push(r));
  }

  /** Read one (possibly multi-line) reply; code 0 when the server closed the connection. */
  async read(): Promise<SmtpReply> {
    const parts: string[] = [];
    for (;;) {
      const line = await this.nextLine();
      if (line === null) return { code: 0, text: parts.length ? parts.join("\n") : "connection closed by server" };
      parts.push(line);
      if (/^\d{3} /.test(line) || /^\d{3}$/.test(line)) return { code: Number(line.slice(0, 3)), text: parts.join("\n") };
      if (!/^\d{3}-/.test(line)) return { code: 0, text: `not SMTP: ${parts.join("\n")}` };
    }
  }

  async cmd(line: string): Promise<SmtpReply> {
    if (this.closed) return { code: 0, text: "connection closed by server" };
    this.sock.write(`${line}\r\n`);
    return this.read();
  }

  /** Send raw data (a message body ending in CRLF.CRLF) and read the reply. */
  async data(body: string): Promise<SmtpReply> {
    if (this.closed) return { code: 0, text: "connection closed by server" };
    this.sock.write(body);
    return this.read();
  }

  get isTls(): boolean {
    return "encrypted" in this.sock && (this.sock as TLSSocket).encrypted === true;
  }

  get socket(): Socket | TLSSocket {
    return this.sock;
  }

  /** STARTTLS: upgrade this connection; throws if the server refuses or the handshake fails. */
  async startTls(): Promise<TLSSocket> {
    const r = await this.cmd("STARTTLS");
    if (r.code !== 220) throw new Error(`STARTTLS refused: ${r.text}`);
    const plain = this.sock;
    plain.removeAllListeners("data");
    plain.removeAllListeners("close");
    plain.removeAllListeners("error");
    const secure = await new Promise<TLSSocket>((resolve, reject) => {
      const s = tlsConnect({ socket: plain, servername: this.opts.host, ca: this.opts.caPem, rejectUnauthorized: Boolean(this.opts.caPem) });
      s.once("secureConnect", () => resolve(s));
      s.once("error", reject);
    });
    this.sock = secure;
    this.buf = "";
    this.attach(secure);
    return secure;
  }

  close(): void {
    if (!this.closed) {
      try {
        this.sock.write("QUIT\r\n");
      } catch {
        // already gone
      }
    }
    this.sock.destroy();
  }
}

/**
 * A connection taken to the point where TLS starts: greeting, EHLO, STARTTLS answered with 220.
 * The caller owns the plain socket from there (its own TLS client, or raw handshake bytes); on any
 * refusal the connection is closed and the error says which step refused.
 */
export async function socketReadyForTls(opts: ProbeOptions, heloName: string): Promise<Socket> {
  const { probe, greeting } = await SmtpProbe.open(opts);
  try {
    if (greeting.code !== 220) throw new Error(`greeting ${greeting.text}`);
    await ehlo(probe, heloName);
    const r = await probe.cmd("STARTTLS");
    if (r.code !== 220) throw new Error(`STARTTLS refused: ${r.text}`);
  } catch (e) {
    probe.close();
    throw e;
  }
  const plain = probe.socket as Socket;
  plain.removeAllListeners("data");
  return plain;
}

/** EHLO and return the extension keywords (upper case). */
export async function ehlo(p: SmtpProbe, name: string): Promise<{ reply: SmtpReply; extensions: string[] }> {
  const reply = await p.cmd(`EHLO ${name}`);
  const extensions = reply.text
    .split("\n")
    .slice(1)
    .map((l) => l.slice(4).trim().toUpperCase());
  return { reply, extensions };
}
