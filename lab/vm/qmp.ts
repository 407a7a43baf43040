// A minimal QMP (QEMU Machine Protocol) client over the VM's unix socket: enough to ask the
// guest to power down (ACPI) and to read the balloon driver's memory statistics.
import { createConnection } from "node:net";

type QmpReply = { return?: unknown; error?: { desc: string }; event?: string };

/** Send commands in order after the capabilities handshake; resolves to their replies. */
export function qmp(socket: string, commands: readonly { execute: string; arguments?: object }[], timeoutMs = 10_000): Promise<unknown[]> {
  return new Promise((resolve, reject) => {
    const conn = createConnection(socket);
    const replies: unknown[] = [];
    const queue = [{ execute: "qmp_capabilities" }, ...commands];
    let buf = "";
    let greeted = false;
    const timer = setTimeout(() => {
      conn.destroy();
      reject(new Error(`QMP ${socket}: no answer within ${timeoutMs} ms`));
    }, timeoutMs);
    const sendNext = () => {
      const next = queue.shift();
      if (next) conn.write(`${JSON.stringify(next)}\n`);
      else {
        clearTimeout(timer);
        conn.end();
        resolve(replies.slice(1));
      }
    };
    conn.on("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
    conn.on("data", (d) => {
      buf += d.toString();
      let nl: number;
      while ((nl = buf.indexOf("\n")) >= 0) {
        const line = buf.slice(0, nl).trim();
        buf = buf.slice(nl + 1);
        if (!line) continue;
        const msg = JSON.parse(line) as QmpReply & { QMP?: unknown };
        if (msg.QMP !== undefined && !greeted) {
          greeted = true;
          sendNext();
        } else if (msg.event) {
          continue;
        } else if (msg.error) {
          clearTimeout(timer);
          conn.destroy();
          reject(new Error(`QMP error: ${msg.error.desc}`));
        } else {
          replies.push(msg.return);
          sendNext();
        }
      }
    });
  });
}
