// Progress of a batch (the fleet plan): a one-line bar redrawn in place on a TTY, plain
// "n/total name" lines otherwise (so CI logs stay readable).
import type { Sink } from "./status-table";

export function progressBar(sink: Sink, total: number, label: string): { tick(name: string, note?: string): void; done(): void } {
  let n = 0;
  const width = 30;
  return {
    tick(name, note) {
      n++;
      if (sink.isTTY === true) {
        const filled = Math.round((n / Math.max(total, 1)) * width);
        sink.write(`\r\x1b[2K${label} [${"#".repeat(filled)}${"-".repeat(width - filled)}] ${n}/${total} ${name}${note ? ` ${note}` : ""}`);
      } else {
        sink.write(`${label} ${n}/${total} ${name}${note ? ` ${note}` : ""}\n`);
      }
    },
    done() {
      if (sink.isTTY === true) sink.write("\n");
    },
  };
}
