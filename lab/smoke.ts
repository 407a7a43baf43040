// `npm run lab -- smoke`: boot the lab image with a stand-in user data, through the same boot
// path as the real server (lab/runner.ts bootUntilUp), wait for readiness and power off. It
// proves the image, disks, seed and network before the real server's user data is involved.
import { mkdirSync, mkdtempSync } from "node:fs";
import { join } from "node:path";
import { buildImage } from "./image/build";
import { networkUp } from "./net/network";
import { labPaths } from "./paths";
import { bootUntilUp } from "./runner";
import { labStackConfig } from "./stack";
import { labHost } from "./topology";
import { type Readiness, guestMemoryUsedMb, shutdownVm } from "./vm/vm";

/** Reports readiness on the serial console like the real boot script, once the lab address and the secrets disk are there. */
function smokeUserData(): string {
  return `#cloud-config
# mailfort lab smoke boot: report readiness on the serial console like the real boot script.
runcmd:
  - [sh, -c, 'ip -4 addr show eth0 | grep -q ${labHost("mail").address} && ls /dev/disk/by-label/MFSECRETS && echo "MAILFORT-READY $(date -u +%FT%TZ) smoke" > /dev/ttyS0 || echo "MAILFORT-FAILED smoke: network or secrets disk missing" > /dev/ttyS0']
`;
}

export interface SmokeResult {
  readonly ready: Readiness;
  readonly memoryUsedMb?: number;
}

export async function labSmoke(opts: { readonly readyTimeoutSeconds: number }, log: (l: string) => void): Promise<SmokeResult> {
  const cfg = labStackConfig();
  const image = await buildImage(cfg, log);
  networkUp(log);
  mkdirSync(labPaths.vm(), { recursive: true });
  const emptyTree = mkdtempSync(join(labPaths.vm(), "tree-"));
  const { vm, ready } = await bootUntilUp(cfg, image, { userData: Buffer.from(smokeUserData()), secretsDir: emptyTree }, { readyTimeoutSeconds: opts.readyTimeoutSeconds }, log);
  const memoryUsedMb = ready.ready ? await guestMemoryUsedMb(vm) : undefined;
  await shutdownVm(vm, log);
  return { ready, ...(memoryUsedMb !== undefined ? { memoryUsedMb } : {}) };
}
