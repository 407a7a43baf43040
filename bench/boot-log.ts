// Boot-to-ready breakdown from the VM's serial console: the kernel stamps its own lines and
// those of early systemd and cloud-init (`[   28.715450] cloud-init[431]: ...`) with seconds
// since boot; cloud-init also says "Up N seconds" per stage. Lines systemd prints as status
// ("[  OK  ] Started ...") carry no time, so per-service times come from the guest instead
// (systemctl show, see bench/boot.ts). Pure: text in, milestones and stages out.

export interface Milestone {
  /** A stable key, e.g. "cloud-init:init-local". */
  readonly key: string;
  readonly label: string;
  /** Seconds since the kernel started (guest clock). */
  readonly at: number;
}

export interface Stage {
  readonly name: string;
  readonly from: number;
  readonly to: number;
  readonly seconds: number;
}

export interface BootBreakdown {
  readonly milestones: readonly Milestone[];
  /** Consecutive milestones as stages (kernel, initramfs, early systemd, each cloud-init stage, ...). */
  readonly stages: readonly Stage[];
  /** Guest uptime at MAILFORT-READY, when the console showed it. */
  readonly readyAt?: number;
  /** Reason the VM reported on MAILFORT-FAILED, if it did. */
  readonly failed?: string;
}

// The console mixes in terminal control sequences (colours, cursor queries) before the stamp.
const CONTROL = new RegExp(`${String.fromCharCode(27)}\\[[0-9;?]*[A-Za-z]|${String.fromCharCode(27)}\\[!p|\\r`, "g");
const STAMPED = /\[\s*(\d+\.\d+)\]\s(.*)$/;

interface Rule {
  readonly key: string | ((m: RegExpExecArray) => string);
  readonly label: string | ((m: RegExpExecArray) => string);
  readonly re: RegExp;
  /** Take the time from the message (cloud-init's "Up N seconds") rather than the kernel stamp. */
  readonly upSeconds?: boolean;
}

const RULES: readonly Rule[] = [
  { key: "kernel:init", label: "kernel hands over to the initramfs (/init)", re: /Run \/init as init process/ },
  { key: "initramfs:root", label: "root filesystem mounted (initramfs)", re: /EXT4-fs \(vda\): mounted filesystem/ },
  { key: "systemd:start", label: "systemd starts (root switched)", re: /systemd\[1\]: systemd \d+\S* running in system mode/ },
  { key: "systemd:journald", label: "journald started", re: /systemd\[1\]: Started systemd-journald\.service/ },
  {
    key: (m) => `cloud-init:${m[1]}`,
    label: (m) => `cloud-init stage '${m[1]}' starts`,
    re: /cloud-init\[\d+\]: Cloud-init v\. \S+ running '([^']+)' at .*Up ([\d.]+) seconds/,
    upSeconds: true,
  },
  { key: "data:mounted", label: "data volume mounted (vdb)", re: /EXT4-fs \(vdb\): mounted filesystem/ },
  { key: "secrets:fetched", label: "secrets fetched (secret source)", re: /cloud-init\[\d+\]: source=\S+ parameters=\d+/ },
  { key: "mailfort:ready", label: "MAILFORT-READY", re: /MAILFORT-READY\b/ },
  { key: "cloud-init:finished", label: "cloud-init finished", re: /cloud-init\[\d+\]: Cloud-init v\. \S+ finished at .*Up ([\d.]+) seconds/, upSeconds: true },
];

export function parseBootLog(text: string): BootBreakdown {
  const milestones: Milestone[] = [{ key: "kernel:start", label: "kernel starts", at: 0 }];
  const seen = new Set<string>(["kernel:start"]);
  let failed: string | undefined;
  for (const raw of text.split("\n")) {
    const line = raw.replace(CONTROL, "");
    const f = /MAILFORT-FAILED\b\s*(.*)$/.exec(line);
    if (f && failed === undefined) failed = (f[1] ?? "").trim();
    const stamped = STAMPED.exec(line);
    if (!stamped) continue; // untimed status lines (and the unstamped READY echo) carry no time
    const at = Number(stamped[1]);
    const message = stamped[2] ?? "";
    for (const rule of RULES) {
      const m = rule.re.exec(message);
      if (!m) continue;
      const key = typeof rule.key === "string" ? rule.key : rule.key(m);
      if (seen.has(key)) break; // the first occurrence counts (a later remount is not the boot)
      seen.add(key);
      const up = rule.upSeconds ? Number(m[m.length - 1]) : NaN;
      milestones.push({ key, label: typeof rule.label === "string" ? rule.label : rule.label(m), at: Number.isFinite(up) ? up : at });
      break;
    }
  }
  milestones.sort((a, b) => a.at - b.at);
  const stages: Stage[] = [];
  for (let i = 1; i < milestones.length; i++) {
    const a = milestones[i - 1] as Milestone;
    const b = milestones[i] as Milestone;
    stages.push({ name: `${a.key} -> ${b.key}`, from: a.at, to: b.at, seconds: Math.round((b.at - a.at) * 100) / 100 });
  }
  const ready = milestones.find((m) => m.key === "mailfort:ready");
  return { milestones, stages, ...(ready ? { readyAt: ready.at } : {}), ...(failed !== undefined ? { failed } : {}) };
}
