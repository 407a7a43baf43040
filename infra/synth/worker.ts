// A synth worker: a child process (workers.ts forks it) that synthesizes one stack after another,
// as its parent asks over the IPC channel. Loading the program's modules is most of a synth's
// cost; a worker pays it once instead of once per stack. Only the public view (secrets
// "[secret]") ever leaves the process; a secretsDir request writes the real values to files.
// First: it makes the rest load faster (see startup.ts).
import "./startup";
import { ConfigError } from "../config";
import { synthInProcess } from "./in-process";
import { publicView } from "./result";
import type { SynthAnswer, SynthRequest } from "./worker-messages";

async function answer(req: SynthRequest): Promise<SynthAnswer> {
  try {
    return { id: req.id, ok: publicView(await synthInProcess(req.stack, req.options)) };
  } catch (e) {
    if (e instanceof ConfigError) return { id: req.id, configError: e.issues };
    return { id: req.id, error: e instanceof Error ? (e.stack ?? e.message) : String(e) };
  }
}

if (process.send === undefined) {
  console.error("infra/synth/worker.ts is started by startSynthWorkers (workers.ts), with an IPC channel");
  process.exit(2);
}
// One request at a time: the parent never sends the next before this one is answered.
process.on("message", (req: SynthRequest) => {
  void answer(req).then((a) => process.send?.(a));
});
// The parent went away: nothing left to do.
process.on("disconnect", () => process.exit(0));
