// Run verify from inside the lab: each group of checks as a child process in the namespace of
// the lab host it needs (client checks from `sender`, hostile ones from `attacker`), so every
// packet comes from that host's own address on the closed network.
import { spawn } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { MailConfig } from "../infra/config";
import { type CheckResult, type Group, VERIFY_CLI, type VerifyRequest, verifyArgv } from "../verify/contract";
import { LAB_CREDENTIALS, clientPassword } from "./credentials";
import { LAB_HOSTNAMES, SURBL_LISTED_HOST, labDnsblZone } from "./dns/zones";
import { labDir, labPaths } from "./paths";
import { repoRoot } from "./stack";
import { type LabRole, REMOTE_MAILBOX, labHost } from "./topology";
import { guestActivityLine, keepGuestJournal, sampleGuest, withGuestActivity } from "./verify-diagnostics";

export interface VerifyGroupRun {
  readonly group: Group;
  readonly from: LabRole;
  readonly only?: string;
  /** The selector a DKIM rotation's step signs with (group dkim-rotation). */
  readonly dkimSelector?: string;
  /**
   * Run at a lower CPU priority (nice 10): for a group that runs beside timing-sensitive ones
   * and only needs the cores they leave (testssl: a bash script forking openssl for minutes).
   */
  readonly background?: boolean;
}

/** How lower a background group runs: the VM's vCPU threads and the other groups win the cores. */
export const BACKGROUND_NICENESS = 10;

/** The command of one verify group: verify's CLI in the namespace of the lab host it runs from. */
export function verifyGroupCommand(cfg: MailConfig, group: VerifyGroupRun, jsonFile: string): { command: string; args: string[] } {
  const tsx = join(repoRoot(), "node_modules", ".bin", "tsx");
  const inNamespace = ["ip", "netns", "exec", labHost(group.from).netns, tsx, join(repoRoot(), VERIFY_CLI), ...verifyArgv(labVerifyRequest(cfg, group, jsonFile))];
  const argv = group.background ? ["nice", "-n", String(BACKGROUND_NICENESS), ...inNamespace] : inNamespace;
  return { command: argv[0] as string, args: argv.slice(1) };
}

/** Where verify's replacement checks note what they left behind (the queued message's token among it). */
export const replaceNotesFile = (): string => join(labDir(), "replace-snapshot.json");

/** Everything verify may check in the lab: its DNS, CA, throwaway mailboxes, remote MX and probe addresses. */
export function labVerifyRequest(cfg: MailConfig, group: VerifyGroupRun, jsonFile: string): VerifyRequest {
  return {
    host: cfg.hostname,
    domains: cfg.domains.filter((d) => d.sendsMail).map((d) => d.name),
    address: labHost("mail").address,
    caFile: labPaths.caCert(),
    resolvers: [labHost("dns").address],
    recordsFile: join(labDir(), "lab-records.json"),
    // Mail clients sign in with app passwords when the stack requires them; the webmail with the mailbox password.
    mailboxes: LAB_CREDENTIALS.map((c) => `${c.address}:${clientPassword(c, cfg.auth.appPasswords)}`),
    webmail: cfg.features.webmail,
    webmailAccounts: LAB_CREDENTIALS.slice(0, 2).map((c) => `${c.address}:${c.password}`),
    appPasswords: cfg.auth.appPasswords,
    webmailStateFile: labPaths.webmailState(),
    screenshotDir: labPaths.screenshots(),
    external: REMOTE_MAILBOX,
    helo: group.from === "attacker" ? LAB_HOSTNAMES.attacker : LAB_HOSTNAMES.sender,
    sourceAddresses: labHost(group.from).probeAddresses,
    remoteMaildir: labPaths.remoteMaildir(),
    remoteRecipient: REMOTE_MAILBOX,
    limits: cfg.limits,
    maxRetry: cfg.bruteForce.maxRetry,
    pop3: cfg.features.pop3,
    // The lab's own listings (lab/dns/zones.ts): its DNSBL lists the attacker, its SURBL a link host.
    ...(group.from === "attacker" ? { dnsblListedIn: labDnsblZone(cfg) } : {}),
    surblListedHost: SURBL_LISTED_HOST,
    outboundPerUserPerHour: cfg.limits.outboundPerUserPerHour,
    snapshotFile: replaceNotesFile(),
    group: group.group,
    ...(group.only ? { only: [group.only] } : {}),
    ...(group.dkimSelector !== undefined ? { dkimSelector: group.dkimSelector } : {}),
    jsonFile,
  };
}

export async function runVerifyGroup(cfg: MailConfig, group: VerifyGroupRun, log: (l: string) => void): Promise<CheckResult[]> {
  const before = await sampleGuest();
  const results = await runGroupProcess(cfg, group, log);
  const after = before && (await sampleGuest());
  if (!before || !after) return results;
  // Where the guest's CPU went during the group, in the lab's log after every group; when a check
  // failed, also in its detail, with the guest's journal of the window kept beside the lab's files.
  const line = guestActivityLine(before, after);
  if (!results.some((r) => r.status === "fail")) {
    log(`verify: ${group.group}: ${line}`);
    return results;
  }
  const journal = await keepGuestJournal(`verify-${group.group}${group.only ? `-${group.only}` : ""}`, before.at, after.at);
  log(`verify: ${group.group}: ${line}${journal ? ` (journal: ${journal})` : ""}`);
  return withGuestActivity(results, line, journal);
}

function runGroupProcess(cfg: MailConfig, group: VerifyGroupRun, log: (l: string) => void): Promise<CheckResult[]> {
  const json = join(labDir(), `verify-${group.group}.json`);
  rmSync(json, { force: true });
  const { command, args } = verifyGroupCommand(cfg, group, json);
  log(`verify: ${group.group} checks from ${group.from} (${labHost(group.from).address})${group.background ? `, at nice ${BACKGROUND_NICENESS}` : ""}`);
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: repoRoot(), stdio: ["ignore", "pipe", "pipe"] });
    let pending = "";
    child.stdout.on("data", (d: Buffer) => {
      pending += d.toString();
      const lines = pending.split("\n");
      pending = lines.pop() ?? "";
      for (const l of lines) if (l.trim() && !l.startsWith("verify:")) process.stdout.write(`  [${group.from}] ${l}\n`);
    });
    let err = "";
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    child.on("close", (code) => {
      try {
        resolve(JSON.parse(readFileSync(json, "utf8")) as CheckResult[]);
      } catch {
        reject(new Error(`verify (${group.group} from ${group.from}) wrote no results (exit ${code}): ${err.trim()}`));
      }
    });
  });
}
