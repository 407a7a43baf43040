// DANE for mail coming in (issue 18): the stack's own TLSA record (features.dnssec; `3 1 1`, the
// server key's SubjectPublicKeyInfo) checked from outside, the way a sending MTA checks it. From
// the sender namespace, Postfix's own client code (posttls-finger at security level dane) looks up
// the domain's MX, its address and `_25._tcp.<mx>` TLSA through a validating resolver, connects,
// does STARTTLS and matches the certificate against the TLSA records:
//   own     `posttls-finger -l dane mailfort.test`: must report a Verified TLS connection. No CA
//           file is given and the lab's ACME CA is trusted by nobody outside, so only a TLSA
//           record that matches the served key can verify it (a missing or unusable TLSA falls
//           back to level secure, which then cannot verify: Untrusted).
//   wrong   the same client against DANE_WRONG_TLSA_HOST, a lab name for the same server address
//           whose TLSA pins another key: it must find the record ("DNSSEC-signed TLSA record") and still not
//           verify. This is the control: the client does refuse a TLSA that does not match.
// The resolver is Debian's unbound, started for the check inside the sender namespace on its
// loopback with the lab's trust anchors (the same anchors and forwarding as the VM's, lab/vm/
// vendor-data.ts) and stopped after it; posttls-finger sees it through a resolv.conf bound over
// /etc/resolv.conf in the mount namespace `ip netns exec` makes for it (so nothing else in the
// sender namespace changes), with `options trust-ad`: glibc passes the AD bit on only then.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { MailConfig } from "../infra/config";
import type { CheckResult } from "../verify/contract";
import { DANE_WRONG_TLSA_HOST, WRONG_TLSA_VALUE } from "./dns/service-zones";
import { labDir } from "./paths";
import { labHost } from "./topology";
import { labForwardConf } from "./vm/vendor-data";

export const DANE_INBOUND_CHECKS = {
  own: { id: "dane-inbound-own-tlsa", title: "an outside MTA (Postfix's posttls-finger, level dane) verifies the server's certificate by the stack's own DNSSEC-signed TLSA record, through the MX" },
  wrong: { id: "dane-inbound-wrong-tlsa-refused", title: "the same client refuses the same server under a TLSA record that pins another key (the control)" },
} as const;

const LOOPBACK = "127.0.0.1";

/** unbound's config for the sender's resolver: loopback only, in the foreground, no chroot or user switch, the lab's anchors. */
export function senderResolverConf(dir: string, trustAnchors: readonly string[]): string {
  return [
    "# mailfort lab: the outside DANE client's validating resolver (lab/dane-inbound-check.ts)",
    "server:",
    `  interface: ${LOOPBACK}`,
    "  port: 53",
    "  do-ip6: no",
    "  do-daemonize: no",
    '  chroot: ""',
    '  username: ""',
    `  directory: "${dir}"`,
    '  pidfile: ""',
    "  use-syslog: no",
    `  logfile: "${join(dir, "unbound.log")}"`,
    "  val-log-level: 2",
    labForwardConf([labHost("dns").address], trustAnchors),
  ].join("\n");
}

/** What one posttls-finger run showed. */
export interface FingerResult {
  /** The TLS grade of the connection (Verified, Trusted, Untrusted, Anonymous), if one was established. */
  readonly grade?: string;
  /** The peer it was established to, as posttls-finger names it (host[address]:port). */
  readonly peer?: string;
  /** The DNSSEC-signed TLSA records posttls-finger found (`3 1 1 <hex>`, hex lower case). */
  readonly daneRecords: readonly string[];
  /** The TLSA record the certificate matched, if any. */
  readonly matched?: string;
}

export function parseFinger(out: string): FingerResult {
  const est = /(\w+) TLS connection established to (\S+?):? /.exec(out);
  const tlsa = (v: string) => v.trim().toLowerCase();
  const daneRecords = [...out.matchAll(/DNSSEC-signed TLSA record: \S+: (\d \d \d [0-9A-Fa-f]+)$/gm)].map((m) => tlsa(m[1] ?? ""));
  const matched = /Matched DANE (?:EE|TA) certificate at depth \d+: (\d \d \d [0-9A-Fa-f]+)$/m.exec(out)?.[1];
  return { ...(est ? { grade: est[1], peer: est[2] } : {}), daneRecords, ...(matched !== undefined ? { matched: tlsa(matched) } : {}) };
}

const shown = (f: FingerResult, out: string) =>
  `${f.grade ? `${f.grade} TLS to ${f.peer ?? "?"}` : "no TLS connection established"}; DNSSEC-signed TLSA found: ${f.daneRecords.join(" | ") || "none"}${f.grade ? "" : `; posttls-finger said: ${out.trim().split("\n").slice(-3).join(" / ").slice(0, 400)}`}`;

/** own: Verified to the stack's hostname, the certificate matched by the stack's own TLSA value. */
export function ownVerdict(f: FingerResult, out: string, hostname: string, tlsaValue: string): { pass: boolean; detail: string } {
  const own = tlsaValue.trim().toLowerCase();
  const byOwn = f.matched === own;
  const pass = f.grade === "Verified" && (f.peer ?? "").startsWith(`${hostname}[`) && byOwn;
  return { pass, detail: `${shown(f, out)}${byOwn ? `; matched ${own}` : `; not matched by the stack's TLSA (${own})${f.matched !== undefined ? `, but by ${f.matched}` : ""}`}` };
}

/** wrong: TLSA found (the DANE path was taken) and the connection not Verified. */
export function wrongVerdict(f: FingerResult, out: string): { pass: boolean; detail: string } {
  const found = f.daneRecords.includes(WRONG_TLSA_VALUE);
  const pass = found && f.matched === undefined && f.grade !== undefined && f.grade !== "Verified" && f.grade !== "Trusted";
  return { pass, detail: `${shown(f, out)}${found ? "" : "; the wrong TLSA record was not used, so this proves nothing"}` };
}

/** posttls-finger in the sender namespace, with the check's resolver in its resolv.conf. */
function finger(resolvConf: string, destination: string): Promise<string> {
  const script = `mount --bind "$1" /etc/resolv.conf && shift && exec posttls-finger "$@"`;
  const args = ["netns", "exec", labHost("sender").netns, "sh", "-c", script, "finger", resolvConf,
    // -L ...dane: name each DNSSEC-signed TLSA record found (the evidence that DANE applied).
    "-l", "dane", "-L", "routine,certmatch,dane", "-c", "-t", "30", "-T", "60", destination];
  return new Promise((resolve, reject) => {
    // posttls-finger reads a main.cf (MAIL_CONFIG): the check's own, not the host's.
    const p = spawn("ip", args, { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, MAIL_CONFIG: dirname(resolvConf) } });
    let out = "";
    p.stdout.on("data", (d: Buffer) => { out += d.toString(); });
    p.stderr.on("data", (d: Buffer) => { out += d.toString(); });
    const timer = setTimeout(() => p.kill("SIGKILL"), 120_000);
    p.on("error", (e) => { clearTimeout(timer); reject(e); });
    p.on("close", () => { clearTimeout(timer); resolve(out); });
  });
}

function startResolver(dir: string): ChildProcess {
  return spawn("ip", ["netns", "exec", labHost("sender").netns, "unbound", "-d", "-c", join(dir, "unbound.conf")], { stdio: "ignore" });
}

/** unbound answers on the sender's loopback (a query for the lab's NS name comes back). */
async function resolverReady(dir: string, deadline: number): Promise<void> {
  for (;;) {
    const out = await new Promise<string>((resolve) => {
      const p = spawn("ip", ["netns", "exec", labHost("sender").netns, "dig", `@${LOOPBACK}`, "+short", "+time=2", "+tries=1", "ns.lab.test", "A"], { stdio: ["ignore", "pipe", "ignore"] });
      let o = "";
      p.stdout.on("data", (d: Buffer) => { o += d.toString(); });
      p.on("close", () => resolve(o));
      p.on("error", () => resolve(""));
    });
    if (/^\d+\.\d+\.\d+\.\d+$/m.test(out)) return;
    if (Date.now() > deadline) {
      let log = "";
      try { log = readFileSync(join(dir, "unbound.log"), "utf8").trim().split("\n").slice(-5).join(" / "); } catch { /* no log yet */ }
      throw new Error(`the sender's unbound did not answer on ${LOOPBACK}:53 within 30 s${log ? `: ${log}` : ""}`);
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}

export async function daneInboundChecks(cfg: Pick<MailConfig, "hostname" | "domains">, tlsaValue: string, trustAnchors: readonly string[], log: (l: string) => void): Promise<CheckResult[]> {
  const started = Date.now();
  const dir = join(labDir(), "dane-client");
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "unbound.conf"), senderResolverConf(dir, trustAnchors));
  const resolvConf = join(dir, "resolv.conf");
  writeFileSync(resolvConf, `# mailfort lab: the DANE client's validating resolver\nnameserver ${LOOPBACK}\noptions trust-ad\n`);
  writeFileSync(join(dir, "main.cf"), "# posttls-finger's main.cf (lab/dane-inbound-check.ts): Postfix's defaults\ncompatibility_level = 3.6\n");
  const domain = cfg.domains.find((d) => d.sendsMail)?.name ?? cfg.hostname;
  const resolver = startResolver(dir);
  log(`dane-inbound: unbound (pid ${resolver.pid ?? "?"}) in ${labHost("sender").netns}; posttls-finger -l dane ${domain}, then [${DANE_WRONG_TLSA_HOST}]`);
  try {
    await resolverReady(dir, Date.now() + 30_000);
    const ownOut = await finger(resolvConf, domain);
    const own = ownVerdict(parseFinger(ownOut), ownOut, cfg.hostname, tlsaValue);
    const ownSeconds = Math.round((Date.now() - started) / 1000);
    const wrongStarted = Date.now();
    const wrongOut = await finger(resolvConf, `[${DANE_WRONG_TLSA_HOST}]`);
    const wrong = wrongVerdict(parseFinger(wrongOut), wrongOut);
    return [
      { ...DANE_INBOUND_CHECKS.own, status: own.pass ? "pass" : "fail", detail: own.detail, seconds: ownSeconds },
      { ...DANE_INBOUND_CHECKS.wrong, status: wrong.pass ? "pass" : "fail", detail: wrong.detail, seconds: Math.round((Date.now() - wrongStarted) / 1000) },
    ];
  } finally {
    resolver.kill("SIGTERM");
  }
}
