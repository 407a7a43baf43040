// A load client that can authenticate (smtp-source cannot): nodemailer with a connection pool,
// run by the throughput bench inside the lab `sender` namespace (ip netns exec ... tsx this).
// Sends --count messages over --concurrency pooled connections (STARTTLS + AUTH when asked)
// and prints one JSON line: {sent, failed, seconds, firstError}. The clock covers the
// connections, TLS handshakes and AUTH as well as the messages: all are part of the path.
import { readFileSync } from "node:fs";
import { Command } from "commander";
import nodemailer from "nodemailer";

export interface LoadResult {
  readonly sent: number;
  readonly failed: number;
  readonly seconds: number;
  readonly firstError?: string;
}

interface Opts { host: string; port: string; count: string; concurrency: string; from: string; to: string; user?: string; pass?: string; ca?: string; servername?: string; size: string }

async function main(): Promise<void> {
  const o = new Command()
    .requiredOption("--host <ip>").requiredOption("--port <n>").requiredOption("--count <n>").requiredOption("--concurrency <n>")
    .requiredOption("--from <addr>").requiredOption("--to <addr>")
    .option("--user <name>").option("--pass <password>").option("--ca <file>", "CA to verify STARTTLS against (turns STARTTLS on)")
    .option("--servername <name>").option("--size <bytes>", "body size", "2048")
    .parse().opts<Opts>();
  const tls = o.ca !== undefined;
  const transport = nodemailer.createTransport({
    pool: true,
    host: o.host,
    port: Number(o.port),
    secure: false,
    requireTLS: tls,
    ignoreTLS: !tls,
    maxConnections: Number(o.concurrency),
    maxMessages: Infinity,
    name: "sender.remote.test",
    ...(o.user !== undefined ? { auth: { user: o.user, pass: o.pass ?? "" } } : {}),
    ...(tls ? { tls: { ca: readFileSync(o.ca as string, "utf8"), servername: o.servername ?? o.host, rejectUnauthorized: true } } : {}),
  });
  const body = `${"The quick brown fox jumps over the lazy dog. ".repeat(Math.ceil(Number(o.size) / 45)).slice(0, Number(o.size))}\n`;
  const started = process.hrtime.bigint();
  let sent = 0;
  let failed = 0;
  let firstError: string | undefined;
  await Promise.all(
    Array.from({ length: Number(o.count) }, (_, i) =>
      transport.sendMail({ from: o.from, to: o.to, subject: `bench message ${i + 1}`, text: body }).then(
        () => void sent++,
        (e: unknown) => {
          failed++;
          firstError ??= e instanceof Error ? e.message : String(e);
        },
      ),
    ),
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  transport.close();
  const result: LoadResult = { sent, failed, seconds, ...(firstError !== undefined ? { firstError } : {}) };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main().catch((e: unknown) => {
  process.stdout.write(`${JSON.stringify({ sent: 0, failed: 0, seconds: 0, firstError: e instanceof Error ? e.message : String(e) })}\n`);
  process.exit(1);
});
