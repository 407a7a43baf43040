// The `mirror` lab host: deb.debian.org for the VM (the lab DNS names it), serving the "ec2"
// image's repository with Debian's Python http.server (lab/mirror/serve.py), in the host's
// network namespace only. Its request log shows which packages a boot fetched.
import { spawn } from "node:child_process";
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { labDir } from "../paths";
import { labHost } from "../topology";

const dir = () => join(labDir(), "mirror");
const pidFile = () => join(dir(), "serve.pid");
export const mirrorLog = () => join(dir(), "requests.jsonl");

export async function startMirror(repoDir: string, log: (l: string) => void): Promise<void> {
  stopMirror(log);
  mkdirSync(dir(), { recursive: true });
  rmSync(mirrorLog(), { force: true });
  const out = openSync(join(dir(), "serve.log"), "a");
  const host = labHost("mirror");
  const child = spawn("ip", ["netns", "exec", host.netns, "python3", "-B", join(__dirname, "serve.py"), "--address", host.address, "--repo", repoDir, "--log", mirrorLog()], { detached: true, stdio: ["ignore", out, out] });
  child.unref();
  closeSync(out);
  if (child.pid === undefined) throw new Error("could not start the lab mirror");
  writeFileSync(pidFile(), `${child.pid}\n`);
  for (let i = 0; i < 100 && !readFileSync(join(dir(), "serve.log"), "utf8").includes("mflab-mirror:"); i++) await new Promise((r) => setTimeout(r, 100));
  log(`mirror: deb.debian.org at http://${host.address}/debian/ (pid ${child.pid}) from ${repoDir}`);
}

export function stopMirror(log: (l: string) => void): void {
  if (!existsSync(pidFile())) return;
  const pid = Number(readFileSync(pidFile(), "utf8").trim());
  try {
    process.kill(pid, "SIGTERM");
    log(`mirror: stopped (pid ${pid})`);
  } catch {
    // already gone
  }
  rmSync(pidFile(), { force: true });
}

/** The .deb files the mirror served (status 200), by name. */
export function servedPackages(): string[] {
  if (!existsSync(mirrorLog())) return [];
  return readFileSync(mirrorLog(), "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l) as { path: string; status: number })
    .filter((e) => e.status === 200 && e.path.endsWith(".deb")).map((e) => e.path.split("/").pop() ?? "");
}
