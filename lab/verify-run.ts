// Run verify from inside the lab: each group of checks as a child process in the namespace of
// the lab host it needs (client checks from `sender`, hostile ones from `attacker`), so every
// packet comes from that host's own address on the closed network.
import { spawn } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { MailConfig } from "../infra/config";
import type { CheckResult } from "../verify/types";
import { LAB_CREDENTIALS } from "./credentials";
import { LAB_HOSTNAMES } from "./dns/zones";
import { labDir, labPaths } from "./paths";
import { repoRoot } from "./stack";
import { type LabRole, REMOTE_MAILBOX, labHost } from "./topology";

export interface VerifyGroupRun {
  readonly group: "client" | "testssl" | "attacker" | "after-attack" | "client-relay" | "before-replace" | "after-replace";
  readonly from: LabRole;
  readonly only?: string;
}

export function verifyArgs(cfg: MailConfig, group: VerifyGroupRun, json: string): string[] {
  const heloName = group.from === "attacker" ? LAB_HOSTNAMES.attacker : LAB_HOSTNAMES.sender;
  return [
    "--host", cfg.hostname,
    ...cfg.domains.filter((d) => d.sendsMail).flatMap((d) => ["--domain", d.name]),
    "--address", labHost("mail").address,
    "--ca", labPaths.caCert(),
    "--resolver", labHost("dns").address,
    "--records", join(labDir(), "lab-records.json"),
    ...LAB_CREDENTIALS.map((c) => ["--mailbox", `${c.address}:${c.password}`]).flat(),
    "--external", REMOTE_MAILBOX,
    "--helo", heloName,
    ...labHost(group.from).probeAddresses.flatMap((a) => ["--source-address", a]),
    "--remote-maildir", labPaths.remoteMaildir(),
    "--remote-recipient", REMOTE_MAILBOX,
    "--max-size-mb", String(cfg.limits.messageSizeMb),
    "--max-recipients", String(cfg.limits.recipientsPerMessage),
    "--max-retry", String(cfg.bruteForce.maxRetry),
    ...(cfg.features.pop3 ? ["--pop3"] : []),
    "--snapshot", join(labDir(), "replace-snapshot.json"),
    "--group", group.group,
    ...(group.only ? ["--only", group.only] : []),
    "--json", json,
  ];
}

export function runVerifyGroup(cfg: MailConfig, group: VerifyGroupRun, log: (l: string) => void): Promise<CheckResult[]> {
  const json = join(labDir(), `verify-${group.group}.json`);
  rmSync(json, { force: true });
  const tsx = join(repoRoot(), "node_modules", ".bin", "tsx");
  const args = ["netns", "exec", labHost(group.from).netns, tsx, join(repoRoot(), "tools", "verify.ts"), ...verifyArgs(cfg, group, json)];
  log(`verify: ${group.group} checks from ${group.from} (${labHost(group.from).address})`);
  return new Promise((resolve, reject) => {
    const child = spawn("ip", args, { cwd: repoRoot(), stdio: ["ignore", "pipe", "pipe"] });
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
