// Bring the native bench's server up and down: namespaces, per-daemon CPU groups, the prepared
// Debian 13 root, then the daemons in mailfort-boot's order, each waited for on its ports. Down
// undoes exactly what up did, in reverse, and only that (the daemons by the PIDs started here).
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { MailConfig } from "../../infra/config";
import { type CpuGroups, createCpuGroups } from "./cgroups";
import { BARE_DAEMON, type DaemonSpec, MAILFORT_DAEMONS, type RunningDaemon, startDaemon, stopDaemon } from "./daemons";
import { type NativeNet, nativeNet, netDownCommands, netUpCommands } from "./net";
import { type NativeRoot, prepareNativeRoot } from "./root";

export interface ServerProcesses {
  readonly net: NativeNet;
  readonly cpu: CpuGroups;
  readonly rootDir: string;
  readonly certFile: string;
  readonly native: NativeRoot;
  readonly daemons: RunningDaemon[];
}

function must(argv: readonly string[]): void {
  const r = spawnSync(argv[0] as string, argv.slice(1), { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`native bench: ${argv.join(" ")} failed: ${r.stderr || r.stdout}`);
}

/** TCP ports listening in a namespace (ss from the build machine). */
export function listeningPorts(netns: string): Set<number> {
  const r = spawnSync("ip", ["netns", "exec", netns, "ss", "-Hltn"], { encoding: "utf8" });
  // -H: no header; columns State Recv-Q Send-Q Local:Port Peer:Port.
  const ports = (r.stdout ?? "").split("\n").map((l) => /:(\d+)$/.exec(l.trim().split(/\s+/)[3] ?? "")?.[1]);
  return new Set(ports.filter((p): p is string => p !== undefined).map(Number));
}

function logSays(root: string, spec: DaemonSpec): boolean {
  if (spec.readyLog === undefined) return true;
  try {
    return spec.readyLog.pattern.test(readFileSync(join(root, spec.readyLog.file), "utf8"));
  } catch {
    return false;
  }
}

async function waitReady(d: RunningDaemon, root: string, netns: string, timeoutMs: number): Promise<number> {
  const start = Date.now();
  const what = `listening on ${d.spec.ports.join(", ")}${d.spec.readyLog ? ` with ${d.spec.readyLog.what}` : ""}`;
  for (;;) {
    const open = listeningPorts(netns);
    if (d.spec.ports.every((p) => open.has(p)) && logSays(root, d.spec)) return (Date.now() - start) / 1000;
    if (Date.now() - start > timeoutMs) throw new Error(`native bench: ${d.spec.name} not ${what} after ${timeoutMs / 1000} s: ${d.output().trim().slice(-1500)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

interface Started {
  readonly net: NativeNet;
  cpu: CpuGroups | undefined;
  native: NativeRoot | undefined;
  readonly daemons: RunningDaemon[];
}

/** What a start in progress has set up so far, for a teardown on a signal before it is done. */
let starting: Started | undefined;

export async function startServer(cfg: MailConfig, tag: string, log: (l: string) => void): Promise<ServerProcesses> {
  const specs: readonly DaemonSpec[] = [...MAILFORT_DAEMONS, BARE_DAEMON];
  const state: Started = { net: nativeNet(tag), cpu: undefined, native: undefined, daemons: [] };
  const { net } = state;
  starting = state;
  try {
    for (const c of netUpCommands(net)) must(c);
    const cpu = createCpuGroups(`mailfort-native-${tag}`, specs.map((s) => s.name));
    state.cpu = cpu;
    const native = prepareNativeRoot(cfg, net, log);
    state.native = native;
    for (const spec of specs) {
      const d = await startDaemon(spec, native.root.dir, net.server, cpu.procsFile(spec.name));
      state.daemons.push(d);
      const s = await waitReady(d, native.root.dir, net.server, 900_000);
      log(`native: ${spec.name} (pid ${d.pid}) ready after ${s.toFixed(1)} s`);
    }
    return { net, cpu, rootDir: native.root.dir, certFile: native.certFile, native, daemons: state.daemons };
  } catch (e) {
    await teardown(state, log);
    throw e;
  } finally {
    starting = undefined;
  }
}

/** Undo a start that is still in progress (a signal arrived while the daemons came up). */
export async function abortStart(log: (l: string) => void): Promise<void> {
  const s = starting;
  starting = undefined;
  if (s !== undefined) await teardown(s, log);
}

async function teardown(s: Started, log: (l: string) => void): Promise<void> {
  for (const d of [...s.daemons].reverse()) {
    await stopDaemon(d, s.native?.root.dir ?? "", s.net.server).catch((e: unknown) => log(`native: stopping ${d.spec.name} (pid ${d.pid}): ${String(e)}`));
  }
  s.native?.dispose();
  try {
    s.cpu?.remove();
  } catch (e) {
    log(`native: cgroups not removed (${String(e)}): a process this bench started may still run`);
  }
  for (const c of netDownCommands(s.net)) spawnSync(c[0] as string, c.slice(1));
}

export async function stopServer(s: ServerProcesses, log: (l: string) => void): Promise<void> {
  await teardown(s, log);
  log("native: server stopped, root, cgroups and namespaces removed");
}
