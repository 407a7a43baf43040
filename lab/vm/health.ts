// Is the lab VM still there? Asked between the lab's phases, so that a VM that died or went
// silent mid-run is named as such in the report (with what qemu and the serial console say)
// instead of surfacing as a run of "EHOSTUNREACH" check failures and a run that writes no
// report. Four witnesses, cheapest first: qemu's process, qemu's own run state (QMP: a KVM
// internal error or a guest panic leave qemu alive but the guest stopped), the guest agent (the
// guest OS answers on its virtio-serial channel) and the network (an ICMP echo from the lab DNS
// server's namespace, an address no check ever gets banned: the guest's firewall answers five a
// second).
import { existsSync, readFileSync } from "node:fs";
import { run } from "../exec";
import { labHost } from "../topology";
import { guestShell } from "./guest-agent";
import { qmp } from "./qmp";
import { ANSI_COLOUR, type RunningVm, isAlive } from "./vm";

export interface VmHealth {
  readonly healthy: boolean;
  /** Which witness failed, what it said, and the serial console's evidence. */
  readonly detail: string;
  /** The guest kernel crashed (qemu exited after an oops or a panic). */
  readonly guestCrashed: boolean;
}

/** Serial console lines that explain a dead or silent guest. */
const EVIDENCE = /Kernel panic|Oops:|BUG:|KVM internal error|emulation failure|invoked oom-killer|Out of memory|NETDEV WATCHDOG|virtio_net.*(error|fail)|watchdog: .*stuck/i;

/** The lines worth quoting from a serial log: the explaining ones, then the last few (pure: unit-tested). */
export function serialEvidence(text: string, lastLines = 6): string {
  const lines = text.replace(ANSI_COLOUR, "").split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== "");
  const explaining = lines.filter((l) => EVIDENCE.test(l)).slice(-6);
  const tail = (lastLines > 0 ? lines.slice(-lastLines) : []).filter((l) => !explaining.includes(l));
  const parts = [...explaining, ...(tail.length > 0 ? ["(last lines)", ...tail] : [])];
  return parts.length > 0 ? parts.map((l) => l.slice(0, 200)).join(" | ") : "(the serial console is empty)";
}

/** Whether the guest answers an ICMP echo from the DNS server's namespace. */
function answersPing(): boolean {
  const r = run("ping", ["-c", "3", "-i", "0.5", "-W", "2", labHost("mail").address], { netns: labHost("dns").netns, allowFail: true, timeoutMs: 15_000 });
  return r.status === 0;
}

export async function vmHealth(vm: RunningVm): Promise<VmHealth> {
  const serial = () => serialEvidence(existsSync(vm.serialLog) ? readFileSync(vm.serialLog, "utf8") : "");
  if (!isAlive(vm.pid)) {
    const evidence = serial();
    return { healthy: false, guestCrashed: /Kernel panic|Oops:/.test(evidence), detail: `qemu (pid ${vm.pid}) has exited; serial console: ${evidence}` };
  }
  const status = await qmp(vm.qmpSocket, [{ execute: "query-status" }])
    .then(([s]) => (s as { status?: string } | undefined)?.status ?? "unknown")
    .catch((e: unknown) => `no QMP answer (${e instanceof Error ? e.message : String(e)})`);
  if (status !== "running") return { healthy: false, guestCrashed: false, detail: `qemu is alive but its guest is not running: ${status}; serial console: ${serial()}` };
  const agent = await guestShell("echo alive", { timeoutMs: 30_000 }).then((o) => o.trim() === "alive").catch(() => false);
  const network = answersPing();
  if (agent && network) return { healthy: true, guestCrashed: false, detail: "qemu running, guest agent and network answer" };
  const which = !agent && !network ? "neither the guest agent nor the network answers" : agent ? "the guest agent answers, the network does not (no echo reply to the lab DNS server)" : "the network answers, the guest agent does not";
  const inGuest = agent ? await guestShell("ip -brief addr show; ip route; nft list tables 2>&1 | head -5", { timeoutMs: 30_000 }).catch(() => "") : "";
  return { healthy: false, guestCrashed: false, detail: `qemu running, but ${which}${inGuest ? `; in the guest: ${inGuest.trim().replace(/\n/g, " | ")}` : ""}; serial console: ${serial()}` };
}
