// The disks that carry a boot's inputs into the VM, made without loop mounts:
//  - the NoCloud seed (vfat labeled CIDATA: user-data, meta-data, network-config, vendor-data), and
//  - the secrets disk (ext4 labeled MFSECRETS), the quick-run shortcut: the SSM parameter tree as
//    files, where the path under the disk's root is the parameter name
//    (mailfort/<stack>/dkim/<domain>/<selector>, ...).
import { cpSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { run } from "../exec";
import { LAB_PREFIX_LEN, VM_MAC, labHost } from "../topology";

export interface SeedInput {
  readonly userData: string | Buffer;
  readonly instanceId: string;
  readonly hostname: string;
  /** What the lab adds as the cloud (lab/vm/vendor-data.ts). */
  readonly vendorData: string;
}

/** NoCloud network-config v1: the lab address on the NIC with the lab MAC, no gateway. */
function networkConfig(): string {
  const mail = labHost("mail");
  return [
    "# mailfort lab: one NIC on the closed lab bridge; no gateway, so no route out.",
    "version: 1",
    "config:",
    "  - type: physical",
    "    name: eth0",
    `    mac_address: "${VM_MAC}"`,
    "    subnets:",
    "      - type: static",
    `        address: ${mail.address}/${LAB_PREFIX_LEN}`,
    "",
  ].join("\n");
}

function metaData(input: SeedInput): string {
  return `instance-id: ${input.instanceId}\nlocal-hostname: ${input.hostname.split(".")[0]}\n`;
}

export function makeSeedDisk(dir: string, input: SeedInput): string {
  const files = join(dir, "seed-files");
  rmSync(files, { recursive: true, force: true });
  mkdirSync(files, { recursive: true });
  writeFileSync(join(files, "user-data"), input.userData);
  writeFileSync(join(files, "meta-data"), metaData(input));
  writeFileSync(join(files, "network-config"), networkConfig());
  writeFileSync(join(files, "vendor-data"), input.vendorData);
  const img = join(dir, "seed.img");
  rmSync(img, { force: true });
  // Size in KiB: user data is capped at 16 KiB on AWS, but leave room.
  run("mkfs.vfat", ["-n", "CIDATA", "-C", img, "4096"]);
  for (const f of ["user-data", "meta-data", "network-config", "vendor-data"]) run("mcopy", ["-i", img, join(files, f), `::${f}`]);
  return img;
}

/** The MFSECRETS disk from a directory holding the parameter tree (`mailfort/<stack>/...`). */
export function makeSecretsDisk(dir: string, parameterTree: string): string {
  const files = join(dir, "secrets-files");
  rmSync(files, { recursive: true, force: true });
  mkdirSync(files, { recursive: true });
  cpSync(parameterTree, files, { recursive: true });
  const img = join(dir, "secrets.img");
  rmSync(img, { force: true });
  run("mkfs.ext4", ["-q", "-F", "-L", "MFSECRETS", "-d", files, img, "16M"]);
  rmSync(files, { recursive: true, force: true });
  return img;
}
