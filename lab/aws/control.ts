// The lab runner's side of the emulator's control socket (lab/aws/emulator/control.py): plain
// HTTP/JSON over a unix socket in the lab's state directory.
import { request } from "node:http";

export class EmulatorError extends Error {}

export function controlCall<T>(socketPath: string, method: "GET" | "POST", path: string, body?: unknown, timeoutMs = 120_000): Promise<T> {
  const data = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
  return new Promise((resolve, reject) => {
    const req = request(
      { socketPath, method, path, headers: data ? { "Content-Type": "application/json", "Content-Length": data.length } : {}, timeout: timeoutMs },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          let parsed: unknown;
          try {
            parsed = JSON.parse(text);
          } catch {
            return reject(new EmulatorError(`emulator ${method} ${path}: not JSON (HTTP ${res.statusCode}): ${text.slice(0, 300)}`));
          }
          if (res.statusCode !== 200) {
            const e = parsed as { error?: string; trace?: string };
            return reject(new EmulatorError(`emulator ${method} ${path}: ${e.error ?? `HTTP ${res.statusCode}`}\n${e.trace ?? ""}`.trim()));
          }
          resolve(parsed as T);
        });
      },
    );
    req.on("timeout", () => req.destroy(new EmulatorError(`emulator ${method} ${path}: no answer within ${timeoutMs / 1000} s`)));
    req.on("error", reject);
    if (data) req.write(data);
    req.end();
  });
}
