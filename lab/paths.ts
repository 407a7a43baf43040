// Where the lab keeps its state. The image cache is shared (MAILFORT_CACHE, like the host
// engineer's root builder); a run's working files (synth output, secrets, disks, logs, pids)
// live under MAILFORT_LAB_DIR so `lab down` can find and clean what `lab up` started.
import { join, resolve } from "node:path";

export function cacheDir(): string {
  return process.env.MAILFORT_CACHE ?? "/var/cache/mailfort";
}

export function labDir(): string {
  return resolve(process.env.MAILFORT_LAB_DIR ?? "/var/tmp/mailfort-lab");
}

export const labPaths = {
  synthOut: () => join(labDir(), "synth"),
  secrets: () => join(labDir(), "secrets"),
  caCert: () => join(labDir(), "lab-ca.pem"),
  dns: () => join(labDir(), "dns"),
  remote: () => join(labDir(), "remote"),
  remoteMaildir: () => join(labDir(), "remote", "maildir"),
  vm: () => join(labDir(), "vm"),
  serialLog: () => join(labDir(), "vm", "serial.log"),
  dataDisk: () => join(labDir(), "vm", "data.qcow2"),
  pids: () => join(labDir(), "pids"),
  /** What verify's webmail checks enrolled (TOTP key, recovery codes, an app password); void with a blank data volume. */
  webmailState: () => join(labDir(), "webmail-state.json"),
  /** The browser checks' screenshots (the lab report's results name them). */
  screenshots: () => join(labDir(), "screenshots"),
};
