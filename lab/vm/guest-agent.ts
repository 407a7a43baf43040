// A lab-only management channel into the VM: the QEMU guest agent (qemu-ga) over a virtio-serial
// port (org.qemu.guest_agent.0) that vm.ts exposes as a unix socket on the host. The lab VM has
// no login and no SSH (like the real server); the benchmarks (bench/**) still need to read
// /proc inside the guest (per-service memory and CPU, systemd timings) and to start a bare
// Postfix to compare against. On AWS the same role is played by SSM Session Manager / Run
// Command; nothing here exists outside the lab, and the cloud-init user data is unchanged.
//
// Protocol (QGA JSON over the socket, one command at a time): guest-sync to flush stale replies,
// guest-exec to start a process (argv, optional stdin as base64, output captured), then
// guest-exec-status until it has exited (stdout/stderr come back base64).
import { type Socket, createConnection } from "node:net";
import { join } from "node:path";
import { labPaths } from "../paths";

/** The host end of the guest agent's virtio-serial port (qemu listens here). */
export function qgaSocketPath(): string {
  return join(labPaths.vm(), "qga.sock");
}

export interface GuestExecResult {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface GuestExecOptions {
  readonly timeoutMs?: number;
  /** Written to the process's stdin. */
  readonly input?: string;
  /** Another socket (tests); default qgaSocketPath(). */
  readonly socket?: string;
}

interface QgaReply {
  readonly return?: unknown;
  readonly error?: { readonly class?: string; readonly desc: string };
}

interface ExecStatus {
  readonly exited: boolean;
  readonly exitcode?: number;
  readonly signal?: number;
  readonly "out-data"?: string;
  readonly "err-data"?: string;
  readonly "out-truncated"?: boolean;
  readonly "err-truncated"?: boolean;
}

/** One connection to qemu-ga: sends a command, resolves with the next reply line that is not stale. */
class QgaConnection {
  private buf = "";
  private waiters: ((line: string) => void)[] = [];
  private lines: string[] = [];
  private failure: Error | undefined;

  private constructor(private readonly sock: Socket) {
    sock.on("data", (d: Buffer) => {
      // qemu-ga may send 0xFF sentinels (guest-sync-delimited); they are never part of JSON.
      this.buf += d.toString("utf8").replace(/[\xff\ufffd]/g, "");
      let nl: number;
      while ((nl = this.buf.indexOf("\n")) >= 0) {
        const line = this.buf.slice(0, nl).trim();
        this.buf = this.buf.slice(nl + 1);
        if (!line) continue;
        const w = this.waiters.shift();
        if (w) w(line);
        else this.lines.push(line);
      }
    });
    sock.on("error", (e) => {
      this.failure = e;
    });
  }

  static open(path: string, timeoutMs: number): Promise<QgaConnection> {
    return new Promise((resolve, reject) => {
      const sock = createConnection(path);
      const timer = setTimeout(() => {
        sock.destroy();
        reject(new Error(`guest agent ${path}: no connection within ${timeoutMs} ms`));
      }, timeoutMs);
      sock.once("connect", () => {
        clearTimeout(timer);
        resolve(new QgaConnection(sock));
      });
      sock.once("error", (e) => {
        clearTimeout(timer);
        reject(new Error(`guest agent ${path}: ${e.message} (is the lab VM up, with qemu-guest-agent in its image?)`));
      });
    });
  }

  private nextLine(timeoutMs: number): Promise<string> {
    if (this.failure) return Promise.reject(this.failure);
    const queued = this.lines.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new Error(`guest agent: no reply within ${timeoutMs} ms`));
      }, timeoutMs);
      const waiter = (line: string) => {
        clearTimeout(timer);
        resolve(line);
      };
      this.waiters.push(waiter);
    });
  }

  async command<T>(execute: string, args: object | undefined, timeoutMs: number): Promise<T> {
    this.sock.write(`${JSON.stringify(args ? { execute, arguments: args } : { execute })}\n`);
    const reply = JSON.parse(await this.nextLine(timeoutMs)) as QgaReply;
    if (reply.error) throw new Error(`guest agent ${execute}: ${reply.error.desc}`);
    return reply.return as T;
  }

  /** guest-sync: replies left over from an earlier, interrupted client are read and dropped. */
  async sync(timeoutMs: number): Promise<void> {
    const id = Math.floor(Math.random() * 2 ** 31);
    this.sock.write(`${JSON.stringify({ execute: "guest-sync", arguments: { id } })}\n`);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const reply = JSON.parse(await this.nextLine(Math.max(1, deadline - Date.now()))) as QgaReply;
      if (reply.return === id) return;
    }
  }

  close(): void {
    this.sock.destroy();
  }
}

const decode = (b64: string | undefined): string => (b64 ? Buffer.from(b64, "base64").toString("utf8") : "");

/**
 * qemu serves its guest-agent socket to one client at a time (a second connection is accepted
 * only when the first closes, and hears nothing until then), and a guestExec holds its connection
 * until the process exits. Phases that run side by side (the induced faults and the DKIM rotation)
 * would fail each other's calls with "no reply": each socket's calls take turns here instead.
 */
const turns = new Map<string, Promise<unknown>>();

export function oneAtATime<T>(key: string, call: () => Promise<T>): Promise<T> {
  const mine = (turns.get(key) ?? Promise.resolve()).then(call, call);
  const settled = mine.then(() => undefined, () => undefined);
  turns.set(key, settled);
  void settled.then(() => {
    if (turns.get(key) === settled) turns.delete(key);
  });
  return mine;
}

/**
 * Run argv in the guest as root (qemu-ga's user) and wait for it: exit code and captured output.
 * A process killed by a signal reports 128 + signal, like a shell. Throws when the agent does
 * not answer or the process outlives timeoutMs (default 120 s, counted from its turn).
 */
export function guestExec(argv: readonly string[], opts: GuestExecOptions = {}): Promise<GuestExecResult> {
  const socket = opts.socket ?? qgaSocketPath();
  return oneAtATime(socket, () => guestExecNow(argv, { ...opts, socket }));
}

async function guestExecNow(argv: readonly string[], opts: GuestExecOptions & { readonly socket: string }): Promise<GuestExecResult> {
  const [path, ...arg] = argv;
  if (!path) throw new Error("guestExec: empty argv");
  const timeoutMs = opts.timeoutMs ?? 120_000;
  const deadline = Date.now() + timeoutMs;
  const conn = await QgaConnection.open(opts.socket, Math.min(timeoutMs, 10_000));
  try {
    await conn.sync(Math.min(timeoutMs, 15_000));
    const started = await conn.command<{ pid: number }>(
      "guest-exec",
      {
        path,
        arg,
        "capture-output": true,
        ...(opts.input !== undefined ? { "input-data": Buffer.from(opts.input).toString("base64") } : {}),
      },
      15_000,
    );
    let wait = 50;
    for (;;) {
      const st = await conn.command<ExecStatus>("guest-exec-status", { pid: started.pid }, 15_000);
      if (st.exited) {
        const truncated = st["out-truncated"] || st["err-truncated"] ? "\n[guest agent: output truncated]" : "";
        return {
          exitCode: st.exitcode ?? (st.signal !== undefined ? 128 + st.signal : -1),
          stdout: decode(st["out-data"]),
          stderr: decode(st["err-data"]) + truncated,
        };
      }
      if (Date.now() > deadline) throw new Error(`guest agent: ${argv.join(" ")} still running after ${timeoutMs} ms (guest pid ${started.pid})`);
      await new Promise((r) => setTimeout(r, wait));
      wait = Math.min(wait * 2, 200);
    }
  } finally {
    conn.close();
  }
}

/** guestExec of a shell script (sh -c), throwing with its stderr when it exits non-zero. */
export async function guestShell(script: string, opts: GuestExecOptions = {}): Promise<string> {
  const r = await guestExec(["/bin/sh", "-c", script], opts);
  if (r.exitCode !== 0) throw new Error(`guest: sh -c '${script.slice(0, 120)}' exited ${r.exitCode}: ${(r.stderr || r.stdout).trim().slice(0, 2000)}`);
  return r.stdout;
}

/** Wait until the agent answers (it starts with the guest's udev, some seconds into boot). */
export async function waitGuestAgent(timeoutMs: number, opts: { socket?: string } = {}): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = "";
  while (Date.now() < deadline) {
    try {
      const r = await guestExec(["/bin/true"], { timeoutMs: 15_000, ...opts });
      if (r.exitCode === 0) return;
      last = `exit ${r.exitCode}`;
    } catch (e) {
      last = e instanceof Error ? e.message : String(e);
    }
    await new Promise((r) => setTimeout(r, 3000));
  }
  throw new Error(`the guest agent did not answer within ${Math.round(timeoutMs / 1000)} s (${last})`);
}
