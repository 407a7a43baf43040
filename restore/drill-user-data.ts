// The user data of the drill's throwaway instance: a #cloud-config that writes
// configs/bin/mailfort-mailcount, runs it in drill mode against the volume made from the
// snapshot (it prints MAILFORT-DRILL lines on the console), then powers off; the instance was
// launched to terminate on shutdown, which deletes that volume with it. Nothing is installed and
// nothing reaches the network.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { dump } from "js-yaml";

export const MAILCOUNT_PATH = "/usr/local/sbin/mailfort-mailcount";
const SCRIPT = join(__dirname, "..", "configs", "bin", "mailfort-mailcount");

export function drillUserData(): string {
  const doc = {
    package_update: false,
    package_upgrade: false,
    write_files: [{ path: MAILCOUNT_PATH, permissions: "0755", owner: "root:root", content: readFileSync(SCRIPT, "utf8") }],
    runcmd: [[MAILCOUNT_PATH, "--drill"], ["systemctl", "poweroff"]],
  };
  return `#cloud-config\n${dump(doc, { lineWidth: -1, noRefs: true })}`;
}
