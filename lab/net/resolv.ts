// `ip netns exec <ns>` bind-mounts /etc/netns/<ns>/resolv.conf over /etc/resolv.conf: with these
// files, every program run as a lab host (postfix in remote, verify in sender) asks the lab DNS
// and nothing else.
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { LAB_HOSTS, labHost } from "../topology";

const dirOf = (ns: string) => join("/etc/netns", ns);

export function writeNetnsResolvConf(): void {
  for (const h of LAB_HOSTS) {
    mkdirSync(dirOf(h.netns), { recursive: true });
    writeFileSync(join(dirOf(h.netns), "resolv.conf"), `# mailfort lab: the lab DNS only\nnameserver ${labHost("dns").address}\n`);
  }
}

export function removeNetnsResolvConf(): void {
  for (const h of LAB_HOSTS) rmSync(dirOf(h.netns), { recursive: true, force: true });
}
