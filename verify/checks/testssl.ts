// An independent second opinion on TLS: testssl.sh (the Debian package) against every TLS port.
// Our own tls-* checks ask the questions we thought of; testssl asks the ones the TLS community
// collected (protocol downgrade, renegotiation, compression, known CVEs, weak curves, ...). A
// port passes when testssl reports no finding at severity MEDIUM or above. The server's CA is
// given to testssl (--add-ca), so the lab's own CA is trusted like Let's Encrypt is for real.
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { targetAddress } from "../dns-client";
import { type Check, type VerifyTarget, fail } from "../types";
import { STRONG_SUITES, acceptsHello, offeredSuites } from "./cipher-limit-probe";
import { type TlsPort, tlsPorts } from "./tls";

/** One line of testssl's flat JSON (--jsonfile). */
export interface TestsslFinding {
  readonly id: string;
  readonly severity: string;
  readonly finding: string;
  readonly port?: string;
}

/** Severities that fail a port. testssl's order: OK INFO LOW MEDIUM HIGH CRITICAL (+ WARN, FATAL). */
const FAILING = new Set(["MEDIUM", "HIGH", "CRITICAL", "FATAL"]);

/**
 * Findings that are facts of the test setup, not of the server's TLS. Each with its reason:
 * - cert_crlDistributionPoints / cert_ocspURL / cert_revocation: the lab CA publishes no
 *   revocation service, and Let's Encrypt stopped publishing OCSP URLs in 2025, so a correct
 *   certificate has neither; testssl 3.0 predates that.
 * - OCSP stapling: nothing to staple without an OCSP URL (same reason).
 */
const SETUP_FINDINGS: ReadonlySet<string> = new Set(["cert_crlDistributionPoints", "cert_ocspURL", "cert_revocation", "OCSP_stapling"]);

/** The findings that fail a port: severity MEDIUM or above, minus the setup facts above. */
export function failingFindings(findings: readonly TestsslFinding[]): TestsslFinding[] {
  return findings.filter((f) => FAILING.has(f.severity.toUpperCase()) && !isSetupFinding(f));
}

/** A setup fact, also when testssl numbers it per certificate ("cert_ocspURL <#1>"). */
function isSetupFinding(f: TestsslFinding): boolean {
  return SETUP_FINDINGS.has(f.id.replace(/ <#\d+>$/, ""));
}

/**
 * What testssl runs: protocols (-p), cipher categories (-s), forward secrecy (-f), server
 * preferences (-P), server defaults and the certificate (-S), vulnerabilities (-U), HTTP
 * headers on 443 (-h). Not the per-cipher enumeration (-e): hundreds of handshakes that the
 * category tests already cover, and our own tls-*-no-weak-suites check does the rest.
 */
export function testsslArgs(p: TlsPort, host: string, address: string, caFile: string | undefined, jsonFile: string): string[] {
  return [
    "--quiet", "--color", "0", "--warnings", "off", "--nodns", "none", "--ip", address,
    ...(caFile ? ["--add-ca", caFile] : []),
    "--jsonfile", jsonFile,
    "--openssl-timeout", "30",
    "-p", "-s", "-f", "-P", "-S", "-U",
    ...(p.port === 443 ? ["-h"] : []),
    ...(p.starttls === "smtp" ? ["--starttls", "smtp"] : []),
    `${host}:${p.port}`,
  ];
}

function runTestssl(args: readonly string[]): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile("testssl", [...args], { timeout: 900_000, maxBuffer: 32 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === "number" ? err.code : -1) : 0;
      resolve({ code, output: `${stdout}${stderr}` });
    });
  });
}

/** What one scan found, or why it found nothing. */
type ScanOutcome = { readonly findings: TestsslFinding[] } | { readonly error: string };

async function scan(t: VerifyTarget, p: TlsPort): Promise<ScanOutcome> {
  const dir = mkdtempSync(join(tmpdir(), "mailfort-testssl-"));
  try {
    const caFile = t.caPem ? join(dir, "ca.pem") : undefined;
    if (caFile && t.caPem) writeFileSync(caFile, t.caPem);
    const json = join(dir, "findings.json");
    const host = p.sni ? p.sni(t) : t.host;
    const { code, output } = await runTestssl(testsslArgs(p, host, await targetAddress(t), caFile, json));
    try {
      return { findings: JSON.parse(readFileSync(json, "utf8")) as TestsslFinding[] };
    } catch {
      return { error: `testssl wrote no findings (exit ${code}): ${output.trim().split("\n").slice(-3).join(" | ")}` };
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * testssl's pre_128cipher and "cipherlist_STRONG: not offered" verdicts rest on one handshake
 * (see cipher-limit-probe.ts; on the lab's emulated VM, with five scans side by side, one slow
 * handshake is enough for either): each is probed again from here, and dropped only when the
 * server answers the hello that settles it with a ServerHello. Every other finding stands as
 * testssl reported it.
 */
export async function reprobed(t: VerifyTarget, p: TlsPort, bad: TestsslFinding[]): Promise<{ bad: TestsslFinding[]; notReproduced: string[] }> {
  const serverName = p.sni ? p.sni(t) : t.host;
  const target = { address: await targetAddress(t), port: p.port, serverName, smtpHelo: p.starttls === "smtp" ? t.heloName : undefined };
  const notReproduced: string[] = [];
  let left = bad;
  for (const again of SECOND_LOOKS) {
    if (!left.some((f) => again.matches(f))) continue;
    const probe = await acceptsHello(target, again.suites);
    if (!probe.accepted) continue;
    left = left.filter((f) => !again.matches(f));
    notReproduced.push(`${again.id} (${again.hello} got ${probe.answers.join(", then ")})`);
  }
  return { bad: left, notReproduced };
}

/**
 * testssl's verdicts that rest on one handshake, each with the hello that settles it: a server
 * that answers it with a ServerHello does what the finding says it does not.
 */
const SECOND_LOOKS: ReadonlyArray<{ id: string; hello: string; suites: readonly number[]; matches: (f: TestsslFinding) => boolean }> = [
  { id: "pre_128cipher", hello: "a 129-suite hello", suites: offeredSuites(), matches: (f) => f.id === "pre_128cipher" },
  { id: "cipherlist_STRONG", hello: "a hello offering only forward-secret AEAD suites", suites: STRONG_SUITES, matches: (f) => f.id === "cipherlist_STRONG" && /not offered/i.test(f.finding) },
];

// A scan takes about two minutes per port against the lab's emulated VM, nearly all of it
// waiting on handshakes: the first check starts the scans of all ports side by side, and each
// check reports its own port.
function testsslCheck(p: TlsPort, scans: (t: VerifyTarget) => Map<number, Promise<ScanOutcome>>): Check {
  return {
    id: `testssl-${p.port}`,
    title: `testssl.sh finds nothing at MEDIUM or above on ${p.port} (${p.name})`,
    timeoutMs: 900_000,
    run: async (t: VerifyTarget) => {
      const outcome = await scans(t).get(p.port);
      if (!outcome) return fail(`no scan of ${p.port} was started`);
      if ("error" in outcome) return fail(outcome.error);
      const findings = outcome.findings;
      if (findings.length < 10) fail(`testssl reported only ${findings.length} findings; the scan did not run through`);
      const { bad, notReproduced } = await reprobed(t, p, failingFindings(findings));
      if (bad.length > 0) fail(bad.map((f) => `${f.severity} ${f.id}: ${f.finding}`).join("; "));
      const waived = findings.filter((f) => FAILING.has(f.severity.toUpperCase()) && isSetupFinding(f)).map((f) => f.id);
      return [
        `${findings.length} findings, none at MEDIUM or above`,
        waived.length ? ` (waived, test setup: ${waived.join(", ")})` : "",
        notReproduced.length ? `; not reproduced on a second look: ${notReproduced.join("; ")}` : "",
      ].join("");
    },
  };
}

export function testsslChecks(t: Pick<VerifyTarget, "pop3">): Check[] {
  const ports = tlsPorts(t);
  let shared: Map<number, Promise<ScanOutcome>> | undefined;
  const scans = (target: VerifyTarget) => (shared ??= new Map(ports.map((p) => [p.port, scan(target, p)])));
  return ports.map((p) => testsslCheck(p, scans));
}
