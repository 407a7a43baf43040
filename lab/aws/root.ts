// The emulator host's Debian 13 root: moto (server mode needs flask-cors, which the package does
// not declare), dnspython for the zone export, pebble, boto3 and openssl. Built once by the
// shared root builder (lab/rootfs/build-rootfs.sh, cached by package list) and only ever used
// read-only: each process runs chrooted in its own mount namespace over a read-only bind of it.
import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { cacheDir } from "../paths";
import { repoRoot } from "../stack";

export const EMULATOR_PACKAGES = [
  "python3-moto",
  "python3-flask-cors",
  "python3-dnspython",
  "python3-boto3",
  "pebble",
  "ca-certificates",
  "openssl",
] as const;

/** Build (or reuse) the root; returns its path. Minutes when cold, instant when cached. */
export function emulatorRoot(log: (l: string) => void = () => undefined): string {
  const dir = join(cacheDir(), "lists");
  mkdirSync(dir, { recursive: true });
  const list = join(dir, "aws-emulator-packages.txt");
  writeFileSync(list, `${EMULATOR_PACKAGES.join("\n")}\n`);
  const started = Date.now();
  const r = spawnSync("bash", [join(repoRoot(), "lab", "rootfs", "build-rootfs.sh"), list], { encoding: "utf8", timeout: 1_800_000 });
  if (r.status !== 0) throw new Error(`the emulator root did not build (exit ${r.status}):\n${(r.stderr ?? "").split("\n").slice(-20).join("\n")}`);
  const root = r.stdout.trim().split("\n").pop() ?? "";
  log(`aws: emulator root ${root} (${((Date.now() - started) / 1000).toFixed(0)} s)`);
  return root;
}
