// One run of a guest's oneshot unit, started the way its timer would start it (the unit's own
// user, sandbox and environment), without holding the guest agent while it runs: qemu serves the
// agent to one caller at a time (guest-agent.ts), so a `systemctl start` that waits two minutes
// would hold up every other group's guest calls for as long. Here the start is queued
// (--no-block) and the unit's state asked for in short calls until this run of it has ended.
// The run is told apart by its InvocationID, which systemd keeps while the unit stays loaded: a
// unit that a timer (or anything else) references does; one nothing references may be unloaded
// after its run and would then look as if it never ran (the call times out, it never passes).
import { guestExec, guestShell } from "./guest-agent";

export interface UnitRun {
  /** systemd's Result for the run: "success", "exit-code", "timeout", ... */
  readonly result: string;
  /** The main process's exit status. */
  readonly exitStatus: number;
  readonly seconds: number;
}

/** `systemctl show` output (Key=value lines) -> a map. */
export function parseShow(text: string): Map<string, string> {
  const m = new Map<string, string>();
  for (const line of text.split("\n")) {
    const i = line.indexOf("=");
    if (i > 0) m.set(line.slice(0, i), line.slice(i + 1).trim());
  }
  return m;
}

/**
 * Whether the unit's run with an InvocationID other than `before` has ended. A oneshot is
 * "activating" while it runs and "inactive" (success) or "failed" after.
 */
export function runEnded(show: ReadonlyMap<string, string>, before: string): boolean {
  const id = show.get("InvocationID") ?? "";
  const state = show.get("ActiveState") ?? "";
  return id !== "" && id !== before && (state === "inactive" || state === "failed");
}

const UNIT_NAME = /^[A-Za-z0-9@_][A-Za-z0-9@._-]*\.service$/;
const ENV_NAME = /^[A-Z][A-Z0-9_]*$/;
const SHOW = ["-p", "InvocationID", "-p", "ActiveState", "-p", "Result", "-p", "ExecMainStatus"];

/**
 * Starts `unit` once with `env` in systemd's manager environment (unset again afterwards, so no
 * later run inherits it) and waits up to `timeoutMs` for that run to end.
 */
export async function runGuestUnit(unit: string, env: Readonly<Record<string, string>>, timeoutMs: number): Promise<UnitRun> {
  if (!UNIT_NAME.test(unit)) throw new Error(`runGuestUnit: ${unit} is not a service unit name`);
  const names = Object.keys(env);
  for (const n of names) if (!ENV_NAME.test(n)) throw new Error(`runGuestUnit: ${n} is not an environment variable name`);
  const show = async () => parseShow((await guestExec(["systemctl", "show", ...SHOW, unit])).stdout);
  const before = (await show()).get("InvocationID") ?? "";
  const started = Date.now();
  try {
    if (names.length > 0) await guestExec(["systemctl", "set-environment", ...names.map((n) => `${n}=${env[n] ?? ""}`)]);
    await guestShell(`systemctl start --no-block ${unit}`);
    for (let wait = 1000; ; wait = Math.min(wait * 2, 5000)) {
      await new Promise((r) => setTimeout(r, wait));
      const s = await show();
      if (runEnded(s, before)) {
        return { result: s.get("Result") ?? "", exitStatus: Number(s.get("ExecMainStatus") ?? "-1"), seconds: Math.round((Date.now() - started) / 1000) };
      }
      if (Date.now() - started > timeoutMs) throw new Error(`${unit} still ${s.get("ActiveState") ?? "unknown"} after ${Math.round(timeoutMs / 1000)} s`);
    }
  } finally {
    if (names.length > 0) await guestExec(["systemctl", "unset-environment", ...names]).catch(() => undefined);
  }
}
