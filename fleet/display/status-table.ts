// Live status of a fleet run. On a TTY: a table redrawn in place (cursor up + clear) as stacks
// change state. Otherwise (CI logs, pipes): one plain line per state change, nothing redrawn.
import type { RunEvents, StackRunResult, StackStatus } from "../runner";
import { formatChanges, formatTable } from "../runner";

export interface Sink {
  readonly isTTY?: boolean;
  write(text: string): unknown;
}

export function statusDisplay(sink: Sink, operation: string): RunEvents & { stop(): void } {
  const state = new Map<string, { status: StackStatus; result?: StackRunResult; since: number }>();
  let drawnLines = 0;
  let timer: NodeJS.Timeout | undefined;

  const draw = (): void => {
    const rows = [...state.entries()].map(([stack, s]) => [
      stack,
      s.status,
      s.status === "running" ? `${((Date.now() - s.since) / 1000).toFixed(0)}s` : s.result ? `${(s.result.durationMs / 1000).toFixed(1)}s` : "",
      formatChanges(s.result?.changes),
      s.result?.error ?? "",
    ]);
    const text = formatTable(["stack", operation, "time", "changes", "detail"], rows);
    sink.write(`${drawnLines > 0 ? `\x1b[${drawnLines}A\x1b[0J` : ""}${text}\n`);
    drawnLines = text.split("\n").length;
  };

  return {
    onStatus(stack, status, result) {
      state.set(stack, { status, ...(result ? { result } : {}), since: Date.now() });
      if (sink.isTTY === true) {
        draw();
        timer ??= setInterval(draw, 1000);
      } else if (status !== "queued") {
        const done = [...state.values()].filter((s) => !["queued", "running"].includes(s.status)).length;
        sink.write(`[${done}/${state.size}] ${stack}: ${status}${result ? ` (${(result.durationMs / 1000).toFixed(1)}s)` : ""}${result?.error ? `: ${result.error}` : ""}\n`);
      }
    },
    stop() {
      if (timer) clearInterval(timer);
      if (sink.isTTY === true && state.size > 0) draw();
    },
  };
}
