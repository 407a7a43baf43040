// The faults the lab induces on the running server, each the way it happens for real: mail to a
// domain whose MX refuses piling up in the queue, twenty failed logins per protocol from many
// addresses, the server's address on the lab DNSBL, a certificate near expiry (a short-lived one
// from the lab CA, for the server's own key), and a data volume filled past its alarm. Each
// returns what it did; lab/faults/phase.ts watches the alarms.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { MailConfig } from "../../infra/config";
import { DATA_DIR } from "../../infra/core/host";
import { listOnDnsbl } from "../dns/nsd";
import { UNREACHABLE_DOMAIN, labDnsblZone } from "../dns/zones";
import { run } from "../exec";
import { labDir } from "../paths";
import { labHost } from "../topology";
import { guestExec, guestShell } from "../vm/guest-agent";

/** Above queue-deferred's threshold (100), with room for a message still on its first try. */
export const QUEUE_FAULT_MESSAGES = 110;
/** The issue's twenty, per protocol: exactly the auth alarms' threshold (>= 20 in 5 minutes). */
export const FAILED_LOGINS = 20;
/** Past the data-disk alarm's 80 %. */
export const DISK_FILL_PERCENT = 90;
/** Days the near-expiry certificate is valid: under the cert-expiry alarm's 14. */
export const SHORT_CERT_DAYS = 7;

const FILL_FILE = `${DATA_DIR}/.mailfort-lab-fault-fill`;
const CERT = "/etc/ssl/mailfort/fullchain.pem";
const KEY = "/etc/ssl/mailfort/privkey.pem";

/** The data volume filled to DISK_FILL_PERCENT of its blocks with one preallocated file (no I/O). */
export async function fillDataDisk(): Promise<string> {
  const out = await guestShell([
    "set -e",
    `rm -f ${FILL_FILE}`,
    `set -- $(df -k --output=used,avail ${DATA_DIR} | tail -1)`,
    `fallocate -l $(( ($1 + $2) * ${DISK_FILL_PERCENT} / 100 - $1 ))K ${FILL_FILE}`,
    `df --output=pcent ${DATA_DIR} | tail -1`,
  ].join("\n"));
  return `${DATA_DIR} filled to ${out.trim()} (fallocate)`;
}

/** Local submissions (sendmail, no SASL: neither the top-sender count nor containment's) to down.test. */
export async function pileUpQueue(cfg: Pick<MailConfig, "hostname">): Promise<string> {
  const out = await guestShell([
    "set -e",
    `for i in $(seq 1 ${QUEUE_FAULT_MESSAGES}); do`,
    `  printf 'Subject: queue fault %s\\n\\nFor an MX that refuses.\\n' "$i" | /usr/sbin/sendmail -f postmaster@${cfg.hostname} "fault$i@${UNREACHABLE_DOMAIN}"`,
    "done",
    // Give the queue manager a moment, then count what is deferred already (the rest follows).
    "sleep 20",
    "find /var/spool/postfix/deferred -type f | wc -l",
  ].join("\n"), { timeoutMs: 600_000 });
  return `${QUEUE_FAULT_MESSAGES} messages to ${UNREACHABLE_DOMAIN} (its MX refuses on 25), ${out.trim()} deferred 20 s later`;
}

/** The server's address as its DNSBL collector finds it (no public-ipv4 in the lab's IMDS: the hostname's A), listed. */
export async function listServerOnDnsbl(cfg: Pick<MailConfig, "hostname" | "antispam">, log: (l: string) => void): Promise<string> {
  const zone = labDnsblZone(cfg);
  const zones = (await guestShell("cat /etc/mailfort/dnsbl-zones")).split(/\s+/).filter(Boolean);
  if (!zones.includes(zone)) throw new Error(`the server does not ask ${zone} about itself (/etc/mailfort/dnsbl-zones: ${zones.join(" ")})`);
  const ip = (await guestShell(`getent ahostsv4 ${cfg.hostname} | awk 'NR == 1 { print $1 }'`)).trim();
  if (!/^\d+\.\d+\.\d+\.\d+$/.test(ip)) throw new Error(`the server's hostname ${cfg.hostname} has no IPv4 address on the guest: ${JSON.stringify(ip)}`);
  listOnDnsbl(zone, ip, log);
  return `${ip} listed on ${zone}`;
}

/**
 * A certificate for the server's own key, valid SHORT_CERT_DAYS, signed by the lab's endpoint CA,
 * in place of the served one (the old one kept beside it). The key is unchanged, so TLS goes on
 * working; only the days left drop.
 */
export async function shortLivedCertificate(cfg: Pick<MailConfig, "hostname">): Promise<string> {
  const csr = await guestShell(`openssl req -new -key ${KEY} -subj "/CN=${cfg.hostname}"`);
  const dir = mkdtempSync(join(tmpdir(), "mailfort-fault-cert-"));
  try {
    const ca = join(labDir(), "aws-certs");
    writeFileSync(join(dir, "req.csr"), csr);
    writeFileSync(join(dir, "ext"), `subjectAltName=DNS:${cfg.hostname}\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n`);
    run("openssl", ["x509", "-req", "-in", join(dir, "req.csr"), "-CA", join(ca, "ca.pem"), "-CAkey", join(ca, "ca.key"), "-set_serial", `${Date.now()}`,
      "-days", `${SHORT_CERT_DAYS}`, "-extfile", join(dir, "ext"), "-out", join(dir, "cert.pem")]);
    const pem = readFileSync(join(dir, "cert.pem"), "utf8") + readFileSync(join(ca, "ca.pem"), "utf8");
    const r = await guestExec(["/bin/sh", "-c", `set -e; cp -p ${CERT} ${CERT}.before-fault; cat > ${CERT}.fault; chmod 0644 ${CERT}.fault; mv ${CERT}.fault ${CERT}; openssl x509 -in ${CERT} -noout -enddate`], { input: pem });
    if (r.exitCode !== 0) throw new Error(`the short-lived certificate was not installed: ${r.stderr.trim()}`);
    return `a ${SHORT_CERT_DAYS}-day certificate from the lab CA for the server's key (${r.stdout.trim()})`;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** One attempt of failed-logins.py. */
export interface LoginAttempt {
  readonly proto: "smtp" | "imap";
  readonly n: number;
  readonly refused: boolean;
  readonly text: string;
}

/** FAILED_LOGINS wrong passwords per protocol from the scanner, whose connections leave from many addresses in turn. */
export async function failedLogins(cfg: Pick<MailConfig, "hostname">, login: string): Promise<LoginAttempt[]> {
  const scanner = labHost("scanner");
  const request = { address: labHost("mail").address, smtpPort: 587, imapPort: 993, login, password: "not-the-password-0", count: FAILED_LOGINS, hostname: cfg.hostname };
  const stdout = await new Promise<string>((resolve, reject) => {
    // Not lab/exec's run (synchronous): the alarms are polled while the guesser works.
    const child = spawn("ip", ["netns", "exec", scanner.netns, "python3", "-B", join(__dirname, "failed-logins.py")], { stdio: ["pipe", "pipe", "pipe"] });
    let out = "";
    let err = "";
    const timer = setTimeout(() => child.kill("SIGKILL"), 600_000);
    child.stdout.on("data", (d: Buffer) => { out += d.toString(); });
    child.stderr.on("data", (d: Buffer) => { err += d.toString(); });
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else reject(new Error(`failed-logins.py exited ${code}: ${err.trim().slice(0, 2000)}`));
    });
    child.stdin.end(JSON.stringify(request));
  });
  return stdout.trim().split("\n").filter((l) => l !== "").map((l) => JSON.parse(l) as LoginAttempt);
}

/** What failedLogins did, for one protocol; an error when not every attempt was a refused login. */
export function loginsHow(attempts: readonly LoginAttempt[], proto: LoginAttempt["proto"], login: string): { how: string; error?: string } {
  const mine = attempts.filter((a) => a.proto === proto);
  const refused = mine.filter((a) => a.refused).length;
  const how = `${refused} of ${mine.length} ${proto === "smtp" ? "SMTP AUTH" : "IMAP"} logins as ${login} with a wrong password refused, from the scanner's address pool`;
  const odd = mine.find((a) => !a.refused);
  return odd === undefined && refused === FAILED_LOGINS ? { how } : { how, error: `expected ${FAILED_LOGINS} refused logins; ${odd ? `attempt ${odd.n}: ${odd.text}` : `only ${refused}`}` };
}

/** Undo what cheaply undoes (the fill file, the certificate); the queued mail and the DNSBL entry stay for the run's end. */
export async function undoFaults(): Promise<void> {
  await guestShell(`rm -f ${FILL_FILE}; if [ -f ${CERT}.before-fault ]; then mv ${CERT}.before-fault ${CERT}; fi`);
}
