// Is the freshly deployed server ready to be judged? It boots, then fetches its ACME
// certificate, for minutes. Two probes, retried until a deadline, each reported like a check.
import { connect as tlsConnect } from "node:tls";
import { SmtpProbe } from "../smtp-probe";
import type { CheckResult } from "../types";

/** One probe: the full greeting (never cut into a postscreen pregreet), then QUIT. What went wrong, or "". */
export async function smtpGreets(address: string, port: number, timeoutMs: number): Promise<string> {
  try {
    const { probe, greeting } = await SmtpProbe.open({ host: address, address, port, timeoutMs });
    probe.close();
    return greeting.code === 220 ? "" : `greeted with ${JSON.stringify(greeting.text.split("\n").pop()?.slice(0, 80) ?? "")}`;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}

/** One probe of the HTTPS certificate (nginx: no fail2ban jail counts these connections). */
export function tlsTrusted(address: string, port: number, host: string, caPem: string | undefined, timeoutMs: number): Promise<string> {
  return new Promise((done) => {
    const socket = tlsConnect({ host: address, port, servername: host, ...(caPem !== undefined ? { ca: caPem } : {}), rejectUnauthorized: true });
    const finish = (problem: string) => {
      clearTimeout(timer);
      socket.destroy();
      done(problem);
    };
    const timer = setTimeout(() => finish(`no TLS handshake within ${timeoutMs / 1000} s`), timeoutMs);
    socket.on("secureConnect", () => finish(""));
    socket.on("error", (e) => finish(e.message));
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Probe until it succeeds or the deadline passes: a pass, or a failed result saying what was seen last. */
export async function waitFor(id: string, what: string, probe: () => Promise<string>, deadline: number, pollMs: number, log: (l: string) => void): Promise<CheckResult> {
  const started = Date.now();
  const seconds = () => Math.round((Date.now() - started) / 1000);
  let last = "";
  for (;;) {
    const problem = await probe();
    if (problem === "") {
      log(`${what}: ready after ${seconds()} s`);
      return { id, title: `${what} before verifying`, status: "pass", detail: `ready after ${seconds()} s`, seconds: seconds() };
    }
    if (problem !== last) log(`${what}: not yet (${problem})`);
    last = problem;
    if (Date.now() + pollMs > deadline) {
      const detail = `not ready before the deadline (verifyAfterDeploy.waitMinutes); last: ${problem}`;
      log(`${what}: ${detail}`);
      return { id, title: `${what} before verifying`, status: "fail", detail, seconds: seconds() };
    }
    await sleep(pollMs);
  }
}
