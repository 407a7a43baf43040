// What the lab runs on the host, by command, and installing what is missing: `npm run lab` on
// a fresh Debian 12/13 machine needs nothing but `npm ci` first. The packages come from
// .ci/apt-packages through tools/install-debian-packages.sh, the same path CI takes.
import { join } from "node:path";
import { haveCommand, run } from "./exec";
import { repoRoot } from "./stack";

/** Commands the lab calls, and the Debian package each comes from (for the error message). */
const LAB_COMMANDS: Readonly<Record<string, string>> = {
  "qemu-system-x86_64": "qemu-system-x86",
  "qemu-img": "qemu-utils",
  "qemu-x86_64-static": "qemu-user-static",
  ping: "iputils-ping",
  ip: "iproute2",
  nft: "nftables",
  nsd: "nsd",
  postfix: "postfix",
  "smtp-source": "postfix",
  debootstrap: "debootstrap",
  "mkfs.vfat": "dosfstools",
  mcopy: "mtools",
  debugfs: "e2fsprogs",
  testssl: "testssl.sh",
  dig: "bind9-dnsutils",
  // The outside DANE client (lab/dane-inbound-check.ts): Postfix's posttls-finger and its validating resolver.
  "posttls-finger": "postfix",
  unbound: "unbound",
  // verify's webmail checks drive Debian's browser (the lab stack serves the webmail).
  chromium: "chromium",
};

function missingLabCommands(): string[] {
  return Object.keys(LAB_COMMANDS).filter((c) => !haveCommand(c));
}

/** Install the Debian packages when a lab command is missing; throw if still missing after. */
export function ensureLabPrerequisites(log: (l: string) => void): void {
  const missing = missingLabCommands();
  if (missing.length === 0) return;
  log(`prerequisites: missing ${missing.join(", ")}; installing .ci/apt-packages with apt-get (a minute or two)`);
  run(join(repoRoot(), "tools", "install-debian-packages.sh"), [], { timeoutMs: 1_200_000 });
  const still = missingLabCommands();
  if (still.length > 0) {
    throw new Error(`the lab still lacks ${still.map((c) => `${c} (package ${LAB_COMMANDS[c]})`).join(", ")}: install them with apt-get and run again`);
  }
  log("prerequisites: installed");
}
